// ImageModel's torch-free half: the folder's checks, then the engine's loader.
#include "inference/image_model.h"

#include <filesystem>

#include "engine/engine_library.h"

namespace ascope {

std::vector<std::string> ImageAnalysis::tokenLabels() const {
    std::vector<std::string> out = {"[CLS]"};
    if (prefixTokens > 1) out.push_back("[DIST]");
    for (int r = 0; r < gridRows; ++r)
        for (int c = 0; c < gridCols; ++c) out.push_back("patch " + std::to_string(r) + "," + std::to_string(c));
    return out;
}

ImageModel::~ImageModel() = default;

Expected<std::unique_ptr<ImageModel>> ImageModel::load(const std::string& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) return makeError(ErrorKind::Io, dir + ": not a folder");
    auto config = ModelConfig::fromFile((std::filesystem::path(dir) / "config.json").string());
    if (!config) return config.errorValue();
    if (!config->isVision())
        return makeError(ErrorKind::InvalidInput, dir + ": this is not an image model (model_type '" + config->modelType + "'); open it in text mode");
    auto pre = PreprocessorConfig::fromFolder(dir, config->imageSize);
    if (!pre) return pre.errorValue();
    if (pre->outputHeight() != config->imageSize || pre->outputWidth() != config->imageSize)
        return makeError(ErrorKind::InvalidInput, dir + ": preprocessor_config.json produces " + std::to_string(pre->outputWidth()) + " x " +
                         std::to_string(pre->outputHeight()) + " images but the model expects " +
                         std::to_string(config->imageSize));
    auto engine = engineApi();
    if (!engine) return engine.errorValue();
    return (*engine)->loadImageModel(dir, *config, *pre);
}

}  // namespace ascope
