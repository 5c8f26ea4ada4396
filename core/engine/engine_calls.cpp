// The trainers' public functions (training/mlm_trainer.h, training/vit_trainer.h): each checks
// its configuration here, then runs in the engine, loaded on first use.
#include "engine/engine_library.h"

namespace ascope {

Expected<int> trainMaskedLm(const MlmTrainConfig& config, const TrainCallback& onProgress) {
    if (auto st = validateMlmConfig(config); !st) return st.errorValue();
    auto engine = engineApi();
    if (!engine) return engine.errorValue();
    return (*engine)->trainMaskedLm(config, onProgress);
}

Expected<MlmEvaluation> evaluateMaskedLm(const std::string& modelDir, const std::string& corpusPath,
                                         double heldOutFraction, int maxLines, unsigned seed) {
    auto engine = engineApi();
    if (!engine) return engine.errorValue();
    return (*engine)->evaluateMaskedLm(modelDir, corpusPath, heldOutFraction, maxLines, seed);
}

Expected<int> trainVitShapes(const VitTrainConfig& config, const TrainCallback& onProgress) {
    if (auto st = validateVitConfig(config); !st) return st.errorValue();
    auto engine = engineApi();
    if (!engine) return engine.errorValue();
    return (*engine)->trainVitShapes(config, onProgress);
}

Expected<double> evaluateVitShapes(const std::string& modelDir, int count, unsigned seed) {
    auto engine = engineApi();
    if (!engine) return engine.errorValue();
    return (*engine)->evaluateVitShapes(modelDir, count, seed);
}

Expected<FineTuneReport> fineTune(const FineTuneConfig& config, const TrainCallback& onProgress) {
    if (auto st = validateFineTuneConfig(config); !st) return st.errorValue();
    auto engine = engineApi();
    if (!engine) return engine.errorValue();
    return (*engine)->fineTune(config, onProgress);
}

}  // namespace ascope
