// attention-scope-bench: speed of the text and image engines on BERT-base- and ViT-Base-shaped models
// with random weights, against this machine's measured float32 matmul peak and read bandwidth;
// with `open` or `memory`, what opening models costs. Prints figures; asserts nothing (not part
// of CTest).
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "bench_support.h"
#include "inference/image_model.h"
#include "inference/text_model.h"
#include "open_report.h"
#include "perf/bandwidth_probe.h"
#include "perf/kernel_report.h"
#include "perf/matmul_probe.h"
#include "util/compute_threads.h"

using namespace ascope;
using namespace ascope::bench;
namespace fs = std::filesystem;

namespace {
// Up to this many tokens the forward is bound by streaming its weights, and its rate is also shown
// against what the arithmetic of that many rows leaves of the read bandwidth.
constexpr int kCeilingRows = 64;

// The best product either library achieves on this machine, printing each probe.
double measurePeak() {
    double peak = 0;
    for (auto library : {MatmulLibrary::Blas, MatmulLibrary::Packed})
        for (auto dims : {std::array<int, 3>{512, 768, 3072}, std::array<int, 3>{1024, 1024, 1024},
                          std::array<int, 3>{128, 768, 3072}}) {
            const auto p = measureMatmul(dims[0], dims[1], dims[2], 20, library);
            std::printf("matmul %4dx%4dx%4d, %-17s %7.2f ms, %6.1f GFLOP/s\n", p.m, p.k, p.n,
                        (libraryName(library) + ":").c_str(), p.bestMs, p.gflops);
            peak = std::max(peak, p.gflops);
        }
    return peak;
}

// What the packed products reach when their weights come from memory, as in a forward (36 distinct
// weights, about BERT-base's encoder, used in turn): 128 rows against the peak, 16 rows as a
// weight-streaming rate against the read bandwidth. Diagnostic only: not counted in the peak.
void reportColdProducts() {
    for (int rows : {128, 16}) {
        const auto p = measureMatmul(rows, 768, 3072, 72, MatmulLibrary::Packed, 36);
        const double streamed = 4.0 * p.k * p.n / (p.bestMs * 1e6);  // float32 weight bytes
        std::printf("matmul %4dx%4dx%4d, %-17s %7.2f ms, %6.1f GFLOP/s, weights streamed at %5.1f GB/s (weights from memory)\n",
                    p.m, p.k, p.n, (libraryName(p.library) + ":").c_str(), p.bestMs, p.gflops, streamed);
    }
}

// The best read bandwidth of the compute threads together over a buffer of `bytes` (the weights' size),
// printing the probes (one thread, all).
double measureBandwidth(int threads, std::size_t bytes) {
    double best = 0;
    for (int t : {1, threads}) {
        const auto p = measureReadBandwidth(bytes, t, 5);
        std::printf("read %4.0f MB with %d thread%s:    %7.2f ms, %6.1f GB/s\n", static_cast<double>(p.bytes) / 1e6, t, t == 1 ? " " : "s",
                    p.bestMs, p.gbPerSecond);
        best = std::max(best, p.gbPerSecond);
        if (threads == 1) break;
    }
    return best;
}

// The fastest the compute threads stream `bytes` while doing a `rows`-row product's arithmetic on
// what they read (perf/bandwidth_probe.h); 0 without AVX-512 or AVX2. Probed once per row count.
double streamingCeiling(int threads, std::size_t bytes, int rows) {
    static std::map<int, double> probed;
    auto it = probed.find(rows);
    if (it == probed.end()) it = probed.emplace(rows, measureReadBandwidth(bytes, threads, 3, rows).gbPerSecond).first;
    return it->second;
}

// One measured workload, reported once the peak is known.
struct Row {
    std::string label;
    Timing timing;
    double flops = 0;
    double streamedBytes = 0;  // > 0: also report the weights' streaming rate
    int rows = 0;              // the products' rows (tokens), for the streaming ceiling
    int forwards = 1;          // forwards per timed run: the figures are per forward
};

// Opens the model in `dir` and prints what the process holds with one result of each length alive.
int reportResidentMemory(const fs::path& dir, const std::vector<int>& tokenCounts, double weightBytes) {
    const double before = processMemory().anonMb;
    auto model = TextModel::load(dir.string());
    if (!model) return 1;
    const auto config = (*model)->config();
    for (int tokens : tokenCounts) {
        auto alive = (*model)->analyse(sentence(tokens - 2));
        if (!alive) return 1;
        const int n = static_cast<int>(alive->tokens.size());
        const double attentionMb = 4.0 * config.numLayers * config.numHeads * n * n / 1e6;
        const double heldMb = processMemory().anonMb - before;
        std::printf("BERT-base, %3d tokens: %5.0f MB = weights %.0f + attention result %.0f + %.0f MB other\n", n, heldMb,
                    weightBytes / 1e6, attentionMb, heldMb - weightBytes / 1e6 - attentionMb);
    }
    return 0;
}

// ViT-Base/16 on one random image of `size` pixels.
bool addVitRow(int size, int repeats, std::vector<Row>& rows) {
    const auto dir = fs::temp_directory_path() / "ascope-bench-vit-base";
    writeRandomVit(dir, size);
    auto vit = ImageModel::load(dir.string());
    fs::remove_all(dir);
    if (!vit) {
        std::fprintf(stderr, "bench: %s\n", vit.error().c_str());
        return false;
    }
    RgbImage picture{size, size, std::vector<std::uint8_t>(static_cast<std::size_t>(size) * size * 3)};
    std::mt19937 prng(9);
    for (auto& p : picture.pixels) p = static_cast<std::uint8_t>(prng() % 256);
    (void)(*vit)->analyse(picture);  // warm-up
    const auto t = timeRuns(repeats, [&] { auto result = (*vit)->analyse(picture); });
    ModelConfig shape = bertBase();
    shape.vocabSize = 1000;  // the classifier plays the MLM head's part in the FLOP count
    const int patches = (size / 16) * (size / 16);
    rows.push_back({"ViT-Base/16, " + std::to_string(size) + "x" + std::to_string(size) + " image (" + std::to_string(patches + 1) + " tokens)",
                    t, forwardFlops(shape, patches + 1) + 2.0 * patches * 768 * 768 /* patch embedding */, 0});
    return true;
}
}  // namespace

