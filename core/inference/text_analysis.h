#pragma once
// What one run of a text model returns: plain C++ data, no torch types, safe to hand to the UI.
#include <cstddef>
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
};

}  // namespace ascope
