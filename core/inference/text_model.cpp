#include "inference/text_model.h"

#include <filesystem>

#include "checkpoint/checkpoint_tensors.h"
#include "inference/attention_overrides.h"
#include "inference/text_model_impl.h"
#include "models/bert.h"
#include "models/torch_weights.h"
#include "util/compute_threads.h"

namespace ascope {

TextModel::TextModel() : m_impl(std::make_unique<Impl>()) {}
TextModel::~TextModel() = default;

Expected<std::unique_ptr<TextModel>> TextModel::load(const std::string& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) return makeError(ErrorKind::Io, dir + ": not a folder");
    auto config = ModelConfig::fromFile((std::filesystem::path(dir) / "config.json").string());
    if (!config) return config.errorValue();
    if (config->isVision())
        return makeError(ErrorKind::InvalidInput, dir + ": this is an image model (model_type '" + config->modelType +
                         "'); open it in image mode");
    if (!config->modelType.empty() && config->modelType != "bert")
        return makeError(ErrorKind::Unsupported, dir + ": model_type '" + config->modelType + "' is not supported yet (BERT only)");
    auto tokenizer = BertTokenizer::fromFolder(dir);
    if (!tokenizer) return tokenizer.errorValue();
    if (tokenizer->vocab().size() > config->vocabSize)
        return makeError(ErrorKind::InvalidInput, dir + ": vocab.txt has " + std::to_string(tokenizer->vocab().size()) +
                         " entries but config.json says vocab_size " + std::to_string(config->vocabSize));
    auto tensors = CheckpointTensors::openFolder(dir);
    if (!tensors) return tensors.errorValue();
    configureComputeThreads();
    auto bert = loadBert(*config, *tensors);
    if (!bert) return bert.errorValue();

    std::unique_ptr<TextModel> model(new TextModel());
    model->m_impl->dir = dir;
    model->m_impl->config = *config;
    model->m_impl->tokenizer = std::make_unique<BertTokenizer>(std::move(*tokenizer));
    model->m_impl->bert = std::move(*bert);
    return model;
}

const ModelConfig& TextModel::config() const { return m_impl->config; }
const BertTokenizer& TextModel::tokenizer() const { return *m_impl->tokenizer; }
const std::string& TextModel::directory() const { return m_impl->dir; }
bool TextModel::hasMlmHead() const { return static_cast<bool>(m_impl->bert.head); }
int TextModel::maxTokens() const { return m_impl->config.maxPositionEmbeddings; }

