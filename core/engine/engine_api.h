#pragma once
// The table through which the torch-free base library reaches the engine (LibTorch and oneDNN),
// a shared library loaded at run time on first use (see engine/engine_library.h). Only the
// loaders and long-running jobs cross it; a loaded TextModel or ImageModel is then used through
// its virtual functions. Base and engine are built together: a version string guards against
// an engine from another build.
#include <memory>
#include <string>

#include "checkpoint/model_config.h"
#include "inference/image_model.h"
#include "inference/text_model.h"
#include "tokenizer/text_tokenizer.h"
#include "training/fine_tuner.h"
#include "training/mlm_trainer.h"
#include "training/vit_trainer.h"
#include "util/expected.h"
#include "vision/image_preprocessor.h"

namespace ascope {

struct EngineApi {
    // A checked folder: its parsed config and tokenizer (or preprocessor) come with it.
    Expected<std::unique_ptr<TextModel>> (*loadTextModel)(const std::string& dir, const ModelConfig& config,
                                                          std::unique_ptr<TextTokenizer> tokenizer);
    Expected<std::unique_ptr<ImageModel>> (*loadImageModel)(const std::string& dir, const ModelConfig& config,
                                                            const PreprocessorConfig& preprocessor);
    Expected<int> (*trainMaskedLm)(const MlmTrainConfig& config, const TrainCallback& onProgress);
    Expected<MlmEvaluation> (*evaluateMaskedLm)(const std::string& modelDir, const std::string& corpusPath,
                                                double heldOutFraction, int maxLines, unsigned seed);
    Expected<int> (*trainVitShapes)(const VitTrainConfig& config, const TrainCallback& onProgress);
    Expected<double> (*evaluateVitShapes)(const std::string& modelDir, int count, unsigned seed);
    Expected<FineTuneReport> (*fineTune)(const FineTuneConfig& config, const TrainCallback& onProgress);
};

}  // namespace ascope

// The engine's one exported entry point: the table, or null when `buildVersion` is not the
// engine's own (a stale library from another build).
extern "C" const ascope::EngineApi* ascope_engine_api(const char* buildVersion);
