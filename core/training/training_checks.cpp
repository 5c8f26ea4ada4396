// The trainers' torch-free parts: configuration checks and the corpus split (the front ends
// check a configuration before the engine is loaded).
#include "training/training_checks.h"

#include <algorithm>
#include <fstream>

#include "training/fine_tuner.h"
#include "training/mlm_trainer.h"
#include "training/vit_trainer.h"

namespace ascope {

namespace training {

Status checkTrainingShape(int layers, int hidden, int heads, int intermediate, int steps, int checkpointEvery) {
    auto fail = [](const std::string& m) { return Status(makeError(ErrorKind::InvalidInput, m)); };
    if (layers <= 0) return fail("the number of layers must be positive");
    if (heads <= 0) return fail("the number of heads must be positive");
    if (hidden <= 0 || hidden % heads != 0)
        return fail("the hidden size (" + std::to_string(hidden) + ") must be a positive multiple of the number of heads (" +
                    std::to_string(heads) + ")");
    if (intermediate <= 0) return fail("the intermediate size must be positive");
    if (steps <= 0) return fail("the number of training steps must be positive");
    if (checkpointEvery <= 0) return fail("the checkpoint interval must be positive");
    return Status::ok();
}

}  // namespace training

Expected<std::vector<std::string>> readCorpusLines(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return makeError(ErrorKind::Io, path + ": cannot open the corpus");
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") != std::string::npos) lines.push_back(line);
    }
    if (lines.size() < 10) return makeError(ErrorKind::InvalidInput, path + ": the corpus needs at least 10 non-empty lines");
    return lines;
}

std::size_t heldOutStart(std::size_t lines, double fraction) {
    const auto held = static_cast<std::size_t>(static_cast<double>(lines) * std::clamp(fraction, 0.0, 0.5));
    return lines - held;
}

Status validateMlmConfig(const MlmTrainConfig& t) {
    if (auto st = training::checkTrainingShape(t.layers, t.hidden, t.heads, t.intermediate, t.steps, t.checkpointEvery); !st)
        return st;
    auto fail = [](const std::string& m) { return Status(makeError(ErrorKind::InvalidInput, m)); };
    if (t.vocabSize < 100) return fail("the vocabulary needs at least 100 entries");
    if (t.maxTokens < 4) return fail("the longest training sequence must be at least 4 tokens");
    if (t.maxPositions <= 0) return fail("the number of positions must be positive");
    if (t.batchTokens < t.maxTokens) return fail("a batch must hold at least one sequence of the longest length");
    if (!(t.dropout >= 0.0 && t.dropout < 1.0)) return fail("dropout must be in [0, 1)");
    if (!(t.learningRate > 0.0)) return fail("the learning rate must be positive");
    return Status::ok();
}

Status validateFineTuneConfig(const FineTuneConfig& t) {
    auto fail = [](const std::string& m) { return Status(makeError(ErrorKind::InvalidInput, m)); };
    if (t.modelDir.empty()) return fail("the model to fine-tune is missing");
    if (t.dataPath.empty()) return fail("the labelled data file is missing");
    if (t.outDir.empty()) return fail("the output folder is missing");
    if (t.epochs <= 0 || t.epochs > 10000) return fail("the number of epochs must be between 1 and 10000");
    if (t.batchSize <= 0 || t.batchSize > 4096) return fail("the batch size must be between 1 and 4096");
    if (t.maxTokens < 3) return fail("the longest example must be at least 3 tokens");
    if (!(t.learningRate > 0.0 && t.learningRate < 1.0)) return fail("the learning rate must be in (0, 1)");
    if (!(t.dropout >= 0.0 && t.dropout < 1.0)) return fail("dropout must be in [0, 1)");
    if (!(t.warmupFraction >= 0.0 && t.warmupFraction <= 1.0)) return fail("the warm-up share must be in [0, 1]");
    if (!(t.heldOutFraction >= 0.0 && t.heldOutFraction <= 0.5)) return fail("the held-out share must be in [0, 0.5]");
    if (t.checkpointEvery < 0) return fail("the checkpoint interval cannot be negative");
    return Status::ok();
}

unsigned heldOutShapesSeed(unsigned seed) { return seed ^ 0x5EEDF00Du; }

Status validateVitConfig(const VitTrainConfig& t) {
    if (auto st = training::checkTrainingShape(t.layers, t.hidden, t.heads, t.intermediate, t.steps, t.checkpointEvery); !st)
        return st;
    auto fail = [](const std::string& m) { return Status(makeError(ErrorKind::InvalidInput, m)); };
    if (t.patchSize <= 0 || t.imageSize <= 0 || t.imageSize % t.patchSize != 0)
        return fail("the image size (" + std::to_string(t.imageSize) + ") must be a positive multiple of the patch size (" +
                    std::to_string(t.patchSize) + ")");
    if (t.batchSize <= 0) return fail("the batch size must be positive");
    if (!(t.learningRate > 0.0)) return fail("the learning rate must be positive");
    return Status::ok();
}

}  // namespace ascope