std::vector<float> TextModel::positionEmbeddings() const {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    auto w = m_impl->bert.model->positionEmbeddings->weight.detach().contiguous();  // [positions, hidden]
    return std::vector<float>(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
}

Expected<TextAnalysis> TextModel::analyse(std::string_view text, const TextRunOptions& options) const {
    return analyseTokens(std::string(text), m_impl->tokenizer->encode(text), options);
}

Expected<std::vector<int64_t>> TextModel::Impl::inputIds(std::vector<Token>& tokens, const std::string& text,
                                                        int padding) const {
    const int real = static_cast<int>(tokens.size());
    const int n = real + padding;
    if (n > config.maxPositionEmbeddings)
        return makeError(ErrorKind::InvalidInput, "the text is " + std::to_string(real) + " tokens long" +
                         (padding ? " (with " + std::to_string(padding) + " pad tokens, " + std::to_string(n) + ")" : std::string()) +
                         "; this model takes at most " + std::to_string(config.maxPositionEmbeddings) + " (max_position_embeddings)");
    if (real == 0) return makeError(ErrorKind::InvalidInput, "nothing to analyse: no tokens");
    for (int i = 0; i < padding; ++i) tokens.push_back(Token{"[PAD]", tokenizer->padId(), text.size(), text.size(), true});
    std::vector<int64_t> ids;
    for (const auto& t : tokens) {
        if (t.id < 0 || t.id >= config.vocabSize)
            return makeError(ErrorKind::InvalidInput, "token '" + t.text + "' has id " + std::to_string(t.id) + ", outside the vocabulary");
        ids.push_back(t.id);
    }
    return ids;
}

std::vector<int64_t> TextModel::Impl::maskPositions(const std::vector<Token>& tokens, int real) const {
    std::vector<int64_t> positions;
    for (int i = 0; i < real; ++i)
        if (tokens[static_cast<std::size_t>(i)].id == tokenizer->maskId()) positions.push_back(i);
    return positions;
}

std::vector<TokenPrediction> TextModel::Impl::topOf(const torch::Tensor& probs, int k) const {
    auto top = probs.topk(k, -1);
    auto values = std::get<0>(top).contiguous(), indices = std::get<1>(top).contiguous();  // [k]
    std::vector<TokenPrediction> out;
    for (int i = 0; i < k; ++i) {
        const int id = static_cast<int>(indices[i].item<int64_t>());
        out.push_back({tokenizer->vocab().tokenOf(id), id, values[i].item<float>()});
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

Expected<TextAnalysis> TextModel::analyseTokens(std::string text, std::vector<Token> tokens,
                                                const TextRunOptions& options) const {
    const int real = static_cast<int>(tokens.size());
    const int padding = options.attentionMask.active() ? std::max(0, options.attentionMask.padding) : 0;
    auto ids = m_impl->inputIds(tokens, text, padding);
    if (!ids) return ids.errorValue();
    const int n = static_cast<int>(tokens.size());
    const int topK = std::max(1, std::min(options.topK, m_impl->config.vocabSize));
    const bool keepHidden = options.keepHiddenStates || options.predictByLayer;

    std::lock_guard<std::mutex> lock(m_impl->mutex);
    try {
        torch::InferenceMode guard;
        auto input = torch::tensor(*ids, torch::kLong).view({1, n});  // [batch=1, seq]
        const int layers = m_impl->config.numLayers;
        TextAnalysis result;
        auto overrides = prepareAttentionOverrides(options.attentionMask, options.ablate, layers, m_impl->config.numHeads,
                                                   real, result.controls);
        if (!overrides) return overrides.errorValue();
        LayerCallback cb;
        if (options.onLayer) cb = [&](int layer) { return options.onLayer(layer, layers); };
        // Every layer's softmax writes straight into the result's buffer.
        const int heads = m_impl->config.numHeads;
        result.attention.layers = layers;
        result.attention.heads = heads;
        result.attention.queries = result.attention.keys = n;
        result.attention.values.resize(static_cast<std::size_t>(layers) * heads * n * n);
        auto attentionOut = torch::from_blob(result.attention.values.data(), {layers, 1, heads, n, n});  // [layers, batch, heads, seq, seq]
        std::vector<AttentionCapture> captures;
        auto out = m_impl->bert.model->forward(input, torch::Tensor(), keepHidden, cb, attentionOut, *overrides,
                                               options.traceAttention ? &captures : nullptr);
        if (!out.lastHidden.defined()) return cancelledError();
        result.text = std::move(text);
        result.hasMlmHead = hasMlmHead();
        if (options.keepHiddenStates) {
            auto hs = torch::cat(out.hiddenStates, 0).contiguous();  // [layers + 1, seq, hidden]
            result.hiddenStates = {layers, n, m_impl->config.hiddenSize,
                                   std::vector<float>(hs.data_ptr<float>(), hs.data_ptr<float>() + hs.numel())};
        }
        if (options.traceAttention) {
            auto& t = result.trace;
            t.layers = layers;
            t.tokens = n;
            t.hidden = m_impl->config.hiddenSize;
            t.heads = heads;
            t.query = stackLayers(captures, &AttentionCapture::query);
            t.key = stackLayers(captures, &AttentionCapture::key);
            t.value = stackLayers(captures, &AttentionCapture::value);
            t.context = stackLayers(captures, &AttentionCapture::context);
        }
        const auto maskPositions = m_impl->maskPositions(tokens, real);
        if (m_impl->bert.head && !maskPositions.empty()) {
            auto pos = torch::tensor(maskPositions, torch::kLong);
            auto lastRows = out.lastHidden[0].index_select(0, pos);                 // [masks, hidden]
            auto probs = torch::softmax(m_impl->bert.head->forward(lastRows), -1);  // [masks, vocab]
            for (std::size_t m = 0; m < maskPositions.size(); ++m)
                result.predictions.push_back({static_cast<int>(maskPositions[m]), m_impl->topOf(probs[static_cast<int64_t>(m)], topK)});
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
                    auto layerProbs = torch::softmax(m_impl->bert.head->forward(rows), -1);  // [masks, vocab]
                    for (std::size_t m = 0; m < maskPositions.size(); ++m) {
                        auto row = layerProbs[static_cast<int64_t>(m)];  // [vocab]
                        auto& lens = result.layerPredictions[m];
                        LayerPrediction lp;
                        lp.top = m_impl->topOf(row, topK);
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
