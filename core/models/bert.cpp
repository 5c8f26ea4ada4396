#include "models/bert.h"

#include <cmath>

#include "models/attention_math.h"
#include "models/torch_weights.h"

namespace ascope {

namespace {
using torch::nn::LayerNorm;
using torch::nn::LayerNormOptions;
using torch::nn::Linear;

std::shared_ptr<torch::nn::Module> holder(torch::nn::Module& parent, const std::string& name) {
    return parent.register_module(name, std::make_shared<torch::nn::Module>());
}
LayerNorm makeNorm(const ModelConfig& c, int64_t width = 0) {
    return LayerNorm(LayerNormOptions({width > 0 ? width : c.hiddenSize}).eps(c.layerNormEps));
}
// qkv: [batch, seq, 3 * hidden], context: [batch, seq, hidden]. With queryScaled the query part
// carries the 1/sqrt(head_dim) the packed weights fold in, which is taken out again here.
AttentionCapture captureOf(const torch::Tensor& qkv, const torch::Tensor& context, int64_t heads, bool queryScaled) {
    const int64_t hidden = qkv.size(-1) / 3;
    auto query = qkv.narrow(-1, 0, hidden);  // [batch, seq, hidden]
    if (queryScaled) query = query * std::sqrt(static_cast<double>(hidden / heads));
    return {query, qkv.narrow(-1, hidden, hidden), qkv.narrow(-1, 2 * hidden, hidden), context};  // views: the caller copies once
}
}  // namespace

BertLayerImpl::BertLayerImpl(const ModelConfig& c, Activation act, ParameterInit init) : m_heads(c.numHeads), m_act(act) {
    const int64_t h = c.hiddenSize, inter = c.intermediateSize;
    auto attention = holder(*this, "attention");
    auto self = holder(*attention, "self");
    query = self->register_module("query", makeLinear(h, h, init));
    key = self->register_module("key", makeLinear(h, h, init));
    value = self->register_module("value", makeLinear(h, h, init));
    auto selfOut = holder(*attention, "output");
    attentionOut = selfOut->register_module("dense", makeLinear(h, h, init));
    attentionNorm = selfOut->register_module("LayerNorm", makeNorm(c));
    intermediate = holder(*this, "intermediate")->register_module("dense", makeLinear(h, inter, init));
    auto out = holder(*this, "output");
    output = out->register_module("dense", makeLinear(inter, h, init));
    outputNorm = out->register_module("LayerNorm", makeNorm(c));
    m_qkv.attach(query, key, value, m_heads);
}

void BertLayerImpl::packForInference(bool releaseWeights) {
    m_qkv.pack(releaseWeights);
    packAll({{&m_packedAttentionOut, &attentionOut}, {&m_packedIntermediate, &intermediate}, {&m_packedOutput, &output}},
            releaseWeights);
}

std::pair<torch::Tensor, torch::Tensor> BertLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& mask,
                                                               const torch::Tensor& probsOut, const torch::Tensor& headScale,
                                                               AttentionCapture* capture, int64_t realRows,
                                                               const torch::Tensor& outputRows) {
    // Past the attention every row is computed on its own, so rows nobody reads can be left out.
    if (!is_training() && !torch::GradMode::is_enabled()) {  // packed weights; bias, activation and residual fused
        packForInference();
        auto qkv = m_qkv.project(x, false);  // [batch, rows, 3 * hidden], the query pre-scaled
        auto att = inferenceAttention(qkv, m_heads, mask, probsOut, headScale, realRows);
        if (capture) {
            const int64_t seq = att.probs.size(-1);  // the tokens, without padding rows
            *capture = captureOf(qkv.narrow(1, 0, seq), att.context.narrow(1, 0, seq), m_heads, true);
        }
        if (outputRows.defined() && outputRows.numel() == 0) return {x.narrow(1, 0, 0), att.probs};  // [batch, 0, hidden]
        const auto context = keptRows(att.context, outputRows), residual = keptRows(x, outputRows);  // [batch, kept, hidden]
        auto h1 = attentionNorm(m_packedAttentionOut.forward(context, nullptr, residual));  // [batch, kept, hidden]
        auto f = m_packedIntermediate.forward(h1, &m_act);                                // [batch, kept, intermediate]
        return {outputNorm(m_packedOutput.forward(f, nullptr, h1)), att.probs};
    }
    auto qkv = m_qkv.project(x, true);  // [batch, seq, 3 * hidden]
    auto att = multiHeadAttention(qkv, m_heads, mask, probsOut, headScale);
    if (capture) *capture = captureOf(qkv, att.context, m_heads, false);
    auto a = attentionOut(keptRows(att.context, outputRows));  // [batch, kept, hidden]
    if (is_training()) a = m_dropout.apply(a);
    auto h1 = attentionNorm(a + keptRows(x, outputRows));
    auto f = output(applyActivation(m_act, intermediate(h1)));  // [batch, seq, hidden]
    if (is_training()) f = m_dropout.apply(f);
    return {outputNorm(f + h1), att.probs};
}

