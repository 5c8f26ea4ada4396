#pragma once
// What one run of a text model returns: plain C++ data, no torch types, safe to hand to the UI.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tokenizer/bert_tokenizer.h"
#include "util/default_init_allocator.h"
#include "util/large_block_allocator.h"

namespace ascope {

// Attention probabilities [layers][heads][queries][keys], row-major.
struct AttentionStack {
    int layers = 0, heads = 0, queries = 0, keys = 0;
    // Filled by the model, not zeroed first; large results reuse a freed one's memory (LargeBlockAllocator).
    std::vector<float, DefaultInitAllocator<float, LargeBlockAllocator<float>>> values;

    bool empty() const { return values.empty(); }
    std::size_t index(int layer, int head, int query, int key) const {
        return ((static_cast<std::size_t>(layer) * heads + head) * queries + query) * keys + key;
    }
    float at(int layer, int head, int query, int key) const { return values[index(layer, head, query, key)]; }
    const float* matrix(int layer, int head) const { return values.data() + index(layer, head, 0, 0); }
};

// Hidden states [layers + 1][tokens][hidden] (entry 0 is the embedding output).
struct HiddenStates {
    int layers = 0, tokens = 0, hidden = 0;
    std::vector<float> values;
};

// What was put inside attention for a run (inference/attention_controls.h has the semantics).
struct AppliedAttentionControls {
    struct Row {
        int layer = 0, head = 0, query = 0;
    };
    int layers = 0, heads = 0, tokens = 0;
    std::vector<std::uint8_t> allowed;  // empty: nothing masked; else [layers][heads][tokens][tokens], 1 allowed
    std::vector<float> headMask;        // empty: no head ablated; else [layers][heads], 0 for ablated heads
    std::vector<Row> fullyMaskedRows;   // query rows with no allowed key: their softmax is uniform
    int paddingTokens = 0;              // [PAD] tokens appended at the end of the input

    bool isAllowed(int layer, int head, int query, int key) const {
        return allowed.empty() ||
               allowed[((static_cast<std::size_t>(layer) * heads + head) * tokens + query) * tokens + key] != 0;
    }
    bool isAblated(int layer, int head) const {
        return !headMask.empty() && headMask[static_cast<std::size_t>(layer) * heads + head] == 0.f;
    }
};

struct TokenPrediction {
    std::string token;  // vocabulary entry ("Ġpark")
    int id = 0;
    float probability = 0.f;
    std::string label{};  // readable form where the entry is not ("·park"); empty: the entry reads as it is
};
inline const std::string& labelOf(const TokenPrediction& p) { return p.label.empty() ? p.token : p.label; }

struct MaskPrediction {
    int position = 0;  // index into TextAnalysis::tokens
    std::vector<TokenPrediction> top;
};

// What every layer's attention worked with, for the step-by-step view of one head: the query
// (unscaled), key and value projections and the heads' concatenated output before the output
// projection, each [layers][tokens][hidden]. Head h owns dimensions [h * headDim, (h + 1) * headDim).
struct AttentionTrace {
    int layers = 0, tokens = 0, hidden = 0, heads = 0;
    std::vector<float> query, key, value, context;

    bool empty() const { return query.empty(); }
    int headDim() const { return heads > 0 ? hidden / heads : 0; }
    std::size_t index(int layer, int token, int head, int dim) const {
        return (static_cast<std::size_t>(layer) * tokens + token) * hidden + static_cast<std::size_t>(head) * headDim() + dim;
    }
    // The headDim values of one token's vector for one head.
    const float* q(int layer, int token, int head) const { return query.data() + index(layer, token, head, 0); }
    const float* k(int layer, int token, int head) const { return key.data() + index(layer, token, head, 0); }
    const float* v(int layer, int token, int head) const { return value.data() + index(layer, token, head, 0); }
    const float* out(int layer, int token, int head) const { return context.data() + index(layer, token, head, 0); }
};

// The masked-LM head applied to the hidden state after every layer (the "logit lens"): for one
// [MASK], entry 0 reads the embeddings, entry L the last layer (the normal prediction).
struct LayerPrediction {
    std::vector<TokenPrediction> top;
    int finalRank = 0;             // where the last layer's top-1 token ranks here (0 = first)
    float finalProbability = 0.f;  // and its probability here
};
struct MaskLayerPredictions {
    int position = 0;
    TokenPrediction finalToken;  // the last layer's top-1
    std::vector<LayerPrediction> layers;  // [layers + 1]
};

// What the model's head computes: fill-mask predictions, one set of labels for the whole text
// (BertForSequenceClassification: sentiment), a label per token (BertForTokenClassification:
// named entities), or nothing beyond attention (a bare encoder).
enum class TextTask { FillMask, SentenceLabels, TokenLabels, Encoder };

struct LabelScore {
    std::string label;  // id2label's name
    int id = 0;
    float score = 0.f;  // softmax probability (sigmoid for multi-label or a single label)
};

// One token's label (BertForTokenClassification): the best label, and every label's score in id order.
struct TokenLabel {
    LabelScore best;
    std::vector<float> scores;
};

struct TextAnalysis {
    std::string text;
    std::vector<Token> tokens;
    AttentionStack attention;
    HiddenStates hiddenStates;
    std::vector<MaskPrediction> predictions;  // one per [MASK] token, in order
    bool hasMlmHead = false;
    TextTask task = TextTask::Encoder;
    std::vector<LabelScore> labels;       // SentenceLabels: every label, highest score first
    std::vector<TokenLabel> tokenLabels;  // TokenLabels: one per token of `tokens` (padding excluded)
    std::vector<std::string> labelNames;  // both classifiers: every label's name, in id order
    AppliedAttentionControls controls;
    AttentionTrace trace;                            // with TextRunOptions::traceAttention
    std::vector<MaskLayerPredictions> layerPredictions;  // with TextRunOptions::predictByLayer, one per [MASK]
};

}  // namespace ascope
