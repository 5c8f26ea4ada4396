#pragma once
// A BERT-family model (BERT, DistilBERT, RoBERTa) loaded from a Hugging Face folder. The public face of the
// text engine: no torch types; every torch exception is caught inside the engine and returned as
// an Error. load() checks the folder here (config, tokenizer) and loads the engine library on
// first use (engine/engine_library.h); the model behind the interface lives in the engine.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "checkpoint/model_config.h"
#include "inference/attention_controls.h"
#include "inference/head_importance.h"
#include "inference/text_analysis.h"
#include "tokenizer/text_tokenizer.h"
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
    virtual ~TextModel();
    TextModel(const TextModel&) = delete;
    TextModel& operator=(const TextModel&) = delete;

    // Tokenises `text` and runs the model.
    Expected<TextAnalysis> analyse(std::string_view text, const TextRunOptions& options = {}) const;
    // A sentence pair ([CLS] A [SEP] B [SEP] with token types 0 and 1, or RoBERTa's
    // <s> A </s></s> B </s>); the analysis' text is TextTokenizer::pairText(a, b). An empty `b`
    // runs `a` alone.
    Expected<TextAnalysis> analysePair(std::string_view a, std::string_view b, const TextRunOptions& options = {}) const;
    // Runs the model on tokens that may have been edited (e.g. chips toggled to [MASK]).
    virtual Expected<TextAnalysis> analyseTokens(std::string text, std::vector<Token> tokens,
                                                 const TextRunOptions& options = {}) const = 0;

    // Head importance for every [MASK] of `tokens` under options' mask and ablation (topK is
    // ignored): one forward with every head on, then, layer by layer, one batched pass per layer
    // with each of its heads switched off in its own batch entry, starting from that layer's input
    // (the layers before it are unchanged). onProgress(done, total) may return false to cancel.
    virtual Expected<HeadImportance> headImportance(std::vector<Token> tokens, const TextRunOptions& options,
                                                    const std::function<bool(int, int)>& onProgress = {}) const = 0;

    virtual const ModelConfig& config() const = 0;
    virtual const TextTokenizer& tokenizer() const = 0;
    virtual const std::string& directory() const = 0;
    virtual bool hasMlmHead() const = 0;
    // The head on top of the encoder (TextAnalysis::task of every run).
    virtual TextTask task() const = 0;
    // Learned position embeddings of the positions tokens use, [maxTokens][hidden], row-major
    // (RoBERTa's rows before its position offset are left out).
    virtual std::vector<float> positionEmbeddings() const = 0;
    // The longest input in tokens (including [CLS] and [SEP]).
    int maxTokens() const { return config().maxTokens(); }

protected:
    TextModel() = default;
};

}  // namespace ascope
