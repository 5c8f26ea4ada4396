#pragma once
// Internal (includes torch): pieces both trainers share: weight initialisation, the learning-rate
// schedule, AdamW with decay/no-decay groups, and atomic checkpoint writing.
#include "util/core_internal.h"
#include <chrono>
#include <functional>
#include <random>
#include <nlohmann/json.hpp>
#include <string>
#include <torch/torch.h>
#include <vector>

#include "checkpoint/safetensors_writer.h"
#include "training/training_checks.h"
#include "training/training_progress.h"
#include "util/expected.h"

namespace ascope::training {

// Hugging Face's initialisation: N(0, 0.02) for matrices and embeddings, LayerNorm 1/0, biases 0.
void initWeights(torch::nn::Module& module);
// Linear warm-up to `peak`, then linear decay to 0 at `total`.
double learningRateAt(int step, int total, double warmupFraction, double peak);
// AdamW over the modules' parameters; matrices get weight decay, vectors do not.
std::unique_ptr<torch::optim::AdamW> makeAdamW(const std::vector<torch::nn::Module*>& modules, double lr, double decay);
void setLearningRate(torch::optim::Optimizer& optimizer, double lr);
// Clips each parameter group's gradient norm to maxNorm.
void clipGradients(torch::optim::Optimizer& optimizer, double maxNorm);

// nameOf (optional) renames each tensor (prefix + the parameter's name) as it is written.
void addParameters(SafetensorsWriter& writer, torch::nn::Module& module, const std::string& prefix, bool half,
                   const std::function<std::string(const std::string&)>& nameOf = {});
Status writeTextAtomic(const std::string& path, const std::string& text);
// Writes optimizer.pt and trainer_state.json next to the model: global_step, seed and `extra` (a
// trainer's own data-order and random state), so that a resumed run continues exactly where an
// uninterrupted one would be.
Status saveTrainerState(const std::string& dir, torch::optim::Optimizer& optimizer, int step, unsigned seed,
                        const nlohmann::json& extra = nlohmann::json::object());
struct TrainerState {
    int step = 0;
    nlohmann::json extra;
};
// Reads trainer_state.json and optimizer.pt (when present).
Expected<TrainerState> loadTrainerState(const std::string& dir, torch::optim::Optimizer& optimizer);
// Where a trainer is in its shuffled data: the data-order generator, this epoch's order of items
// (batches or examples) and the next position in it. With the dropout generator's state this is
// what trainer_state.json needs for a resumed run to continue as an uninterrupted one.
struct DataOrder {
    std::mt19937 rng;
    std::vector<std::size_t> order;
    std::size_t cursor = 0;

    DataOrder(unsigned seed, std::size_t items) : rng(seed), order(items), cursor(items) {}
    // The next item; a new epoch (a fresh shuffle) when the last one is used up. `onEpochEnd` runs
    // before each shuffle, the first one included (a fresh order starts past its end), so the
    // fine-tuner measures its held-out accuracy before training as well as after every epoch.
    std::size_t next(const std::function<void()>& onEpochEnd = {});
    bool epochDone() const { return cursor >= order.size(); }
    nlohmann::json toJson(at::Generator& dropout) const;
    // Refuses a state that does not fit `items` (another data file), naming `what` it was for.
    Status fromJson(const nlohmann::json& j, at::Generator& dropout, std::size_t items, const std::string& what);
};

// A LibTorch generator's state as hex text, and back (for trainer_state.json).
std::string generatorState(at::Generator& generator);
Status restoreGeneratorState(at::Generator& generator, const std::string& hex);

// The step loop both trainers share. Each step, `forward(step)` computes the loss of one batch;
// the loop applies the learning-rate schedule, back-propagates, clips, steps the optimiser,
// reports progress, writes a checkpoint every `checkpointEvery` steps and at the end (through
// `save(step)`), and stops cleanly (checkpoint first) when the callback returns false.
struct LoopSettings {
    int totalSteps = 0;
    double learningRate = 0, warmupFraction = 0, clipNorm = 1.0;
    int checkpointEvery = 1;
    std::string outDir;
};
struct StepOutput {
    torch::Tensor loss;
    double accuracy = 0;
    double items = 0;  // tokens or images in the batch (throughput)
};
Expected<int> runTrainingLoop(const LoopSettings& settings, torch::optim::Optimizer& optimizer, int startStep,
                              const std::function<StepOutput(int step)>& forward,
                              const std::function<Status(int step)>& save, const TrainCallback& onProgress);

// Smooths loss, accuracy and throughput (exponential average after a plain mean over the first
// 20 steps) and estimates the remaining time.
class ProgressTracker {
public:
    ProgressTracker(int startStep, int totalSteps);
    void beginStep() { m_stepStart = std::chrono::steady_clock::now(); }
    // After optimizer.step(): `step` is the number of steps completed.
    TrainProgress endStep(int step, double loss, double accuracy, double items, double learningRate);

private:
    int m_start, m_total;
    double m_loss = 0, m_accuracy = 0, m_rate = 0;
    std::chrono::steady_clock::time_point m_started, m_stepStart;
};

}  // namespace ascope::training
