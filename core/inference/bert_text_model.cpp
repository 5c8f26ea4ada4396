#include "inference/bert_text_model.h"

#include <algorithm>
#include <filesystem>

#include "checkpoint/bert_family_layout.h"
#include "checkpoint/checkpoint_tensors.h"
#include "inference/attention_overrides.h"
#include "models/bert.h"
#include "models/torch_weights.h"
#include "util/compute_threads.h"

namespace ascope {

BertTextModel::BertTextModel(std::string dir, ModelConfig config, std::unique_ptr<TextTokenizer> tokenizer, LoadedBert bert)
    : m_dir(std::move(dir)), m_config(std::move(config)), m_tokenizer(std::move(tokenizer)), m_bert(std::move(bert)) {}

Expected<std::unique_ptr<TextModel>> loadBertTextModel(const std::string& dir, const ModelConfig& config,
                                                       std::unique_ptr<TextTokenizer> tokenizer) {
    try {
        auto tensors = CheckpointTensors::openFolder(dir);
        if (!tensors) return tensors.errorValue();
        renameToBertLayout(*tensors, config);
        configureComputeThreads();
        auto bert = loadBert(config, *tensors);
        if (!bert) return bert.errorValue();
        return std::unique_ptr<TextModel>(new BertTextModel(dir, config, std::move(tokenizer), std::move(*bert)));
    } catch (const std::exception& e) {
        return makeError(ErrorKind::Internal, describeTorchError(e));
    }
}

std::vector<float> BertTextModel::positionEmbeddings() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    auto w = m_bert.model->positionEmbeddings->weight.detach()
                 .narrow(0, m_config.positionOffset(), m_config.maxTokens())
                 .contiguous();  // [maxTokens, embedding width]
    return std::vector<float>(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
}

Expected<std::vector<int64_t>> BertTextModel::inputIds(std::vector<Token>& tokens, const std::string& text,
                                                        int padding) const {
    const int real = static_cast<int>(tokens.size());
    const int n = real + padding;
    if (n > m_config.maxTokens())
        return makeError(ErrorKind::InvalidInput, "the text is " + std::to_string(real) + " tokens long" +
                         (padding ? " (with " + std::to_string(padding) + " pad tokens, " + std::to_string(n) + ")" : std::string()) +
                         "; this model takes at most " + std::to_string(m_config.maxTokens()) +
                         (m_config.positionOffset() ? " (max_position_embeddings " + std::to_string(m_config.maxPositionEmbeddings) +
                                                          " less the padding offset " + std::to_string(m_config.positionOffset()) + ")"
                                                    : std::string(" (max_position_embeddings)")));
    if (real == 0) return makeError(ErrorKind::InvalidInput, "nothing to analyse: no tokens");
    if (padding > 0 && m_tokenizer->padId() < 0)
        return makeError(ErrorKind::InvalidInput, "this model's tokenizer has no padding token to append");
    const int lastSegment = tokens.empty() ? 0 : tokens.back().segment;
    for (int i = 0; i < padding; ++i)
        tokens.push_back(Token{m_tokenizer->tokenOf(m_tokenizer->padId()), m_tokenizer->padId(), text.size(), text.size(), true, lastSegment});
    std::vector<int64_t> ids;
    for (const auto& t : tokens) {
        if (t.id < 0 || t.id >= m_config.vocabSize)
            return makeError(ErrorKind::InvalidInput, "token '" + t.text + "' has id " + std::to_string(t.id) + ", outside the vocabulary");
        ids.push_back(t.id);
    }
    return ids;
}

TokenPrediction BertTextModel::predictionOf(int id, float probability) const {
    const auto& entry = m_tokenizer->tokenOf(id);
    return {entry, id, probability, m_tokenizer->labelOfEntry(entry)};
}

TextTask BertTextModel::task() const {
    if (m_bert.classifier) return m_bert.tokenClassifier ? TextTask::TokenLabels : TextTask::SentenceLabels;
    return m_bert.head ? TextTask::FillMask : TextTask::Encoder;
}

torch::Tensor BertTextModel::rowsRead(const std::vector<int64_t>& maskPositions) const {
    switch (task()) {
    case TextTask::FillMask: return torch::tensor(maskPositions, torch::kLong);  // [masks], maybe none
    case TextTask::SentenceLabels: return torch::zeros({1}, torch::kLong);       // the pooler reads the first token
    case TextTask::Encoder: return torch::empty({0}, torch::kLong);               // nothing past the attention is shown
    case TextTask::TokenLabels: break;
    }
    return {};  // every token
}

void BertTextModel::classify(const torch::Tensor& lastHidden, int real, TextAnalysis& result) const {
    // A sequence classifier reads the first row alone (it may be all lastHidden holds).
    auto logits = m_bert.classifier->forward(m_bert.tokenClassifier ? lastHidden.narrow(0, 0, real) : lastHidden);  // [1 or real, labels]
    const auto labels = logits.size(1);
    for (int64_t i = 0; i < labels; ++i) result.labelNames.push_back(m_config.labelName(static_cast<int>(i)));
    if (!m_bert.tokenClassifier) {
        // As Hugging Face's text-classification pipeline: sigmoid for multi-label or one output, else softmax.
        const bool sigmoid = m_config.problemType == "multi_label_classification" || labels == 1;
        auto scores = (sigmoid ? torch::sigmoid(logits[0]) : torch::softmax(logits[0], -1)).contiguous();  // [labels]
        const float* p = scores.data_ptr<float>();
        for (int64_t i = 0; i < labels; ++i)
            result.labels.push_back({result.labelNames[static_cast<std::size_t>(i)], static_cast<int>(i), p[i]});
        std::stable_sort(result.labels.begin(), result.labels.end(),
                         [](const LabelScore& a, const LabelScore& b) { return a.score > b.score; });
        return;
    }
    auto probs = torch::softmax(logits, -1).contiguous();  // [real, labels]
    const float* p = probs.data_ptr<float>();
    for (int t = 0; t < real; ++t) {
        TokenLabel tl;
        tl.scores.assign(p + t * labels, p + (t + 1) * labels);
        const auto best = static_cast<int>(std::max_element(tl.scores.begin(), tl.scores.end()) - tl.scores.begin());
        tl.best = {result.labelNames[static_cast<std::size_t>(best)], best, tl.scores[static_cast<std::size_t>(best)]};
        result.tokenLabels.push_back(std::move(tl));
    }
}

torch::Tensor BertTextModel::tokenTypes(const std::vector<Token>& tokens) const {
    bool pair = false;
    for (const auto& t : tokens) pair = pair || t.segment != 0;
    if (!pair || m_config.typeVocabSize < 2) return {};
    std::vector<int64_t> types;
    for (const auto& t : tokens) types.push_back(t.segment != 0 ? 1 : 0);  // pad tokens keep their segment, as the last [SEP]
    return torch::tensor(types, torch::kLong).view({1, static_cast<int64_t>(types.size())});  // [batch=1, seq]
}

std::vector<int64_t> BertTextModel::maskIndices(const std::vector<Token>& tokens, int real) const {
    std::vector<int64_t> positions;
    for (int i = 0; i < real; ++i)
        if (tokens[static_cast<std::size_t>(i)].id == m_tokenizer->maskId()) positions.push_back(i);
    return positions;
}

std::vector<TokenPrediction> BertTextModel::topOf(const torch::Tensor& probs, int k) const {
    // Only entries the tokenizer knows (a checkpoint's vocabulary may be padded beyond it).
    const auto known = std::min<int64_t>(probs.size(-1), m_tokenizer->vocabSize());
    k = static_cast<int>(std::min<int64_t>(k, known));
    auto top = probs.narrow(-1, 0, known).topk(k, -1);
    auto values = std::get<0>(top).contiguous(), indices = std::get<1>(top).contiguous();  // [k]
    std::vector<TokenPrediction> out;
    for (int i = 0; i < k; ++i) {
        const int id = static_cast<int>(indices[i].item<int64_t>());
        out.push_back(predictionOf(id, values[i].item<float>()));
    }
    return out;
}

namespace {
// [layers][tokens][hidden] of one tensor per layer, each [1, tokens, hidden].
std::vector<float> stackLayers(const std::vector<AttentionCapture>& captures, torch::Tensor AttentionCapture::*part) {
    std::vector<torch::Tensor> parts;
    for (const auto& c : captures) parts.push_back(c.*part);
    auto all = torch::cat(parts, 0).contiguous();  // [layers, tokens, hidden]
    return std::vector<float>(all.data_ptr<float>(), all.data_ptr<float>() + all.numel());
}
}  // namespace

Expected<TextAnalysis> BertTextModel::analyseTokens(std::string text, std::vector<Token> tokens,
                                                const TextRunOptions& options) const {
    const int real = static_cast<int>(tokens.size());
    const int padding = options.attentionMask.active() ? std::max(0, options.attentionMask.padding) : 0;
    auto ids = inputIds(tokens, text, padding);
    if (!ids) return ids.errorValue();
    const int n = static_cast<int>(tokens.size());
    const int topK = std::max(1, std::min(options.topK, m_config.vocabSize));
    const bool keepHidden = options.keepHiddenStates || options.predictByLayer;

    std::lock_guard<std::mutex> lock(m_mutex);
    try {
        torch::InferenceMode guard;
        auto input = torch::tensor(*ids, torch::kLong).view({1, n});  // [batch=1, seq]
        const int layers = m_config.numLayers;
        TextAnalysis result;
        auto overrides = prepareAttentionOverrides(options.attentionMask, options.ablate, layers, m_config.numHeads,
                                                   real, result.controls);
        if (!overrides) return overrides.errorValue();
        LayerCallback cb;
        if (options.onLayer) cb = [&](int layer) { return options.onLayer(layer, layers); };
        // Every layer's softmax writes straight into the result's buffer.
        const int heads = m_config.numHeads;
        result.attention.layers = layers;
        result.attention.heads = heads;
        result.attention.queries = result.attention.keys = n;
        result.attention.values.resize(static_cast<std::size_t>(layers) * heads * n * n);
        auto attentionOut = torch::from_blob(result.attention.values.data(), {layers, 1, heads, n, n});  // [layers, batch, heads, seq, seq]
        std::vector<AttentionCapture> captures;
        const auto maskPositions = maskIndices(tokens, real);
        // Kept hidden states need every row of the last layer; otherwise it computes the rows the head reads.
        const auto readRows = keepHidden ? torch::Tensor() : rowsRead(maskPositions);
        auto out = m_bert.model->forward(input, torch::Tensor(), keepHidden, cb, attentionOut, *overrides,
                                         options.traceAttention ? &captures : nullptr, tokenTypes(tokens), readRows);
        if (!out.lastHidden.defined()) return cancelledError();
        result.text = std::move(text);
        result.hasMlmHead = hasMlmHead();
        result.task = task();
        if (m_bert.classifier) classify(out.lastHidden[0], real, result);
        if (options.keepHiddenStates) {
            auto hs = torch::cat(out.hiddenStates, 0).contiguous();  // [layers + 1, seq, hidden]
            result.hiddenStates = {layers, n, m_config.hiddenSize,
                                   std::vector<float>(hs.data_ptr<float>(), hs.data_ptr<float>() + hs.numel())};
        }
        if (options.traceAttention) {
            auto& t = result.trace;
            t.layers = layers;
            t.tokens = n;
            t.hidden = m_config.hiddenSize;
            t.heads = heads;
            t.query = stackLayers(captures, &AttentionCapture::query);
            t.key = stackLayers(captures, &AttentionCapture::key);
            t.value = stackLayers(captures, &AttentionCapture::value);
            t.context = stackLayers(captures, &AttentionCapture::context);
        }
        if (m_bert.head && !maskPositions.empty()) {
            auto pos = torch::tensor(maskPositions, torch::kLong);
            // With readRows the last layer computed the [MASK] rows alone, in this order.
            auto lastRows = readRows.defined() ? out.lastHidden[0] : out.lastHidden[0].index_select(0, pos);  // [masks, hidden]
            auto probs = torch::softmax(m_bert.head->forward(lastRows), -1);  // [masks, vocab]
            for (std::size_t m = 0; m < maskPositions.size(); ++m)
                result.predictions.push_back({static_cast<int>(maskPositions[m]), topOf(probs[static_cast<int64_t>(m)], topK)});
            if (options.predictByLayer) {
                // The same head on the same rows at every layer; at the last layer this is the prediction above.
                for (std::size_t m = 0; m < maskPositions.size(); ++m) {
                    MaskLayerPredictions lens;
                    lens.position = static_cast<int>(maskPositions[m]);
                    lens.finalToken = result.predictions[m].top.front();
                    result.layerPredictions.push_back(std::move(lens));
                }
                for (int l = 0; l <= layers; ++l) {
                    auto rows = l == layers ? lastRows : out.hiddenStates[static_cast<std::size_t>(l)][0].index_select(0, pos);
                    auto layerProbs = torch::softmax(m_bert.head->forward(rows), -1);  // [masks, vocab]
                    for (std::size_t m = 0; m < maskPositions.size(); ++m) {
                        auto row = layerProbs[static_cast<int64_t>(m)];  // [vocab]
                        auto& lens = result.layerPredictions[m];
                        LayerPrediction lp;
                        lp.top = topOf(row, topK);
                        lp.finalProbability = row[lens.finalToken.id].item<float>();
                        lp.finalRank = static_cast<int>((row > lp.finalProbability).sum().item<int64_t>());
                        lens.layers.push_back(std::move(lp));
                    }
                }
            }
        }
        result.tokens = std::move(tokens);
        return result;
    } catch (const std::exception& e) {
        return makeError(ErrorKind::Internal, describeTorchError(e));
    }
}

}  // namespace ascope
