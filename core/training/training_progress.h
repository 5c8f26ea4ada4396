#pragma once
// What a trainer reports after each step (plain data for the CLI progress bar and the GUI plots).
#include <functional>
#include <string>

namespace ascope {

struct TrainProgress {
    int step = 0;
    int totalSteps = 0;
    double loss = 0;            // smoothed training loss
    double accuracy = 0;        // smoothed masked-token (or image) accuracy, 0..1
    double itemsPerSecond = 0;  // tokens/s (MLM) or images/s (ViT)
    double etaSeconds = 0;
    double learningRate = 0;
    double validationAccuracy = -1;  // fine-tuning: held-out accuracy after the last epoch (-1: none yet)
    std::string checkpointWritten;  // non-empty on steps that wrote a checkpoint
};

// Returning false stops training cleanly (a final checkpoint is written).
using TrainCallback = std::function<bool(const TrainProgress&)>;

}  // namespace ascope