BertModelImpl::BertModelImpl(const ModelConfig& c, ParameterInit init) : m_config(c) {
    Activation act = Activation::GeluErf;
    parseActivation(c.hiddenAct, act);
    auto emb = holder(*this, "embeddings");
    const int64_t width = c.embeddingWidth();  // ALBERT's embedding_size, else hidden
    wordEmbeddings = emb->register_module("word_embeddings", makeEmbedding(c.vocabSize, width, init));
    positionEmbeddings = emb->register_module("position_embeddings", makeEmbedding(c.maxPositionEmbeddings, width, init));
    if (c.typeVocabSize > 0)
        tokenTypeEmbeddings = emb->register_module("token_type_embeddings", makeEmbedding(c.typeVocabSize, width, init));
    embeddingNorm = emb->register_module("LayerNorm", makeNorm(c, width));
    if (c.isAlbert()) embeddingProjection = emb->register_module("embedding_hidden_mapping_in", makeLinear(width, c.hiddenSize, init));
    auto layerList = holder(*holder(*this, "encoder"), "layer");
    const int unique = c.isAlbert() ? c.numHiddenGroups : c.numLayers;
    for (int i = 0; i < unique; ++i)
        uniqueLayers.push_back(layerList->register_module(std::to_string(i), BertLayer(c, act, init)));
    // ALBERT: layer i runs group i / (layers / groups).
    const int perGroup = c.numLayers / unique;
    for (int i = 0; i < c.numLayers; ++i) layers.push_back(uniqueLayers[static_cast<std::size_t>(i / perGroup)]);
}

void BertModelImpl::packForInference(bool releaseWeights) {
    for (auto& l : uniqueLayers) l->packForInference(releaseWeights);
}

void BertModelImpl::setDropout(const Dropout& dropout) {
    m_dropout = dropout;
    for (auto& l : uniqueLayers) l->setDropout(dropout);
}

BertOutputs BertModelImpl::forward(const torch::Tensor& ids, const torch::Tensor& attentionMask, bool keepHidden,
                                   const LayerCallback& onLayer, const torch::Tensor& attentionOut,
                                   const AttentionOverrides& overrides, std::vector<AttentionCapture>* captures,
                                   const torch::Tensor& tokenTypeIds, const torch::Tensor& outputRows) {
    const int64_t seq = ids.size(1);
    torch::Tensor x;
    if (m_config.positionOffset() == 0) {
        auto positions = torch::arange(seq, torch::kLong);                       // [seq]
        x = wordEmbeddings(ids) + positionEmbeddings(positions).unsqueeze(0);  // [batch, seq, hidden]
    } else {
        // RoBERTa: a padding token sits at position padding_idx, the others count up from
        // padding_idx + 1 (Hugging Face's create_position_ids_from_input_ids).
        const int64_t pad = m_config.padTokenId;
        auto notPad = ids.ne(pad).to(torch::kLong);                    // [batch, seq]
        auto positions = torch::cumsum(notPad, 1) * notPad + pad;      // [batch, seq]
        x = wordEmbeddings(ids) + positionEmbeddings(positions);       // [batch, seq, hidden]
    }
    if (tokenTypeEmbeddings && tokenTypeIds.defined()) x = x + tokenTypeEmbeddings(tokenTypeIds);  // [batch, seq, hidden]
    else if (tokenTypeEmbeddings) x = x + tokenTypeEmbeddings->weight[0];  // single segment: type id 0
    x = embeddingNorm(x);
    if (is_training()) x = m_dropout.apply(x);
    if (embeddingProjection) x = embeddingProjection(x);  // ALBERT: [batch, seq, embedding] -> [batch, seq, hidden]
    torch::Tensor mask;
    if (attentionMask.defined()) mask = additiveMaskFrom(attentionMask);  // [batch, 1, 1, seq]
    // Inference runs the layers on padding rows past the tokens where the products are faster so;
    // everything handed out is the tokens' rows alone.
    const bool inference = !is_training() && !torch::GradMode::is_enabled();
    if (inference) x = padRowsForProducts(x);  // [batch, rows, hidden]
    auto tokens = [seq](const torch::Tensor& t) { return t.narrow(1, 0, seq); };  // [batch, seq, ...]

    BertOutputs out;
    if (keepHidden) out.hiddenStates.push_back(tokens(x));
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const auto layer = static_cast<int64_t>(i);
        const auto layerMask = overrides.additiveMask.defined() ? overrides.maskOf(layer) : mask;
        AttentionCapture capture;
        const bool last = i + 1 == layers.size();
        auto [next, probs] = layers[i]->forward(x, layerMask, attentionOut.defined() ? attentionOut[layer] : torch::Tensor(),
                                                overrides.headScaleOf(layer), captures ? &capture : nullptr,
                                                inference ? seq : -1, last && !keepHidden ? outputRows : torch::Tensor());
        if (captures) captures->push_back(std::move(capture));
        x = next;
        out.attentions.push_back(probs);
        if (keepHidden) out.hiddenStates.push_back(tokens(x));
        if (onLayer && !onLayer(static_cast<int>(i))) return BertOutputs{};
    }
    out.lastHidden = outputRows.defined() && !keepHidden ? x : tokens(x);
    return out;
}

