#include "models/vit.h"

#include "models/attention_math.h"
#include "models/torch_weights.h"

namespace ascope {

namespace {
std::shared_ptr<torch::nn::Module> holder(torch::nn::Module& parent, const std::string& name) {
    return parent.register_module(name, std::make_shared<torch::nn::Module>());
}
torch::nn::LayerNorm makeNorm(const ModelConfig& c) {
    return torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hiddenSize}).eps(c.layerNormEps));
}
}  // namespace

VitLayerImpl::VitLayerImpl(const ModelConfig& c, Activation act, ParameterInit init) : m_heads(c.numHeads), m_act(act) {
    const int64_t h = c.hiddenSize, inter = c.intermediateSize;
    auto attention = holder(*this, "attention");
    auto self = holder(*attention, "attention");
    auto lin = [&](int64_t in, int64_t out, bool bias) { return makeLinear(in, out, init, bias); };
    query = self->register_module("query", lin(h, h, true));
    key = self->register_module("key", lin(h, h, true));
    value = self->register_module("value", lin(h, h, true));
    if (!c.qkvBias) {
        torch::NoGradGuard noGrad;
        for (auto* l : {&query, &key, &value}) (*l)->bias.zero_();
    }
    attentionOut = holder(*attention, "output")->register_module("dense", lin(h, h, true));
    intermediate = holder(*this, "intermediate")->register_module("dense", lin(h, inter, true));
    output = holder(*this, "output")->register_module("dense", lin(inter, h, true));
    normBefore = register_module("layernorm_before", makeNorm(c));
    normAfter = register_module("layernorm_after", makeNorm(c));
    m_qkv.attach(query, key, value, m_heads);
}

void VitLayerImpl::packForInference(bool releaseWeights) {
    m_qkv.pack(releaseWeights);
    packAll({{&m_packedAttentionOut, &attentionOut}, {&m_packedIntermediate, &intermediate}, {&m_packedOutput, &output}},
            releaseWeights);
}

std::pair<torch::Tensor, torch::Tensor> VitLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& probsOut,
                                                              const torch::Tensor& additiveMask, const torch::Tensor& headScale,
                                                              int64_t realRows, const torch::Tensor& outputRows) {
    // Past the attention every row is computed on its own, so rows nobody reads can be left out.
    if (!is_training() && !torch::GradMode::is_enabled()) {  // packed weights; bias, activation and residual fused
        packForInference();
        auto att = inferenceAttention(m_qkv.project(normBefore(x), false), m_heads, additiveMask, probsOut, headScale, realRows);
        if (outputRows.defined() && outputRows.numel() == 0) return {x.narrow(1, 0, 0), att.probs};  // [batch, 0, hidden]
        auto h = m_packedAttentionOut.forward(keptRows(att.context, outputRows), nullptr, keptRows(x, outputRows));  // [batch, kept, hidden]
        auto f = m_packedIntermediate.forward(normAfter(h), &m_act);                       // [batch, kept, intermediate]
        return {m_packedOutput.forward(f, nullptr, h), att.probs};
    }
    auto qkv = m_qkv.project(normBefore(x), true);  // [batch, seq, 3 * hidden]
    auto att = multiHeadAttention(qkv, m_heads, additiveMask, probsOut, headScale);
    auto h = keptRows(x, outputRows) + attentionOut(keptRows(att.context, outputRows));  // [batch, kept, hidden]
    return {h + output(applyActivation(m_act, intermediate(normAfter(h)))), att.probs};
}

VitModelImpl::VitModelImpl(const ModelConfig& c, int prefixTokens, ParameterInit init) : m_prefix(prefixTokens) {
    Activation act = Activation::GeluErf;
    parseActivation(c.hiddenAct, act);
    m_grid = c.imageSize / c.patchSize;
    auto emb = holder(*this, "embeddings");
    clsToken = emb->register_parameter("cls_token", torch::zeros({1, 1, c.hiddenSize}));
    if (prefixTokens > 1) distillationToken = emb->register_parameter("distillation_token", torch::zeros({1, 1, c.hiddenSize}));
    positionEmbeddings = emb->register_parameter("position_embeddings", torch::zeros({1, m_grid * m_grid + prefixTokens, c.hiddenSize}));
    patchProjection = holder(*emb, "patch_embeddings")
                          ->register_module("projection", torch::nn::Conv2d(torch::nn::Conv2dOptions(c.numChannels, c.hiddenSize, c.patchSize)
                                                                                .stride(c.patchSize)));
    auto layerList = holder(*holder(*this, "encoder"), "layer");
    for (int i = 0; i < c.numLayers; ++i) layers.push_back(layerList->register_module(std::to_string(i), VitLayer(c, act, init)));
    finalNorm = register_module("layernorm", makeNorm(c));
}

