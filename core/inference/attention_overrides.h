#pragma once
// Internal (includes torch): turns the public attention controls (a mask spec and ablated heads)
// into the tensors the models put inside every layer, and records what was applied.
#include "util/core_internal.h"

#include "inference/attention_controls.h"
#include "inference/text_analysis.h"
#include "models/attention_math.h"

namespace ascope {

// `tokens` are the input tokens, without the spec's padding.
Expected<AttentionOverrides> prepareAttentionOverrides(const AttentionMaskSpec& spec, const std::vector<HeadRef>& ablate,
                                                       int layers, int heads, int tokens,
                                                       AppliedAttentionControls& applied);

}  // namespace ascope