constexpr const char* kUsage =
    "Usage:\n"
    "  attention-scope-bench [REPEATS [TOKENS ...]]   forwards (default 10 repeats; 16, 128 and 512 tokens and ViT)\n"
    "  attention-scope-bench open [RUNS]               opening a model: time, peak and settled memory\n"
    "  attention-scope-bench memory                    resident memory while switching models\n"
    "  attention-scope-bench write-checkpoint DIR [large | roberta TOKENIZER.json]\n";

// A whole positive number, else -1.
int countOf(const char* text) {
    char* end = nullptr;
    const long value = std::strtol(text, &end, 10);
    return end != text && *end == '\0' && value > 0 && value <= 1000000 ? static_cast<int>(value) : -1;
}

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "--help" || mode == "-h") {
        std::printf("%s", kUsage);
        return 0;
    }
    const bool command = mode == "open" || mode == "memory" || mode == "write-checkpoint";
    if (!mode.empty() && !command && countOf(argv[1]) < 0) {
        std::fprintf(stderr, "attention-scope-bench: unknown command '%s' (--help lists them)\n", argv[1]);
        return 2;
    }
    for (int a = 2; a < argc && (!command || mode == "open"); ++a)
        if (countOf(argv[a]) < 0) {
            std::fprintf(stderr, "attention-scope-bench: '%s' is not a positive whole number\n", argv[a]);
            return 2;
        }
    if (mode == "memory") return memoryReport();
    if (mode == "open") return openReport(argc > 2 ? countOf(argv[2]) : 3);
    if (mode == "write-checkpoint" && argc > 2) {  // write-checkpoint DIR [large | roberta TOKENIZER.json]
        const std::string kind = argc > 3 ? argv[3] : "";
        if (kind == "roberta") {  // random weights in RoBERTa's layout beside a real tokenizer.json
            if (argc < 5) {
                std::fprintf(stderr, "bench: write-checkpoint DIR roberta TOKENIZER.json\n");
                return 2;
            }
            writeRandomCheckpoint(argv[2], robertaBase());
            std::error_code ec;
            std::filesystem::copy_file(argv[4], std::filesystem::path(argv[2]) / "tokenizer.json",
                                       std::filesystem::copy_options::overwrite_existing, ec);
            if (ec) {
                std::fprintf(stderr, "bench: cannot copy %s: %s\n", argv[4], ec.message().c_str());
                return 1;
            }
            return 0;
        }
        writeRandomCheckpoint(argv[2], kind == "large" ? bertLarge() : bertBase());
        return 0;
    }
    // attention-scope-bench [repeats] [token counts...]: given token counts, only those text runs.
    const int repeats = argc > 1 ? countOf(argv[1]) : 10;  // every count was checked above
    std::vector<int> tokenCounts;
    for (int a = 2; a < argc; ++a) tokenCounts.push_back(std::max(3, countOf(argv[a])));  // [CLS] word [SEP] at least
    const bool textOnly = !tokenCounts.empty();
    if (tokenCounts.empty()) tokenCounts = {16, 128, 512};
    const int threads = configureComputeThreads();
    std::printf("Attention Scope benchmark: %d LibTorch threads (ASCOPE_THREADS overrides)\n%s\n\n", threads,
                inferenceKernels().c_str());
    const auto config = bertBase();
    const auto bertDir = fs::temp_directory_path() / "ascope-bench-bert-base";
    const double weightBytes = writeRandomCheckpointApart(bertDir, config);
    if (weightBytes < 0) return 1;
    // In a child forked before this process starts any thread team (OpenMP's does not survive a fork).
    std::printf("Resident memory (anonymous) of a fresh process holding the model and one result, above what it held\n"
                "before opening the model:\n");
    if (inChildProcess([&] { return reportResidentMemory(bertDir, tokenCounts, weightBytes); }) != 0) return 1;
    std::printf("\n");
    // The peak is probed before and after the forwards (this machine's speed drifts) and the higher
    // probe counts, so a slow probe never flatters the forwards; the same for the bandwidth.
    double peak = measurePeak();
    // Read over a buffer the size of the weights: this machine's last-level cache keeps part of them.
    const auto weightBuffer = static_cast<std::size_t>(weightBytes);
    double bandwidth = measureBandwidth(threads, weightBuffer);
    reportColdProducts();
    std::vector<Row> rows;

    {  // the BERT model is freed before the ViT loads
        const auto& dir = bertDir;
        auto model = TextModel::load(dir.string());
        if (!model) {
            std::fprintf(stderr, "bench: %s\n", model.error().c_str());
            return 1;
        }
        std::printf("\nBERT-base shape (12 x 768, 12 heads, vocab 30522), random weights, %.0f MB\n\n", weightBytes / 1e6);
        for (int tokens : tokenCounts) {
            const std::string text = sentence(tokens - 2);
            int n = 0;
            if (auto warm = (*model)->analyse(text)) n = static_cast<int>(warm->tokens.size());
            else {
                std::fprintf(stderr, "bench: %s\n", warm.error().c_str());
                return 1;
            }
            const auto t = timeRuns(repeats, [&] { auto result = (*model)->analyse(text); });  // analysed, used, dropped
            rows.push_back({"BERT-base, " + std::to_string(n) + " tokens", t, forwardFlops(config, n), weightBytes, n});
            // The app shows one result while the next is computed: its new result's memory is fresh. Timed
            // as pairs (the second computed while the first is alive), reported per forward.
            rows.push_back({"BERT-base, " + std::to_string(n) + " tokens, previous result kept", timeRuns(repeats, [&] {
                                auto previous = (*model)->analyse(text);
                                auto result = (*model)->analyse(text);
                            }), forwardFlops(config, n), weightBytes, n, 2});
            if (n == 16) {
                // Four and eight [MASK]s read the decoder together, as one does.
                for (int masks : {4, 8}) {
                    const std::string masked = sentence(tokens - 2, masks);
                    rows.push_back({"BERT-base, 16 tokens, " + std::to_string(masks) + " [MASK]s",
                                    timeRuns(repeats, [&] { auto r = (*model)->analyse(masked); }),
                                    forwardFlops(config, n, masks), weightBytes, n});
                }
                // Head importance: every head off alone, batched layer by layer from that layer's input.
                const auto tokensOf = (*model)->tokenizer().encode(text);
                const int L = config.numLayers, H = config.numHeads;
                // One forward keeping every layer's output, then from each layer l, H batch entries through
                // layers l..L-1, the last of them computing the [MASK] row alone past its attention.
                const double full = layerFlops(config, n, n), last = layerFlops(config, n, 1);
                double flops = L * full;
                for (int l = 0; l < L; ++l) flops += H * ((L - l - 1) * full + last);
                rows.push_back({"BERT-base, 16 tokens, 144 heads' importance",
                                timeRuns(std::max(1, repeats / 5), [&] { auto r = (*model)->headImportance(tokensOf, {}); }),
                                flops, 0});
            }
            if (n == 128) {  // the controls inside attention (masked-attention lesson) cost almost nothing more
                TextRunOptions causal;
                causal.attentionMask.mode = AttentionMaskSpec::Mode::Causal;
                rows.push_back({"BERT-base, 128 tokens, causal mask", timeRuns(repeats, [&] { auto r = (*model)->analyse(text, causal); }),
                                forwardFlops(config, n), 0});
                TextRunOptions ablated;
                ablated.ablate = {{3, 5}, {7, -1}};
                rows.push_back({"BERT-base, 128 tokens, 13 heads ablated", timeRuns(repeats, [&] { auto r = (*model)->analyse(text, ablated); }),
                                forwardFlops(config, n), 0});
            }
        }
    }

    if (!textOnly)
        for (int size : {224, 384})
            if (!addVitRow(size, repeats, rows)) return 1;

    std::printf("the probes again, after the forwards:\n");
    peak = std::max(peak, measurePeak());
    bandwidth = std::max(bandwidth, measureBandwidth(threads, weightBuffer));
    std::printf("peak (best of all probes): %.1f GFLOP/s; read bandwidth (best): %.1f GB/s\n\n", peak, bandwidth);
    std::printf("Each forward includes tokenisation or preprocessing, every attention matrix copied out, top-5.\n");
    for (const auto& r : rows) {
        const double best = r.timing.best / r.forwards, mean = r.timing.mean / r.forwards;  // ms per forward
        const double gflops = r.flops / (best * 1e6);
        std::printf("%-44s best %7.2f ms, mean %7.2f ms, %6.1f GFLOP/s = %5.1f%% of peak", r.label.c_str(), best, mean, gflops,
                    100.0 * gflops / peak);
        if (r.streamedBytes > 0) {
            const double rate = r.streamedBytes / (best * 1e6);
            std::printf(", weights streamed at %5.1f GB/s = %3.0f%% of bandwidth", rate, 100.0 * rate / bandwidth);
            // Short inputs: against the read rate left once a product of this many rows does its arithmetic.
            if (r.rows <= kCeilingRows) {
                const double ceiling = streamingCeiling(threads, weightBuffer, r.rows);
                if (ceiling > 0) std::printf(" (%3.0f%% of %.1f GB/s with %d rows' arithmetic)", 100.0 * rate / ceiling, ceiling, r.rows);
            }
        }
        std::printf("\n");
    }
    fs::remove_all(bertDir);
    return 0;
}