BertOutputs VitModelImpl::forward(const torch::Tensor& pixels, const LayerCallback& onLayer, const torch::Tensor& attentionOut,
                                  const AttentionOverrides& overrides, bool keepLayerInputs, const torch::Tensor& outputRows) {
    const int64_t batch = pixels.size(0);
    auto patches = patchProjection(pixels)  // [batch, hidden, grid, grid]
                       .flatten(2)          // [batch, hidden, patches]
                       .transpose(1, 2);    // [batch, patches, hidden]
    std::vector<torch::Tensor> parts = {clsToken.expand({batch, 1, -1})};
    if (m_prefix > 1) parts.push_back(distillationToken.expand({batch, 1, -1}));
    parts.push_back(patches);
    auto x = torch::cat(parts, 1) + positionEmbeddings;  // [batch, seq = prefix + patches, hidden]
    // Inference runs the layers on padding rows past the tokens where the products are faster so
    // (577 tokens at 384 pixels run as 580); everything handed out is the tokens' rows alone.
    const int64_t seq = x.size(1);
    const bool inference = !is_training() && !torch::GradMode::is_enabled();
    if (inference) x = padRowsForProducts(x);  // [batch, rows, hidden]
    auto tokens = [seq](const torch::Tensor& t) { return t.narrow(1, 0, seq); };  // [batch, seq, hidden]
    BertOutputs out;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const auto layer = static_cast<int64_t>(i);
        if (keepLayerInputs) out.hiddenStates.push_back(tokens(x));
        const bool last = i + 1 == layers.size();
        auto [next, probs] = layers[i]->forward(x, attentionOut.defined() ? attentionOut[layer] : torch::Tensor(),
                                                overrides.maskOf(layer), overrides.headScaleOf(layer), inference ? seq : -1,
                                                last ? outputRows : torch::Tensor());
        x = next;
        out.attentions.push_back(probs);
        if (onLayer && !onLayer(static_cast<int>(i))) return BertOutputs{};
    }
    if (outputRows.defined()) out.lastHidden = outputRows.numel() > 0 ? finalNorm(x) : x;  // [batch, kept, hidden]
    else out.lastHidden = finalNorm(tokens(x));                                            // [batch, seq, hidden]
    return out;
}

torch::Tensor VitModelImpl::runLayers(torch::Tensor x, int64_t first, const AttentionOverrides& overrides,
                                      const LayerCallback& onLayer, const torch::Tensor& outputRows) {
    const auto count = static_cast<int64_t>(layers.size());
    for (auto layer = first; layer < count; ++layer) {
        x = layers[static_cast<std::size_t>(layer)]
                ->forward(x, {}, overrides.maskOf(layer), overrides.headScaleOf(layer), -1,
                          layer + 1 == count ? outputRows : torch::Tensor())
                .first;
        if (onLayer && !onLayer(static_cast<int>(layer))) return {};
    }
    return finalNorm(first >= count ? keptRows(x, outputRows) : x);  // [batch, tokens or kept, hidden]; no layer ran: x's rows
}

Expected<LoadedVit> loadVit(const ModelConfig& c, const CheckpointTensors& tensors) {
    Activation act;
    if (!parseActivation(c.hiddenAct, act)) return makeError(ErrorKind::Unsupported, "config.json: hidden_act '" + c.hiddenAct + "' is not supported");
    if (c.imageSize <= 0 || c.patchSize <= 0 || c.imageSize % c.patchSize != 0)
        return makeError(ErrorKind::InvalidInput, "config.json: image_size must be a positive multiple of patch_size");
    std::string prefix;
    for (const char* p : {"vit.", "deit.", ""})
        if (tensors.contains(std::string(p) + "embeddings.cls_token")) {
            prefix = p;
            break;
        }
    if (!tensors.contains(prefix + "embeddings.cls_token"))
        return makeError(ErrorKind::InvalidInput, tensors.source() + ": no ViT weights ('vit.embeddings.cls_token' or 'deit.embeddings.cls_token' missing)");
    const int prefixTokens = tensors.contains(prefix + "embeddings.distillation_token") ? 2 : 1;
    try {
        LoadedVit out;
        out.model = VitModel(c, prefixTokens, ParameterInit::Uninitialised);
        out.model->eval();
        for (const auto& child : out.model->named_children())  // embeddings, final norm; the layers one by one below
            if (child.key() != "encoder")
                if (auto st = loadParameters(*child.value(), tensors, prefix + child.key() + "."); !st) return st.errorValue();
        if (auto st = loadLayersForInference(out.model->layers, tensors, prefix + "encoder.layer."); !st) return st.errorValue();
        const int labels = static_cast<int>(c.id2label.size());
        auto loadHead = [&](const std::string& name, torch::nn::Linear& head) -> Status {
            const auto* w = tensors.find(name + ".weight");
            if (!w) return Status::ok();
            if (w->shape.size() != 2 || w->shape[1] != c.hiddenSize)
                return makeError(ErrorKind::InvalidInput, w->file + ": tensor '" + name + ".weight' has shape " + w->shapeString());
            if (labels > 0 && w->shape[0] != labels)
                return makeError(ErrorKind::InvalidInput, w->file + ": '" + name + ".weight' has " + std::to_string(w->shape[0]) +
                                 " classes but config.json's id2label has " + std::to_string(labels));
            head = torch::nn::Linear(c.hiddenSize, w->shape[0]);
            auto holderModule = std::make_shared<torch::nn::Module>();
            holderModule->register_module(name, head);
            return loadParameters(*holderModule, tensors, "");
        };
        if (auto st = loadHead("classifier", out.classifier); !st) return st.errorValue();
        if (!out.classifier) {
            if (auto st = loadHead("cls_classifier", out.classifier); !st) return st.errorValue();
            if (auto st = loadHead("distillation_classifier", out.distillationClassifier); !st) return st.errorValue();
        }
        for (auto* head : {&out.classifier, &out.distillationClassifier})
            if (*head) useInputMajorLinearWeights(**head);
        returnFreedMemory();
        return out;
    } catch (const std::exception& e) {
        return makeError(ErrorKind::Internal, describeTorchError(e));
    }
}

}  // namespace ascope
