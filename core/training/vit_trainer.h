#pragma once
// Trains a small ViT classifier on the procedurally generated shapes data set (LibTorch
// autograd, AdamW with warm-up and decay, seeded, resumable) and writes a Hugging Face folder
// (config.json with id2label, preprocessor_config.json, model.safetensors) that ImageModel opens.
#include <string>

#include "training/training_progress.h"
#include "util/expected.h"

namespace ascope {

struct VitTrainConfig {
    std::string outDir;
    // Defaults: the demo ViT's recipe (scripts/train-demo-vit.sh), except for the number of steps.
    int imageSize = 48;
    int patchSize = 8;
    int layers = 3;
    int hidden = 64;
    int heads = 4;
    int intermediate = 256;
    int steps = 3000;
    int batchSize = 64;
    double learningRate = 5e-4;
    double warmupFraction = 0.05;
    double weightDecay = 0.05;
    double clipNorm = 1.0;
    unsigned seed = 1;
    int checkpointEvery = 500;
    bool resume = false;
};

// Checks every value a user can set before anything divides by it (also run by trainVitShapes).
Status validateVitConfig(const VitTrainConfig& config);

Expected<int> trainVitShapes(const VitTrainConfig& config, const TrainCallback& onProgress);

// Accuracy of a model folder on `count` freshly generated shapes (a data seed training never uses).
Expected<double> evaluateVitShapes(const std::string& modelDir, int count, unsigned seed);

// The data seed of held-out evaluation sets: disjoint from every training seed.
unsigned heldOutShapesSeed(unsigned seed);

}  // namespace ascope
