#pragma once
// Internal (includes torch): pieces both trainers share: weight initialisation, the learning-rate
// schedule, AdamW with decay/no-decay groups, and atomic checkpoint writing.
#include <chrono>
#include <string>
#include <torch/torch.h>
#include <vector>

#include "checkpoint/safetensors_writer.h"
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

void addParameters(SafetensorsWriter& writer, torch::nn::Module& module, const std::string& prefix, bool half);
Status writeTextAtomic(const std::string& path, const std::string& text);
// Writes optimizer.pt and trainer_state.json (global_step, seed) next to the model.
Status saveTrainerState(const std::string& dir, torch::optim::Optimizer& optimizer, int step, unsigned seed);
// Reads trainer_state.json and optimizer.pt (when present); returns the step to continue from.
Expected<int> loadTrainerState(const std::string& dir, torch::optim::Optimizer& optimizer);

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