torch::Tensor BertModelImpl::runLayers(torch::Tensor x, int64_t first, const AttentionOverrides& overrides,
                                       const LayerCallback& onLayer, const torch::Tensor& outputRows) {
    const auto count = static_cast<int64_t>(layers.size());
    for (auto layer = first; layer < count; ++layer) {
        x = layers[static_cast<std::size_t>(layer)]
                ->forward(x, overrides.maskOf(layer), {}, overrides.headScaleOf(layer), nullptr, -1,
                          layer + 1 == count ? outputRows : torch::Tensor())
                .first;
        if (onLayer && !onLayer(static_cast<int>(layer))) return {};
    }
    return first >= count ? keptRows(x, outputRows) : x;  // [batch, seq or kept, hidden]; no layer ran: x's rows
}

BertMlmHeadImpl::BertMlmHeadImpl(const ModelConfig& c, Activation act, bool tiedDecoder, ParameterInit init) : m_act(act) {
    auto t = holder(*this, "transform");
    // ALBERT's transform maps the hidden size down to the embedding width the decoder reads.
    const int64_t width = c.embeddingWidth();
    transform = t->register_module("dense", makeLinear(c.hiddenSize, width, init));
    transformNorm = t->register_module("LayerNorm", makeNorm(c, width));
    if (!tiedDecoder)
        decoderWeight = holder(*this, "decoder")->register_parameter("weight", makeParameterTensor({c.vocabSize, width}, init));
    bias = register_parameter("bias", makeParameterTensor({c.vocabSize}, init));
}

torch::Tensor BertMlmHeadImpl::forward(const torch::Tensor& rows) {
    if (!is_training() && !torch::GradMode::is_enabled()) {  // the decoder read once, where it lies
        auto h = transformNorm(applyActivation(m_act, linearInPlace(rows, transform->weight, transform->bias)));  // [n, hidden]
        // Up to eight [MASK]s read the decoder once, at the read bandwidth (models/matrix_vector.h; oneDNN's
        // matmul took 4.1 ms for one row of BERT-base's 94 MB decoder, BLAS 3.1); more through oneDNN.
        return fewRowsLinearInPlace(h, decoderWeight, bias);  // [n, vocab]
    }
    auto h = transformNorm(applyActivation(m_act, transform(rows)));  // [n, hidden]
    return torch::addmm(bias, h, decoderWeight.t());                   // [n, vocab]
}

BertClassifierHeadImpl::BertClassifierHeadImpl(int64_t hidden, int64_t labels, bool pooled, bool reluPooler)
    : m_relu(reluPooler) {
    if (pooled) pooler = register_module("pooler", Linear(hidden, hidden));
    classifier = register_module("classifier", Linear(hidden, labels));
}

torch::Tensor BertClassifierHeadImpl::forward(const torch::Tensor& lastHidden) {
    if (!pooler) return classifier(lastHidden);                       // [seq, labels]
    return classifier(pool(lastHidden.narrow(0, 0, 1)));             // [1, labels], from the first token
}

torch::Tensor BertClassifierHeadImpl::pool(const torch::Tensor& first) {
    auto dense = pooler(first);  // [batch, hidden]
    return m_relu ? torch::relu(dense) : torch::tanh(dense);
}

