// attention-scope-bench: speed of the text engine on a BERT-base-shaped model with random
// weights (12 layers, 768 hidden, 12 heads, vocab 30522), against this machine's measured
// float32 matmul peak. Prints figures; asserts nothing (not part of CTest).
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "checkpoint/safetensors_writer.h"
#include "inference/image_model.h"
#include "inference/text_model.h"
#include "perf/matmul_probe.h"
#include "tokenizer/vocab.h"
#include "util/compute_threads.h"

using namespace ascope;
namespace fs = std::filesystem;

namespace {
ModelConfig bertBase() {
    ModelConfig c;
    c.modelType = "bert";
    c.architectures = {"BertForMaskedLM"};
    c.vocabSize = 30522;
    c.hiddenSize = 768;
    c.numLayers = 12;
    c.numHeads = 12;
    c.intermediateSize = 3072;
    c.maxPositionEmbeddings = 512;
    return c;
}

// Collects random N(0, 0.02) (or constant) float32 tensors for a benchmark checkpoint.
struct RandomTensors {
    explicit RandomTensors(unsigned seed) : rng(seed) {}
    void operator()(const std::string& name, std::vector<std::int64_t> shape, float fill = NAN) {
        std::int64_t n = 1;
        for (auto d : shape) n *= d;
        std::vector<float> v(static_cast<std::size_t>(n));
        for (auto& x : v) x = std::isnan(fill) ? normal(rng) : fill;
        bytes += 4.0 * static_cast<double>(n);
        writer.addFloat32(name, shape, std::move(v));
    }
    std::mt19937 rng;
    std::normal_distribution<float> normal{0.f, 0.02f};
    SafetensorsWriter writer;
    double bytes = 0;
};

// Writes a random BERT-base checkpoint (about 440 MB) and returns its parameter bytes.
double writeRandomCheckpoint(const fs::path& dir, const ModelConfig& c) {
    fs::create_directories(dir);
    RandomTensors add(3);
    const int h = c.hiddenSize, i = c.intermediateSize;
    add("bert.embeddings.word_embeddings.weight", {c.vocabSize, h});
    add("bert.embeddings.position_embeddings.weight", {c.maxPositionEmbeddings, h});
    add("bert.embeddings.token_type_embeddings.weight", {2, h});
    add("bert.embeddings.LayerNorm.weight", {h}, 1.f);
    add("bert.embeddings.LayerNorm.bias", {h}, 0.f);
    for (int l = 0; l < c.numLayers; ++l) {
        const std::string p = "bert.encoder.layer." + std::to_string(l) + ".";
        for (const char* m : {"query", "key", "value"}) {
            add(p + "attention.self." + m + ".weight", {h, h});
            add(p + "attention.self." + m + ".bias", {h}, 0.f);
        }
        add(p + "attention.output.dense.weight", {h, h});
        add(p + "attention.output.dense.bias", {h}, 0.f);
        add(p + "attention.output.LayerNorm.weight", {h}, 1.f);
        add(p + "attention.output.LayerNorm.bias", {h}, 0.f);
        add(p + "intermediate.dense.weight", {i, h});
        add(p + "intermediate.dense.bias", {i}, 0.f);
        add(p + "output.dense.weight", {h, i});
        add(p + "output.dense.bias", {h}, 0.f);
        add(p + "output.LayerNorm.weight", {h}, 1.f);
        add(p + "output.LayerNorm.bias", {h}, 0.f);
    }
    add("cls.predictions.transform.dense.weight", {h, h});
    add("cls.predictions.transform.dense.bias", {h}, 0.f);
    add("cls.predictions.transform.LayerNorm.weight", {h}, 1.f);
    add("cls.predictions.transform.LayerNorm.bias", {h}, 0.f);
    add("cls.predictions.bias", {c.vocabSize}, 0.f);
    add.writer.write((dir / "model.safetensors").string());
    std::vector<std::string> vocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
    while (static_cast<int>(vocab.size()) < c.vocabSize) vocab.push_back("w" + std::to_string(vocab.size()));
    Vocab::fromTokens(vocab).writeFile((dir / "vocab.txt").string());
    std::FILE* f = std::fopen((dir / "config.json").c_str(), "w");
    std::fputs(c.toJsonText().c_str(), f);
    std::fclose(f);
    return add.bytes;
}

// FLOPs of one forward over `t` tokens with one [MASK] (the MLM head runs on masked rows only).
double forwardFlops(const ModelConfig& c, double t) {
    const double h = c.hiddenSize, i = c.intermediateSize;
    const double perLayer = 2 * t * h * 3 * h + 2 * t * h * h + 2 * 2 * t * h * i + 2 * 2 * t * t * h;
    return c.numLayers * perLayer + 2 * h * h + 2 * h * c.vocabSize;
}

// A random ViT-Base/16 (224 px, 1000 classes) checkpoint; returns its parameter bytes.
double writeRandomVit(const fs::path& dir) {
    fs::create_directories(dir);
    RandomTensors add(4);
    const int h = 768, i = 3072;
    add("vit.embeddings.cls_token", {1, 1, h});
    add("vit.embeddings.position_embeddings", {1, 197, h});
    add("vit.embeddings.patch_embeddings.projection.weight", {h, 3, 16, 16});
    add("vit.embeddings.patch_embeddings.projection.bias", {h}, 0.f);
    for (int l = 0; l < 12; ++l) {
        const std::string p = "vit.encoder.layer." + std::to_string(l) + ".";
        for (const char* m : {"query", "key", "value"}) {
            add(p + "attention.attention." + m + ".weight", {h, h});
            add(p + "attention.attention." + m + ".bias", {h}, 0.f);
        }
        add(p + "attention.output.dense.weight", {h, h});
        add(p + "attention.output.dense.bias", {h}, 0.f);
        add(p + "intermediate.dense.weight", {i, h});
        add(p + "intermediate.dense.bias", {i}, 0.f);
        add(p + "output.dense.weight", {h, i});
        add(p + "output.dense.bias", {h}, 0.f);
        for (const char* n : {"layernorm_before", "layernorm_after"}) {
            add(p + n + ".weight", {h}, 1.f);
            add(p + n + ".bias", {h}, 0.f);
        }
    }
    add("vit.layernorm.weight", {h}, 1.f);
    add("vit.layernorm.bias", {h}, 0.f);
    add("classifier.weight", {1000, h});
    add("classifier.bias", {1000}, 0.f);
    add.writer.write((dir / "model.safetensors").string());
    ModelConfig c;
    c.modelType = "vit";
    c.architectures = {"ViTForImageClassification"};
    c.hiddenSize = h;
    c.numLayers = 12;
    c.numHeads = 12;
    c.intermediateSize = i;
    c.imageSize = 224;
    c.patchSize = 16;
    for (int k = 0; k < 1000; ++k) c.id2label[k] = "class " + std::to_string(k);
    std::FILE* f = std::fopen((dir / "config.json").c_str(), "w");
    std::fputs(c.toJsonText().c_str(), f);
    std::fclose(f);
    return add.bytes;
}

// Anonymous resident memory of this process in MB (Linux; 0 elsewhere): the model's own memory,
// not the shared libraries or the page cache of files it maps.
double residentMb() {
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) return 0;
    char line[256];
    double kb = 0;
    while (std::fgets(line, sizeof line, f))
        if (std::sscanf(line, "RssAnon: %lf", &kb) == 1) break;
    std::fclose(f);
    return kb / 1e3;
}

