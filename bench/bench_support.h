#pragma once
// What the benchmark's reports share: random checkpoints of real shapes, FLOP counts, the process's
// memory, timing. Nothing here asserts: the benchmark prints figures (not part of CTest).
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "checkpoint/model_config.h"
#include "checkpoint/tensor_view.h"

namespace ascope::bench {

ModelConfig bertBase();   // 12 x 768, 12 heads, vocab 30522
ModelConfig bertLarge();
// roberta-base's shape (50,265 entries, 514 positions, one token type).
ModelConfig robertaBase();  // 24 x 1024, 16 heads

// Writes a BERT checkpoint with random N(0, 0.02) weights (config.json, vocab.txt, model.safetensors
// in `dtype`: F32, F16 or BF16) and returns the bytes of its parameters in float32.
double writeRandomCheckpoint(const std::filesystem::path& dir, const ModelConfig& c, DType dtype = DType::F32);
// writeRandomCheckpoint in a child process, so that the writer's freed buffers (which the allocator
// may keep) do not count in this process's memory figures; -1 when it fails.
double writeRandomCheckpointApart(const std::filesystem::path& dir, const ModelConfig& c, DType dtype = DType::F32);
// A random ViT-Base/16 with 1000 classes for images of imageSize pixels; returns its float32 bytes.
double writeRandomVit(const std::filesystem::path& dir, int imageSize);

// FLOPs of one layer: the q/k/v projections and attention over `tokens` rows, the products past the
// attention over `kept` rows (the last layer computes only the rows its head reads).
double layerFlops(const ModelConfig& c, double tokens, double kept);
// FLOPs of one forward over `tokens` tokens with `masks` [MASK]s: the last layer past its attention and
// the MLM head run on those rows alone, as the engine does.
double forwardFlops(const ModelConfig& c, double tokens, double masks = 1);
// A text of `words` vocabulary words with `masks` [MASK]s spread evenly (one: in the middle).
std::string sentence(int words, int masks = 1);

// Resident memory of this process in MB: anonymous (the model's own memory), total (with mapped
// files and libraries) and the peak total since the last resetPeakMemory().
struct ProcessMemory {
    double anonMb = 0, residentMb = 0, peakMb = 0;
};
ProcessMemory processMemory();
void resetPeakMemory();

// Runs `work` in a child process (so allocators' leftovers and peaks of earlier work do not blur its
// figures) and returns its exit status, or -1.
int inChildProcess(const std::function<int()>& work);

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

}  // namespace ascope::bench
