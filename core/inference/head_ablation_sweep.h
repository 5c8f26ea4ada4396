#pragma once
// Internal (includes torch): the batched sweep behind head importance, shared by the text and
// image models. For each layer l, one batch runs layers l..L-1 from l's input (the layers before
// are unchanged), entry b with one more head of layer l switched off.
#include "util/core_internal.h"

#include <functional>

#include "inference/head_importance.h"
#include "models/attention_math.h"
#include "models/bert.h"

namespace ascope {

struct HeadAblationSweep {
    const AppliedAttentionControls* applied = nullptr;  // the run's own mask and ablation (and the model's shape)
    const AttentionOverrides* overrides = nullptr;
    const std::vector<torch::Tensor>* layerInputs = nullptr;  // each layer's input in the full run, [1, tokens, hidden]
    // Runs layers l..L-1 on x under `batched` and returns each entry's probability of each answer,
    // [batch, answers], or an undefined tensor when cancelled.
    std::function<torch::Tensor(const torch::Tensor& x, int layer, const AttentionOverrides& batched)> answerProbabilities;
    LayerCallback step;  // called once per layer pass; false cancels
};

// Fills importance.alreadyOff, every mask's probability and forwards (masks and their answers
// must be set). Returns false when cancelled.
bool sweepHeadAblations(const HeadAblationSweep& sweep, HeadImportance& importance);

}  // namespace ascope
