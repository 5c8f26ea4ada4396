#include "analysis/attention_views.h"

#include <algorithm>

namespace ascope {

AttentionMatrix selectAttention(const AttentionStack& a, int layer, int head, HeadAggregation aggregation,
                                const std::vector<bool>& hidden, bool renormalise) {
    AttentionMatrix m;
    if (a.empty() || layer < 0 || layer >= a.layers) return m;
    for (int i = 0; i < a.queries; ++i)
        if (i >= static_cast<int>(hidden.size()) || !hidden[static_cast<std::size_t>(i)]) m.tokenIndex.push_back(i);
    m.rows = m.cols = static_cast<int>(m.tokenIndex.size());
    m.values.assign(static_cast<std::size_t>(m.rows) * m.cols, 0.f);
    const auto rollout = aggregation == HeadAggregation::Rollout ? attentionRollout(a, 0.0, layer) : std::vector<float>();
    for (int r = 0; r < m.rows; ++r) {
        for (int c = 0; c < m.cols; ++c) {
            const int i = m.tokenIndex[static_cast<std::size_t>(r)], j = m.tokenIndex[static_cast<std::size_t>(c)];
            float v = 0.f;
            if (aggregation == HeadAggregation::Single) {
                v = a.at(layer, std::clamp(head, 0, a.heads - 1), i, j);
            } else if (aggregation == HeadAggregation::Rollout) {
                v = rollout[static_cast<std::size_t>(i) * a.queries + j];
            } else if (aggregation == HeadAggregation::Mean) {
                for (int h = 0; h < a.heads; ++h) v += a.at(layer, h, i, j);
                v /= static_cast<float>(a.heads);
            } else {
                for (int h = 0; h < a.heads; ++h) v = std::max(v, a.at(layer, h, i, j));
            }
            m.values[static_cast<std::size_t>(r) * m.cols + c] = v;
        }
        if (renormalise) {
            float sum = 0.f;
            for (int c = 0; c < m.cols; ++c) sum += m.values[static_cast<std::size_t>(r) * m.cols + c];
            if (sum > 0.f)
                for (int c = 0; c < m.cols; ++c) m.values[static_cast<std::size_t>(r) * m.cols + c] /= sum;
        }
    }
    return m;
}

std::vector<float> attentionRollout(const AttentionStack& a, double discardFraction, int throughLayer) {
    const int n = a.queries;
    const std::size_t nn = static_cast<std::size_t>(n) * n;
    std::vector<float> result(nn, 0.f);
    for (int i = 0; i < n; ++i) result[static_cast<std::size_t>(i) * n + i] = 1.f;
    if (a.empty()) return result;
    std::vector<float> layer(nn), next(nn);
    const int layers = throughLayer < 0 ? a.layers : std::min(a.layers, throughLayer + 1);
    for (int l = 0; l < layers; ++l) {
        std::fill(layer.begin(), layer.end(), 0.f);
        for (int h = 0; h < a.heads; ++h) {
            const float* m = a.matrix(l, h);
            for (std::size_t k = 0; k < nn; ++k) layer[k] += m[k] / static_cast<float>(a.heads);
        }
        if (discardFraction > 0.0) {
            std::vector<float> sorted(layer);
            const auto cut = static_cast<std::size_t>(std::clamp(discardFraction, 0.0, 1.0) * static_cast<double>(nn));
            if (cut > 0) {
                std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(cut - 1), sorted.end());
                const float threshold = sorted[cut - 1];
                for (int i = 0; i < n; ++i)
                    for (int j = 0; j < n; ++j)
                        if (i != j && layer[static_cast<std::size_t>(i) * n + j] <= threshold)
                            layer[static_cast<std::size_t>(i) * n + j] = 0.f;
            }
        }
        for (int i = 0; i < n; ++i) {
            float sum = 0.f;
            for (int j = 0; j < n; ++j) {
                auto& v = layer[static_cast<std::size_t>(i) * n + j];
                v = 0.5f * v + (i == j ? 0.5f : 0.f);  // (A + I) / 2
                sum += v;
            }
            for (int j = 0; j < n; ++j) layer[static_cast<std::size_t>(i) * n + j] /= sum;
        }
        // result = layer x result (later layers on the left).
        std::fill(next.begin(), next.end(), 0.f);
        for (int i = 0; i < n; ++i)
            for (int k = 0; k < n; ++k) {
                const float w = layer[static_cast<std::size_t>(i) * n + k];
                if (w == 0.f) continue;
                for (int j = 0; j < n; ++j) next[static_cast<std::size_t>(i) * n + j] += w * result[static_cast<std::size_t>(k) * n + j];
            }
        result.swap(next);
    }
    return result;
}

}  // namespace ascope
