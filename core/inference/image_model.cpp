#include "inference/image_model.h"

#include <filesystem>
#include <mutex>

#include "checkpoint/checkpoint_tensors.h"
#include "inference/attention_overrides.h"
#include "inference/head_ablation_sweep.h"
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

    // lastHidden: [batch, tokens, hidden] -> class logits [batch, classes] (DeiT averages its two heads).
    torch::Tensor classLogits(const torch::Tensor& lastHidden) {
        auto logits = vit.classifier(lastHidden.select(1, 0));  // [batch, classes]
        if (vit.distillationClassifier) logits = (logits + vit.distillationClassifier(lastHidden.select(1, 1))) / 2;
        return logits;
    }
    std::string labelOf(int id) const {
        auto it = config.id2label.find(id);
        return it != config.id2label.end() ? it->second : "class " + std::to_string(id);
    }
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
            auto probs = torch::softmax(m_impl->classLogits(out.lastHidden)[0], -1);  // [classes]
            const int k = std::max(1, std::min<int>(options.topK, static_cast<int>(probs.size(0))));
            auto top = probs.topk(k);
            for (int i = 0; i < k; ++i) {
                const int id = static_cast<int>(std::get<1>(top)[i].item<int64_t>());
                result.top.push_back({m_impl->labelOf(id), id, std::get<0>(top)[i].item<float>()});
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

Expected<HeadImportance> ImageModel::headImportance(const RgbImage& image, const ImageRunOptions& options,
                                                    const std::function<bool(int, int)>& onProgress) const {
    auto& impl = *m_impl;  // the modules' forward is not const; the mutex serialises it
    if (!impl.vit.classifier) return makeError(ErrorKind::Unsupported, impl.dir + ": this checkpoint has no classifier head");
    auto pixels = preprocessImage(image, impl.preprocessor);
    if (!pixels) return pixels.errorValue();
    std::lock_guard<std::mutex> lock(impl.mutex);
    try {
        torch::InferenceMode guard;
        const int side = impl.config.imageSize, grid = impl.vit.model->gridSize(), prefix = impl.vit.model->prefixTokens();
        const int tokens = prefix + grid * grid, layers = impl.config.numLayers, heads = impl.config.numHeads;
        auto input = torch::from_blob(pixels->data(), {1, 3, side, side}).clone();  // [batch, channels, H, W]
        AttentionMaskSpec spec = options.attentionMask;
        spec.padding = 0;
        AppliedAttentionControls applied;
        auto overrides = prepareAttentionOverrides(spec, options.ablate, layers, heads, tokens, applied);
        if (!overrides) return overrides.errorValue();
        int done = 0;
        const int total = layers + layers * (layers + 1) / 2;  // layer passes, as for text
        auto step = [&](int) { return !onProgress || onProgress(++done, total); };
        auto base = impl.vit.model->forward(input, step, {}, *overrides, true);
        if (!base.lastHidden.defined()) return cancelledError();
        auto probs = torch::softmax(impl.classLogits(base.lastHidden)[0], -1);  // [classes]
        const int answer = static_cast<int>(probs.argmax().item<int64_t>());

        HeadImportance result;
        HeadImportance::Mask top;
        top.answer = {impl.labelOf(answer), answer, probs[answer].item<float>()};
        top.probability.assign(static_cast<std::size_t>(layers) * heads, top.answer.probability);
        result.masks.push_back(std::move(top));
        HeadAblationSweep sweep{&applied, &*overrides, &base.hiddenStates, {}, step};
        sweep.answerProbabilities = [&](const torch::Tensor& x, int l, const AttentionOverrides& batched) -> torch::Tensor {
            auto last = impl.vit.model->runLayers(x, l, batched, step);  // [batch, tokens, hidden]
            if (!last.defined()) return {};
            return torch::softmax(impl.classLogits(last), -1).select(1, answer).unsqueeze(1);  // [batch, 1]
        };
        if (!sweepHeadAblations(sweep, result)) return cancelledError();
        return result;
    } catch (const std::exception& e) {
        return makeError(ErrorKind::Internal, describeTorchError(e));
    }
}

}  // namespace ascope
