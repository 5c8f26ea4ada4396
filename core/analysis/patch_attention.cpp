#include "analysis/patch_attention.h"

#include <algorithm>

namespace ascope {

std::vector<float> patchHeat(const ImageAnalysis& a, const PatchHeatRequest& r) {
    const int patches = a.gridRows * a.gridCols;
    const int tokens = a.attention.queries;
    if (a.attention.empty() || patches <= 0 || tokens != a.prefixTokens + patches) return {};
    const int query = r.queryPatch < 0 ? 0 : a.prefixTokens + std::min(r.queryPatch, patches - 1);
    std::vector<float> row(static_cast<std::size_t>(tokens), 0.f);
    if (r.source == PatchHeatSource::Rollout) {
        const auto rollout = attentionRollout(a.attention, r.discardFraction);
        std::copy_n(rollout.begin() + static_cast<long>(query) * tokens, tokens, row.begin());
    } else {
        const int layer = std::clamp(r.layer, 0, a.attention.layers - 1);
        const auto m = selectAttention(a.attention, layer, r.head,
                                       r.source == PatchHeatSource::Head ? HeadAggregation::Single : HeadAggregation::Mean);
        std::copy_n(m.values.begin() + static_cast<long>(query) * tokens, tokens, row.begin());
    }
    std::vector<float> heat(row.begin() + a.prefixTokens, row.end());
    if (r.normalise) {
        const float mx = *std::max_element(heat.begin(), heat.end());
        if (mx > 0)
            for (auto& v : heat) v /= mx;
    }
    return heat;
}

}  // namespace ascope
