#pragma once
// A BERT-family masked language model loaded from a Hugging Face folder. The public face of the
// text engine: no torch types; every torch exception is caught here and returned as an Error.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "checkpoint/model_config.h"
#include "inference/attention_controls.h"
#include "inference/head_importance.h"
#include "inference/text_analysis.h"
#include "tokenizer/bert_tokenizer.h"
#include "util/expected.h"

namespace ascope {

struct TextRunOptions {
    int topK = 5;
    AttentionMaskSpec attentionMask;  // inside scaled dot-product attention (also padding)
    std::vector<HeadRef> ablate;      // heads switched off (head_mask 0)
    bool keepHiddenStates = false;
    bool traceAttention = false;  // fill TextAnalysis::trace (q, k, v and context of every layer)
    bool predictByLayer = false;  // fill TextAnalysis::layerPredictions (the logit lens)
    // Called after each layer with (layer, layers); returning false cancels the run.
    std::function<bool(int, int)> onLayer;
};

class TextModel {
public:
    static Expected<std::unique_ptr<TextModel>> load(const std::string& dir);
    ~TextModel();

    // Tokenises `text` and runs the model.
    Expected<TextAnalysis> analyse(std::string_view text, const TextRunOptions& options = {}) const;
    // Runs the model on tokens that may have been edited (e.g. chips toggled to [MASK]).
    Expected<TextAnalysis> analyseTokens(std::string text, std::vector<Token> tokens,
                                         const TextRunOptions& options = {}) const;

    // Head importance for every [MASK] of `tokens` under options' mask and ablation (topK is
    // ignored): one forward with every head on, then, layer by layer, one batched pass per layer
    // with each of its heads switched off in its own batch entry, starting from that layer's input
    // (the layers before it are unchanged). onProgress(done, total) may return false to cancel.
    Expected<HeadImportance> headImportance(std::vector<Token> tokens, const TextRunOptions& options,
                                            const std::function<bool(int, int)>& onProgress = {}) const;

    const ModelConfig& config() const;
    const BertTokenizer& tokenizer() const;
    const std::string& directory() const;
    bool hasMlmHead() const;
    // Learned position embeddings [maxPositions][hidden], row-major.
    std::vector<float> positionEmbeddings() const;
    // The longest input in tokens (including [CLS] and [SEP]).
    int maxTokens() const;

private:
    TextModel();
    struct Impl;  // core-internal: inference/text_model_impl.h
    std::unique_ptr<Impl> m_impl;
};

}  // namespace ascope
