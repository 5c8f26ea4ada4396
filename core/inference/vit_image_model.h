#pragma once
// Internal (includes torch): the engine's ImageModel, a ViT or DeiT on LibTorch and oneDNN.
#include "util/core_internal.h"

#include "inference/image_model.h"

namespace ascope {

// The engine's loader behind ImageModel::load (the folder's config and preprocessor checked already).
Expected<std::unique_ptr<ImageModel>> loadVitImageModel(const std::string& dir, const ModelConfig& config,
                                                        const PreprocessorConfig& preprocessor);

}  // namespace ascope
