#pragma once
// What the image overlay shows: one value per patch, from a query token's attention row
// ([CLS] or a clicked patch) for one head, the head mean, or attention rollout.
#include <vector>

#include "analysis/attention_views.h"
#include "inference/image_analysis.h"

namespace ascope {

enum class PatchHeatSource { Head, HeadMean, Rollout };

struct PatchHeatRequest {
    PatchHeatSource source = PatchHeatSource::HeadMean;
    int layer = 0;
    int head = 0;
    int queryPatch = -1;          // -1: the [CLS] token
    double discardFraction = 0;   // rollout only
    bool normalise = true;        // scale so the largest patch is 1
};

// gridRows * gridCols values (the prefix tokens' own weights are left out).
std::vector<float> patchHeat(const ImageAnalysis& analysis, const PatchHeatRequest& request);

}  // namespace ascope
