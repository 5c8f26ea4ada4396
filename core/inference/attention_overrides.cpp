#include "inference/attention_overrides.h"

#include <cstring>
#include <limits>

namespace ascope {

Expected<AttentionOverrides> prepareAttentionOverrides(const AttentionMaskSpec& spec, const std::vector<HeadRef>& ablate,
                                                       int layers, int heads, int tokens,
                                                       AppliedAttentionControls& applied) {
    auto allowed = allowedCells(spec, layers, heads, tokens);
    if (!allowed) return allowed.errorValue();
    auto mask = headMask(ablate, layers, heads);
    if (!mask) return mask.errorValue();
    const int total = tokens + (spec.active() ? spec.padding : 0);
    applied = AppliedAttentionControls{};
    applied.layers = layers;
    applied.heads = heads;
    applied.tokens = total;
    applied.paddingTokens = spec.active() ? spec.padding : 0;
    applied.allowed = std::move(*allowed);
    applied.headMask = std::move(*mask);

    AttentionOverrides out;
    if (!applied.allowed.empty()) {
        const auto cells = static_cast<std::size_t>(total) * total;
        // Every head of every layer shares one pattern unless custom cells name layers or heads:
        // then one [1, 1, T, T] mask broadcasts, instead of layers x heads copies.
        bool shared = true;
        for (const auto& c : spec.custom) shared = shared && c.layer < 0 && c.head < 0;
        for (int l = 0; l < layers; ++l)
            for (int h = 0; h < heads; ++h)
                for (int q = 0; q < total; ++q) {
                    bool any = false;
                    for (int k = 0; k < total && !any; ++k) any = applied.isAllowed(l, h, q, k);
                    if (!any) applied.fullyMaskedRows.push_back({l, h, q});
                }
        const int64_t maskHeads = shared ? 1 : heads, maskLayers = shared ? 1 : layers;
        auto bytes = torch::empty({maskLayers, maskHeads, total, total}, torch::kUInt8);  // [layers, heads, T, T]
        for (int64_t l = 0; l < maskLayers; ++l)
            for (int64_t h = 0; h < maskHeads; ++h)
                std::memcpy(bytes[l][h].data_ptr<std::uint8_t>(),
                            applied.allowed.data() + (static_cast<std::size_t>(l) * heads + static_cast<std::size_t>(h)) * cells,
                            cells);
        // 0 where allowed, the float32 minimum where not (Hugging Face's additive mask).
        auto additive = (1.0 - bytes.to(torch::kFloat32)) * std::numeric_limits<float>::lowest();
        out.additiveMask = shared ? additive.expand({layers, 1, total, total}) : additive;
    }
    if (!applied.headMask.empty())
        out.headMask = torch::from_blob(applied.headMask.data(), {layers, heads}).clone();  // [layers, heads]
    return out;
}

}  // namespace ascope