// Resident memory of the process in MB: anonymous (the model's own memory), total (with mapped
// files and libraries) and the peak total since the last resetPeakMemory().
struct ProcessMemory {
    double anonMb = 0, residentMb = 0, peakMb = 0;
};
ProcessMemory processMemory() {
    ProcessMemory m;
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) return m;
    char line[256];
    double kb = 0;
    while (std::fgets(line, sizeof line, f)) {
        if (std::sscanf(line, "RssAnon: %lf", &kb) == 1) m.anonMb = kb / 1e3;
        if (std::sscanf(line, "VmRSS: %lf", &kb) == 1) m.residentMb = kb / 1e3;
        if (std::sscanf(line, "VmHWM: %lf", &kb) == 1) m.peakMb = kb / 1e3;
    }
    std::fclose(f);
    return m;
}
void resetPeakMemory() {
    if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
        std::fputs("5", f);  // resets VmHWM to the current resident size
        std::fclose(f);
    }
}

std::string sentence(int words) {
    std::string s;
    for (int k = 0; k < words; ++k) s += (k == words / 2 ? "[MASK] " : "w" + std::to_string(100 + k * 37) + " ");
    return s;
}
// Best and mean wall time of `repeats` calls of `run`, in ms.
struct Timing {
    double best = 1e300, mean = 0;
};
template <class Run>
Timing timeRuns(int repeats, Run run) {
    Timing t;
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        run();
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        t.best = std::min(t.best, ms);
        t.mean += ms / repeats;
    }
    return t;
}

