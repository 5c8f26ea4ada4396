#pragma once
// What one run of a text model returns: plain C++ data, no torch types, safe to hand to the UI.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tokenizer/bert_tokenizer.h"
#include "util/default_init_allocator.h"

namespace ascope {

// Attention probabilities [layers][heads][queries][keys], row-major.
struct AttentionStack {
    int layers = 0, heads = 0, queries = 0, keys = 0;
    std::vector<float, DefaultInitAllocator<float>> values;  // filled by the model, not zeroed first

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
    std::string token;
    int id = 0;
    float probability = 0.f;
};

struct MaskPrediction {
    int position = 0;  // index into TextAnalysis::tokens
    std::vector<TokenPrediction> top;
};

struct TextAnalysis {
    std::string text;
    std::vector<Token> tokens;
    AttentionStack attention;
    HiddenStates hiddenStates;
    std::vector<MaskPrediction> predictions;  // one per [MASK] token, in order
    bool hasMlmHead = false;
    AppliedAttentionControls controls;
};

}  // namespace ascope
