#pragma once
// Masked-language-model pretraining of a BERT from a plain-text corpus (one sentence per line),
// with LibTorch autograd: own WordPiece vocabulary, BERT's masking recipe, AdamW with warm-up and
// linear decay, gradient clipping, seeded and deterministic, resumable. Writes a Hugging Face
// folder that TextModel opens like any other model.
#include <string>
#include <vector>

#include "training/training_progress.h"
#include "util/expected.h"

namespace ascope {

struct MlmTrainConfig {
    std::string corpusPath;
    std::string outDir;
    int layers = 4;
    int hidden = 256;
    int heads = 4;
    int intermediate = 1024;
    int maxTokens = 64;         // longest training sequence; longer lines are cut
    int maxPositions = 128;     // max_position_embeddings of the saved model
    int vocabSize = 8000;
    int steps = 10000;
    int batchTokens = 4096;     // padded tokens per batch (batches group lines of similar length)
    double learningRate = 1e-3;
    double warmupFraction = 0.05;
    double weightDecay = 0.01;
    double clipNorm = 1.0;
    double dropout = 0.1;
    double heldOutFraction = 0.02;  // the corpus's last lines, never trained on
    unsigned seed = 1;
    int checkpointEvery = 1000;
    bool resume = false;        // continue from outDir's checkpoint and trainer_state.json
    bool halfPrecisionOutput = false;  // write the final model.safetensors as F16 (half the size)
};

// Checks every value a user can set before anything divides by it (also run by trainMaskedLm).
Status validateMlmConfig(const MlmTrainConfig& config);

// Runs training; returns the number of steps completed (less than `steps` when stopped).
Expected<int> trainMaskedLm(const MlmTrainConfig& config, const TrainCallback& onProgress);

struct MlmEvaluation {
    int maskedTokens = 0;
    double top1 = 0, top5 = 0;
};
// Masked top-1/top-5 accuracy on the held-out tail of a corpus (BERT masking, fixed seed,
// [MASK] replacement only).
Expected<MlmEvaluation> evaluateMaskedLm(const std::string& modelDir, const std::string& corpusPath,
                                         double heldOutFraction, int maxLines, unsigned seed);

// The corpus split both functions use.
Expected<std::vector<std::string>> readCorpusLines(const std::string& path);
std::size_t heldOutStart(std::size_t lines, double heldOutFraction);

}  // namespace ascope
