#include "inference/vit_image_model.h"

#include <filesystem>
#include <mutex>

#include "checkpoint/checkpoint_tensors.h"
#include "inference/attention_overrides.h"
#include "inference/head_ablation_sweep.h"
#include "models/torch_weights.h"
#include "models/vit.h"
#include "util/compute_threads.h"

namespace ascope {

namespace {

class VitImageModel final : public ImageModel {
public:
    VitImageModel();
    Expected<ImageAnalysis> analyse(const RgbImage& image, const ImageRunOptions& options) const override;
    Expected<HeadImportance> headImportance(const RgbImage& image, const ImageRunOptions& options,
                                            const std::function<bool(int, int)>& onProgress) const override;
    const ModelConfig& config() const override;
    const PreprocessorConfig& preprocessor() const override;
    const std::string& directory() const override;
    bool hasClassifier() const override;
    int prefixTokens() const override;
    std::vector<float> positionEmbeddings() const override;

    struct Impl;
    std::unique_ptr<Impl> m_impl;  // the modules' forward is not const; Impl::mutex serialises it
};

}  // namespace

struct VitImageModel::Impl {
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

VitImageModel::VitImageModel() : m_impl(std::make_unique<Impl>()) {}

Expected<std::unique_ptr<ImageModel>> loadVitImageModel(const std::string& dir, const ModelConfig& config,
                                                        const PreprocessorConfig& preprocessor) {
    try {
        auto tensors = CheckpointTensors::openFolder(dir);
        if (!tensors) return tensors.errorValue();
        configureComputeThreads();
        auto vit = loadVit(config, *tensors);
        if (!vit) return vit.errorValue();
        auto model = std::make_unique<VitImageModel>();
        model->m_impl->dir = dir;
        model->m_impl->config = config;
        model->m_impl->preprocessor = preprocessor;
        model->m_impl->vit = std::move(*vit);
        return std::unique_ptr<ImageModel>(std::move(model));
    } catch (const std::exception& e) {
        return makeError(ErrorKind::Internal, describeTorchError(e));
    }
}

const ModelConfig& VitImageModel::config() const { return m_impl->config; }
const PreprocessorConfig& VitImageModel::preprocessor() const { return m_impl->preprocessor; }
const std::string& VitImageModel::directory() const { return m_impl->dir; }
bool VitImageModel::hasClassifier() const { return static_cast<bool>(m_impl->vit.classifier); }
int VitImageModel::prefixTokens() const { return m_impl->vit.model->prefixTokens(); }

std::vector<float> VitImageModel::positionEmbeddings() const {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    auto w = m_impl->vit.model->positionEmbeddings.detach().contiguous();  // [1, tokens, hidden]
    return std::vector<float>(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
}

Expected<ImageAnalysis> VitImageModel::analyse(const RgbImage& image, const ImageRunOptions& options) const {
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
        // The classifier reads the prefix tokens alone (a bare encoder: nothing past the last attention).
        auto readRows = m_impl->vit.classifier ? torch::arange(prefix, torch::kLong) : torch::empty({0}, torch::kLong);
        auto out = m_impl->vit.model->forward(input, cb, attentionOut, *overrides, false, readRows);
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

Expected<HeadImportance> VitImageModel::headImportance(const RgbImage& image, const ImageRunOptions& options,
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
        const auto readRows = torch::arange(prefix, torch::kLong);  // what the classifier reads
        auto base = impl.vit.model->forward(input, step, {}, *overrides, true, readRows);
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
            auto last = impl.vit.model->runLayers(x, l, batched, step, readRows);  // [batch, prefix, hidden]
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
