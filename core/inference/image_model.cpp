#include "inference/image_model.h"

#include <filesystem>
#include <mutex>

#include "checkpoint/checkpoint_tensors.h"
#include "inference/attention_overrides.h"
#include "models/torch_weights.h"
#include "models/vit.h"
#include "util/compute_threads.h"

namespace ascope {

std::vector<std::string> ImageAnalysis::tokenLabels() const {
    std::vector<std::string> out = {"[CLS]"};
    if (prefixTokens > 1) out.push_back("[DIST]");
    for (int r = 0; r < gridRows; ++r)
        for (int c = 0; c < gridCols; ++c) out.push_back("patch " + std::to_string(r) + "," + std::to_string(c));
    return out;
}

struct ImageModel::Impl {
    std::string dir;
    ModelConfig config;
    PreprocessorConfig preprocessor;
    LoadedVit vit;
    mutable std::mutex mutex;
};

ImageModel::ImageModel() : m_impl(std::make_unique<Impl>()) {}
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
    auto tensors = CheckpointTensors::openFolder(dir);
    if (!tensors) return tensors.errorValue();
    configureComputeThreads();
    auto vit = loadVit(*config, *tensors);
    if (!vit) return vit.errorValue();
    std::unique_ptr<ImageModel> model(new ImageModel());
    model->m_impl->dir = dir;
    model->m_impl->config = *config;
    model->m_impl->preprocessor = *pre;
    model->m_impl->vit = std::move(*vit);
    return model;
}

const ModelConfig& ImageModel::config() const { return m_impl->config; }
const PreprocessorConfig& ImageModel::preprocessor() const { return m_impl->preprocessor; }
const std::string& ImageModel::directory() const { return m_impl->dir; }
bool ImageModel::hasClassifier() const { return static_cast<bool>(m_impl->vit.classifier); }
int ImageModel::prefixTokens() const { return m_impl->vit.model->prefixTokens(); }

std::vector<float> ImageModel::positionEmbeddings() const {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    auto w = m_impl->vit.model->positionEmbeddings.detach().contiguous();  // [1, tokens, hidden]
    return std::vector<float>(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
}

Expected<ImageAnalysis> ImageModel::analyse(const RgbImage& image, const ImageRunOptions& options) const {
    const auto& c = m_impl->config;
    auto geometry = preprocessGeometry(image, m_impl->preprocessor);
    if (!geometry) return geometry.errorValue();
    auto pixels = preprocessImage(image, m_impl->preprocessor);
    if (!pixels) return pixels.errorValue();
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    try {
        torch::InferenceMode guard;
        const int side = c.imageSize, grid = m_impl->vit.model->gridSize(), prefix = prefixTokens();
        const int tokens = prefix + grid * grid, layers = c.numLayers, heads = c.numHeads;
        auto input = torch::from_blob(pixels->data(), {1, 3, side, side}).clone();  // [batch, channels, H, W]
        ImageAnalysis result;
        auto spec = options.attentionMask;
        spec.padding = 0;  // an image has no padding
        auto overrides = prepareAttentionOverrides(spec, options.ablate, layers, heads, tokens, result.controls);
        if (!overrides) return overrides.errorValue();
        result.attention = {layers, heads, tokens, tokens, {}};
        result.attention.values.resize(static_cast<std::size_t>(layers) * heads * tokens * tokens);
        auto attentionOut = torch::from_blob(result.attention.values.data(), {layers, 1, heads, tokens, tokens});
        LayerCallback cb;
        if (options.onLayer) cb = [&](int l) { return options.onLayer(l, layers); };
        auto out = m_impl->vit.model->forward(input, cb, attentionOut, *overrides);
        if (!out.lastHidden.defined()) return cancelledError();
        if (m_impl->vit.classifier) {
            auto logits = m_impl->vit.classifier(out.lastHidden.select(1, 0));  // [batch, classes]
            if (m_impl->vit.distillationClassifier)
                logits = (logits + m_impl->vit.distillationClassifier(out.lastHidden.select(1, 1))) / 2;
            auto probs = torch::softmax(logits[0], -1);  // [classes]
            const int k = std::max(1, std::min<int>(options.topK, static_cast<int>(probs.size(0))));
            auto top = probs.topk(k);
            for (int i = 0; i < k; ++i) {
                const int id = static_cast<int>(std::get<1>(top)[i].item<int64_t>());
                auto it = c.id2label.find(id);
                result.top.push_back({it != c.id2label.end() ? it->second : "class " + std::to_string(id), id,
                                      std::get<0>(top)[i].item<float>()});
            }
        }
        result.prefixTokens = prefix;
        result.gridRows = result.gridCols = grid;
        result.patchSize = c.patchSize;
        result.input = std::move(*geometry);
        return result;
    } catch (const std::exception& e) {
        return makeError(ErrorKind::Internal, describeTorchError(e));
    }
}

}  // namespace ascope