// The best product either library achieves on this machine, printing each probe.
double measurePeak() {
    double peak = 0;
    for (auto library : {MatmulLibrary::Blas, MatmulLibrary::OneDnnPacked})
        for (auto dims : {std::array<int, 3>{512, 768, 3072}, std::array<int, 3>{1024, 1024, 1024},
                          std::array<int, 3>{128, 768, 3072}}) {
            const auto p = measureMatmul(dims[0], dims[1], dims[2], 20, library);
            std::printf("matmul %4dx%4dx%4d, %-17s %7.2f ms, %6.1f GFLOP/s\n", p.m, p.k, p.n,
                        (libraryName(library) + ":").c_str(), p.bestMs, p.gflops);
            peak = std::max(peak, p.gflops);
        }
    return peak;
}

// One measured workload, reported once the peak is known.
struct Row {
    std::string label;
    Timing timing;
    double flops = 0;
    double streamedBytes = 0;  // > 0: also report the weights' streaming rate
};
}  // namespace

// attention-scope-bench memory: what opening models costs in memory. A BERT-large-shaped checkpoint
// (24 x 1024, 1.34 GB of float32) is opened, run once, and then replaced by a BERT-base one, as the
// app does when the user opens another model.
int memoryReport() {
    ModelConfig large = bertBase();
    large.hiddenSize = 1024;
    large.numLayers = 24;
    large.numHeads = 16;
    large.intermediateSize = 4096;
    const auto largeDir = fs::temp_directory_path() / "ascope-bench-bert-large";
    const auto baseDir = fs::temp_directory_path() / "ascope-bench-bert-base";
    // The checkpoints are written by a child process, so that the writer's freed buffers (which
    // the allocator may keep) do not blur this process's figures.
    const pid_t child = fork();
    if (child == 0) {
        writeRandomCheckpoint(largeDir, large);
        writeRandomCheckpoint(baseDir, bertBase());
        std::_Exit(0);
    }
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
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

ModelConfig bertLarge() {
    ModelConfig large = bertBase();
    large.hiddenSize = 1024;
    large.numLayers = 24;
    large.numHeads = 16;
    large.intermediateSize = 4096;
    return large;
}

int main(int argc, char** argv) {
    if (argc > 1 && std::string(argv[1]) == "memory") return memoryReport();
    if (argc > 2 && std::string(argv[1]) == "write-checkpoint") {  // write-checkpoint DIR [large]: for timing whole commands
        const bool large = argc > 3 && std::string(argv[3]) == "large";
        writeRandomCheckpoint(argv[2], large ? bertLarge() : bertBase());
        return 0;
    }
    // attention-scope-bench [repeats] [token counts...]: given token counts, only those text runs.
    const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 10;
    std::vector<int> tokenCounts;
    for (int a = 2; a < argc; ++a) tokenCounts.push_back(std::max(3, std::atoi(argv[a])));
    const bool textOnly = !tokenCounts.empty();
    if (tokenCounts.empty()) tokenCounts = {16, 128, 512};
    const int threads = configureComputeThreads();
    std::printf("Attention Scope benchmark: %d LibTorch threads (ASCOPE_THREADS overrides)\n\n", threads);
    // The peak is probed before and after the forwards (this machine's speed drifts) and the higher
    // probe counts, so a slow probe never flatters the forwards.
    double peak = measurePeak();
    std::vector<Row> rows;

    const auto config = bertBase();
    {  // the BERT model is freed before the ViT loads
        const auto dir = fs::temp_directory_path() / "ascope-bench-bert-base";
        const double weightBytes = writeRandomCheckpoint(dir, config);
        const double residentBefore = residentMb();
        auto model = TextModel::load(dir.string());
        if (!model) {
            std::fprintf(stderr, "bench: %s\n", model.error().c_str());
            return 1;
        }
        std::printf("\nBERT-base shape (12 x 768, 12 heads, vocab 30522), random weights, %.0f MB\n"
                    "process memory (anonymous resident): %.0f MB before loading, %.0f MB after\n\n",
                    weightBytes / 1e6, residentBefore, residentMb());
        for (int tokens : tokenCounts) {
            const std::string text = sentence(tokens - 2);
            auto warm = (*model)->analyse(text);
            if (!warm) {
                std::fprintf(stderr, "bench: %s\n", warm.error().c_str());
                return 1;
            }
            const int n = static_cast<int>(warm->tokens.size());
            const auto t = timeRuns(repeats, [&] { auto result = (*model)->analyse(text); });
            rows.push_back({"BERT-base, " + std::to_string(n) + " tokens", t, forwardFlops(config, n), weightBytes});
            if (n == 16) {  // head importance: every head off alone, batched layer by layer from that layer's input
                const auto tokensOf = (*model)->tokenizer().encode(text);
                const int L = config.numLayers, H = config.numHeads;
                const double layerPasses = L + static_cast<double>(H) * L * (L + 1) / 2;  // in one-sentence layer passes
                rows.push_back({"BERT-base, 16 tokens, 144 heads' importance",
                                timeRuns(std::max(1, repeats / 5), [&] { auto r = (*model)->headImportance(tokensOf, {}); }),
                                forwardFlops(config, n) * layerPasses / L, 0});
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
        fs::remove_all(dir);
    }

    if (!textOnly) {
        const auto vitDir = fs::temp_directory_path() / "ascope-bench-vit-base";
        writeRandomVit(vitDir);
        auto vit = ImageModel::load(vitDir.string());
        if (!vit) {
            std::fprintf(stderr, "bench: %s\n", vit.error().c_str());
            return 1;
        }
        RgbImage picture{224, 224, std::vector<std::uint8_t>(224 * 224 * 3)};
        std::mt19937 prng(9);
        for (auto& p : picture.pixels) p = static_cast<std::uint8_t>(prng() % 256);
        (void)(*vit)->analyse(picture);  // warm-up
        const auto t = timeRuns(repeats, [&] { auto result = (*vit)->analyse(picture); });
        ModelConfig vitShape = config;
        vitShape.vocabSize = 1000;  // the classifier plays the MLM head's part in the FLOP count
        rows.push_back({"ViT-Base/16, 224x224 image (197 tokens)", t,
                        forwardFlops(vitShape, 197) + 2.0 * 196 * 768 * 768 /* patch embedding */, 0});
        fs::remove_all(vitDir);
    }

    std::printf("the matmul probes again, after the forwards:\n");
    peak = std::max(peak, measurePeak());
    std::printf("peak (best of all probes): %.1f GFLOP/s\n\n", peak);
    std::printf("Each forward includes tokenisation or preprocessing, every attention matrix copied out, top-5.\n");
    for (const auto& r : rows) {
        const double gflops = r.flops / (r.timing.best * 1e6);
        std::printf("%-44s best %7.2f ms, mean %7.2f ms, %6.1f GFLOP/s = %5.1f%% of peak", r.label.c_str(), r.timing.best,
                    r.timing.mean, gflops, 100.0 * gflops / peak);
        if (r.streamedBytes > 0) std::printf(", weights streamed at %5.1f GB/s", r.streamedBytes / (r.timing.best * 1e6));
        std::printf("\n");
    }
    return 0;
}
