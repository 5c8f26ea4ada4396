#pragma once
// Controls inside scaled dot-product attention, as the masked-attention lecture shows them:
// an attention mask (which keys each query may attend to) and switched-off heads.
//
// Semantics are Hugging Face's: a disallowed score gets the float32 minimum added before the
// softmax, so it receives exactly zero weight. A query row whose every key is disallowed gets
// the minimum added everywhere, and its softmax is then uniform over all keys (as in Hugging
// Face); such rows are listed in the analysis (fullyMaskedRows) so a view can say so. An ablated
// head (head_mask 0) has its probabilities multiplied by 0 after the softmax: its attention reads
// all zero and it adds nothing to the layer's output but the output projection's bias.
#include <cstdint>
#include <string>
#include <vector>

#include "util/expected.h"

namespace ascope {

struct AttentionMaskSpec {
    enum class Mode {
        None,    // bidirectional (the default)
        Causal,  // look-ahead mask: query i attends only to keys j <= i
        Block,   // the blockedKeys cannot be attended to by any query
        Custom,  // the cells below
    };
    struct Cells {
        int layer = -1, head = -1;          // -1: every layer / every head
        std::vector<std::uint8_t> allowed;  // [queries][keys] of the input tokens, 1 allowed, 0 not
    };
    Mode mode = Mode::None;
    std::vector<int> blockedKeys;
    std::vector<Cells> custom;  // later entries override earlier ones where they apply
    int padding = 0;            // [PAD] tokens appended with attention_mask 0 (what batching does)

    bool active() const { return mode != Mode::None || padding > 0; }
};

struct HeadRef {
    int layer = 0;
    int head = -1;  // -1: every head of the layer
};

// Which cells may be attended to, [layers][heads][tokens][tokens] (1 allowed), for `tokens` input
// tokens plus spec.padding pad tokens at the end (pad keys are never allowed). Empty when
// nothing is masked. Errors name what is out of range.
Expected<std::vector<std::uint8_t>> allowedCells(const AttentionMaskSpec& spec, int layers, int heads, int tokens);

// head_mask as [layers][heads] of 1 (kept) and 0 (ablated); empty when no head is ablated.
Expected<std::vector<float>> headMask(const std::vector<HeadRef>& ablated, int layers, int heads);

// The command-line spellings: "none", "causal", "block:I,J,..." (token indices), or the path of
// a JSON file holding a T x T matrix of 0/1, or an object whose keys are "all", "L" (a layer) or
// "L:H" (one head of a layer), each a T x T matrix (more specific keys override "all").
Expected<AttentionMaskSpec> parseAttentionMaskArgument(const std::string& argument);
// "L:H,L:H,..." with "L:*" for a whole layer.
Expected<std::vector<HeadRef>> parseAblateArgument(const std::string& argument);

}  // namespace ascope