namespace {
// Which task head the checkpoint holds: architectures first, else the tensors themselves.
// Returns the classifier's label count (0: no classifier) or why the head cannot be built.
Expected<int> classifierLabels(const ModelConfig& c, const CheckpointTensors& tensors, const std::string& prefix,
                               bool& tokenLevel) {
    const bool wantsSequence = c.hasArchitecture("ForSequenceClassification");
    const bool wantsTokens = c.hasArchitecture("ForTokenClassification");
    const auto* weight = tensors.find("classifier.weight");
    const bool hasPooler = tensors.contains(prefix + "pooler.dense.weight");
    if (!weight) {
        if (wantsSequence || wantsTokens)
            return makeError(ErrorKind::InvalidInput, tensors.source() + ": config.json says " + c.architectures.front() +
                             " but the checkpoint has no classifier head (missing tensor 'classifier.weight')");
        return 0;
    }
    tokenLevel = wantsTokens || (!wantsSequence && !hasPooler);
    if (!tokenLevel && !hasPooler)
        return makeError(ErrorKind::InvalidInput, tensors.source() + ": a sequence classifier needs the pooler (missing tensor '" +
                         prefix + "pooler.dense.weight')");
    if (weight->shape.size() != 2 || weight->shape[1] != c.hiddenSize || weight->shape[0] < 1)
        return makeError(ErrorKind::InvalidInput, weight->file + ": tensor 'classifier.weight' has shape " + weight->shapeString() +
                         "; expected [labels, " + std::to_string(c.hiddenSize) + "]");
    const auto labels = weight->shape[0];
    if (labels > 100000) return makeError(ErrorKind::InvalidInput, weight->file + ": 'classifier.weight' has too many labels");
    if (!c.id2label.empty()) {
        if (static_cast<std::int64_t>(c.id2label.size()) != labels)
            return makeError(ErrorKind::InvalidInput, "config.json: id2label has " + std::to_string(c.id2label.size()) +
                             " labels but the classifier has " + std::to_string(labels) + " ('classifier.weight' " +
                             weight->shapeString() + ")");
        for (const auto& entry : c.id2label)
            if (entry.first >= labels)
                return makeError(ErrorKind::InvalidInput, "config.json: id2label has id " + std::to_string(entry.first) +
                                 " but the classifier has ids 0-" + std::to_string(labels - 1));
    }
    return static_cast<int>(labels);
}

// Reads the embeddings, then the layers one by one (loadLayersForInference).
Status loadForInference(BertModelImpl& model, const CheckpointTensors& tensors, const std::string& prefix) {
    auto embeddings = model.named_children()["embeddings"];
    if (auto st = loadParameters(*embeddings, tensors, prefix + "embeddings."); !st) return st;
    tensors.releasePages(prefix + "embeddings.");
    if (auto st = loadLayersForInference(model.uniqueLayers, tensors, prefix + "encoder.layer."); !st) return st;
    returnFreedMemory();
    return Status::ok();
}
}  // namespace

Status checkBertConfig(const ModelConfig& c) {
    Activation act;
    if (!parseActivation(c.hiddenAct, act))
        return makeError(ErrorKind::Unsupported, "config.json: hidden_act '" + c.hiddenAct + "' is not supported (gelu, gelu_new, relu, silu)");
    if (c.vocabSize <= 0) return makeError(ErrorKind::InvalidInput, "config.json: vocab_size is missing");
    return Status::ok();
}

Expected<LoadedBert> loadBert(const ModelConfig& c, const CheckpointTensors& tensors) {
    if (auto st = checkBertConfig(c); !st) return st.errorValue();
    std::string prefix;
    if (tensors.contains("bert.embeddings.word_embeddings.weight")) prefix = "bert.";
    else if (!tensors.contains("embeddings.word_embeddings.weight"))
        return makeError(ErrorKind::InvalidInput, tensors.source() + ": no BERT weights (neither 'bert.embeddings.word_embeddings.weight' nor "
                                            "'embeddings.word_embeddings.weight')");
    try {
        LoadedBert out;
        out.model = BertModel(c, ParameterInit::Uninitialised);
        out.model->eval();
        if (auto st = loadForInference(*out.model, tensors, prefix); !st) return st.errorValue();
        bool tokenLevel = false;
        auto labels = classifierLabels(c, tensors, prefix, tokenLevel);
        if (!labels) return labels.errorValue();
        if (*labels > 0) {
            out.classifier = BertClassifierHead(c.hiddenSize, *labels, !tokenLevel, c.poolerActivation == "relu");
            out.tokenClassifier = tokenLevel;
            if (auto st = loadParameters(*out.classifier->classifier, tensors, "classifier."); !st) return st.errorValue();
            if (out.classifier->pooler)
                if (auto st = loadParameters(*out.classifier->pooler, tensors, prefix + "pooler.dense."); !st) return st.errorValue();
            out.classifier->eval();
        } else if (tensors.contains("cls.predictions.transform.dense.weight")) {
            Activation act = Activation::GeluErf;
            parseActivation(c.hiddenAct, act);
            const bool tied = !tensors.contains("cls.predictions.decoder.weight");
            out.head = BertMlmHead(c, act, tied, ParameterInit::Uninitialised);  // every parameter comes from the checkpoint
            if (auto st = loadParameters(*out.head, tensors, "cls.predictions."); !st) return st.errorValue();
            if (tied) out.head->decoderWeight = out.model->wordEmbeddings->weight;  // shared, not copied
            out.head->eval();  // its products read the weights where they lie (linearInPlace)
        }
        return out;
    } catch (const std::exception& e) {
        return makeError(ErrorKind::Internal, describeTorchError(e));
    }
}

}  // namespace ascope
