#pragma once
// Plain-C++ views of an attention stack for display and export: one head, the mean or max over
// heads, with chosen tokens hidden and rows renormalised; and attention rollout.
#include <vector>

#include "inference/text_analysis.h"

namespace ascope {

// Rollout: attention rollout through layers 0..layer (below), the heads averaged.
enum class HeadAggregation { Single, Mean, Max, Rollout };

struct AttentionMatrix {
    int rows = 0, cols = 0;
    std::vector<float> values;  // [rows][cols], row-major
    std::vector<int> tokenIndex;  // original token index of each kept row/column
    float at(int r, int c) const { return values[static_cast<std::size_t>(r) * cols + c]; }
};

// `hidden[i]` true drops token i from both axes; with `renormalise` each remaining row is
// rescaled to sum to 1 (rows that lose all their weight stay zero).
AttentionMatrix selectAttention(const AttentionStack& attention, int layer, int head, HeadAggregation aggregation,
                                const std::vector<bool>& hidden = {}, bool renormalise = false);

// Attention rollout (Abnar & Zuidema 2020): per layer, average the heads, optionally zero the
// lowest `discardFraction` of each layer's weights (never the diagonal), add the identity,
// renormalise rows, and multiply through the layers. Returns the [tokens][tokens] product; row 0
// is how much the [CLS] output draws on each input token. With throughLayer >= 0 only layers
// 0..throughLayer are multiplied (rollout as it stands after that layer).
std::vector<float> attentionRollout(const AttentionStack& attention, double discardFraction = 0.0, int throughLayer = -1);

}  // namespace ascope
