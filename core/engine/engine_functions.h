#pragma once
// Internal: what the engine's table (engine/engine_entry.cpp) points to. The public functions of
// the same names (training/mlm_trainer.h, training/vit_trainer.h) live in the base library and
// reach these through the table.
#include "util/core_internal.h"

#include "inference/bert_text_model.h"
#include "inference/vit_image_model.h"
#include "training/fine_tuner.h"
#include "training/mlm_trainer.h"
#include "training/vit_trainer.h"

namespace ascope::engine {

Expected<int> trainMaskedLm(const MlmTrainConfig& config, const TrainCallback& onProgress);
Expected<MlmEvaluation> evaluateMaskedLm(const std::string& modelDir, const std::string& corpusPath,
                                         double heldOutFraction, int maxLines, unsigned seed);
Expected<int> trainVitShapes(const VitTrainConfig& config, const TrainCallback& onProgress);
Expected<double> evaluateVitShapes(const std::string& modelDir, int count, unsigned seed);
Expected<FineTuneReport> fineTune(const FineTuneConfig& config, const TrainCallback& onProgress);

}  // namespace ascope::engine
