// attention-scope-bench open | memory: what opening a model costs in time and memory.
#include "open_report.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <unistd.h>
#include <vector>

#include "bench_support.h"
#include "inference/text_model.h"
#include "util/compute_threads.h"

namespace fs = std::filesystem;

namespace ascope::bench {

namespace {
struct OpenFigures {
    double openMs = 0, firstForwardMs = 0, peakMb = 0, settledMb = 0;
};

// Opens the model in `dir` once in a fresh process and measures it; false when it fails.
bool measureOpen(const fs::path& dir, OpenFigures& figures) {
    int fds[2];
    if (pipe(fds) != 0) return false;
    const int status = inChildProcess([&] {
        close(fds[0]);
        configureComputeThreads();
        const auto before = processMemory();
        resetPeakMemory();
        const auto t0 = std::chrono::steady_clock::now();
        auto model = TextModel::load(dir.string());
        const auto t1 = std::chrono::steady_clock::now();
        if (!model) {
            std::fprintf(stderr, "bench: %s\n", model.error().c_str());
            return 1;
        }
        const auto opened = processMemory();
        auto first = (*model)->analyse(sentence(14));
        const auto t2 = std::chrono::steady_clock::now();
        if (!first) return 1;
        OpenFigures f;
        f.openMs = std::chrono::duration<double, std::milli>(t1 - t0).count();
        f.firstForwardMs = std::chrono::duration<double, std::milli>(t2 - t1).count();
        f.peakMb = opened.peakMb - before.residentMb;
        f.settledMb = opened.residentMb - before.residentMb;
        const bool written = write(fds[1], &f, sizeof f) == static_cast<ssize_t>(sizeof f);
        close(fds[1]);
        return written ? 0 : 1;
    });
    close(fds[1]);
    const bool ok = status == 0 && read(fds[0], &figures, sizeof figures) == static_cast<ssize_t>(sizeof figures);
    close(fds[0]);
    return ok;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}
}  // namespace

int openReport(int runs) {
    struct Case {
        const char* label;
        ModelConfig config;
        DType dtype;
    };
    const std::vector<Case> cases = {{"BERT-base, float32", bertBase(), DType::F32},
                                     {"BERT-base, float16", bertBase(), DType::F16},
                                     {"BERT-base, bfloat16", bertBase(), DType::BF16},
                                     {"BERT-large, float32", bertLarge(), DType::F32}};
    std::printf("Opening a model from the page cache (read, validated, packed, ready for the first forward), each in a\n"
                "fresh process, median of %d. Memory: the process's resident memory (anonymous and mapped) above what\n"
                "it held before opening; 'weights' is the model's float32 parameters.\n\n", runs);
    std::printf("%-22s %8s %9s %9s %11s %19s %19s\n", "model", "file MB", "weights", "open ms", "1st fwd ms",
                "peak MB (x weights)", "settled (x weights)");
    for (const auto& c : cases) {
        const auto dir = fs::temp_directory_path() / "ascope-bench-open";
        fs::remove_all(dir);
        const double weightBytes = writeRandomCheckpointApart(dir, c.config, c.dtype);
        if (weightBytes < 0) {
            std::fprintf(stderr, "bench: could not write the %s checkpoint\n", c.label);
            return 1;
        }
        std::vector<double> open, forward, peak, settled;
        for (int r = 0; r < runs; ++r) {
            OpenFigures f;
            if (!measureOpen(dir, f)) {
                std::fprintf(stderr, "bench: could not open the %s checkpoint\n", c.label);
                return 1;
            }
            open.push_back(f.openMs);
            forward.push_back(f.firstForwardMs);
            peak.push_back(f.peakMb);
            settled.push_back(f.settledMb);
        }
        const double weightsMb = weightBytes / 1e6, fileMb = static_cast<double>(fs::file_size(dir / "model.safetensors")) / 1e6;
        std::printf("%-22s %8.0f %9.0f %9.0f %11.1f %11.0f (%4.2fx) %11.0f (%4.2fx)\n", c.label, fileMb, weightsMb, median(open),
                    median(forward), median(peak), median(peak) / weightsMb, median(settled), median(settled) / weightsMb);
        fs::remove_all(dir);
    }
    return 0;
}

// The app's way of switching models: a BERT-large-shaped checkpoint (24 x 1024, 1.34 GB of float32) is
// opened, run once, and then replaced by a BERT-base one.
int memoryReport() {
    const ModelConfig large = bertLarge();
    const auto largeDir = fs::temp_directory_path() / "ascope-bench-bert-large";
    const auto baseDir = fs::temp_directory_path() / "ascope-bench-bert-base";
    // The checkpoints are written by a child process, so that the writer's freed buffers (which
    // the allocator may keep) do not blur this process's figures.
    const int written = inChildProcess([&] {
        writeRandomCheckpoint(largeDir, large);
        writeRandomCheckpoint(baseDir, bertBase());
        return 0;
    });
    if (written != 0) {
        std::fprintf(stderr, "bench: could not write the checkpoints\n");
        return 1;
    }
    configureComputeThreads();
    const double largeBytes = static_cast<double>(fs::file_size(largeDir / "model.safetensors"));
    const double baseBytes = static_cast<double>(fs::file_size(baseDir / "model.safetensors"));
    auto print = [](const char* what, const ProcessMemory& m) {
        std::printf("%-46s anonymous %6.0f MB, resident %6.0f MB, peak %6.0f MB\n", what, m.anonMb, m.residentMb, m.peakMb);
    };
    std::printf("BERT-large shape: %.0f MB of float32 safetensors; BERT-base: %.0f MB\n", largeBytes / 1e6, baseBytes / 1e6);
    print("before opening a model:", processMemory());
    resetPeakMemory();
    const auto t0 = std::chrono::steady_clock::now();
    auto model = TextModel::load(largeDir.string());
    const double openMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!model) {
        std::fprintf(stderr, "bench: %s\n", model.error().c_str());
        return 1;
    }
    std::printf("BERT-large opened in %.0f ms\n", openMs);
    print("after opening BERT-large:", processMemory());
    if (auto r = (*model)->analyse(sentence(126)); !r) return 1;
    print("after one 128-token forward:", processMemory());
    resetPeakMemory();
    auto next = TextModel::load(baseDir.string());
    if (!next) return 1;
    print("BERT-base opened, BERT-large still held:", processMemory());
    model = std::move(next);  // the app's session replaces its model the same way
    print("BERT-large released:", processMemory());
    fs::remove_all(largeDir);
    fs::remove_all(baseDir);
    return 0;
}

}  // namespace ascope::bench
