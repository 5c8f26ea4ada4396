#pragma once
// Checks the core tests share: the ids of a run's tokens, and a run's attention against the plain
// reference's within 1e-4.
#include <catch2/catch.hpp>
#include <vector>

#include "inference/text_analysis.h"
#include "reference_bert.h"

namespace ascope::test {

inline std::vector<int> idsOf(const std::vector<Token>& tokens) {
    std::vector<int> ids;
    for (const auto& t : tokens) ids.push_back(t.id);
    return ids;
}

inline std::vector<int> idsOf(const TextAnalysis& a) { return idsOf(a.tokens); }

// Every layer, head and cell of `a`'s attention against the reference's (only the first `queries`
// rows when given: the rest are padding).
inline void requireAttentionMatches(const TextAnalysis& a, const ReferenceOutput& ref, int queries = -1) {
    REQUIRE(a.attention.layers == static_cast<int>(ref.attention.size()));
    if (queries >= 0) REQUIRE(a.attention.queries == queries);
    const int rows = queries >= 0 ? queries : a.attention.queries;
    for (int l = 0; l < a.attention.layers; ++l)
        for (int h = 0; h < a.attention.heads; ++h)
            for (int i = 0; i < rows; ++i)
                for (int j = 0; j < a.attention.keys; ++j)
                    REQUIRE(a.attention.at(l, h, i, j) == Approx(ref.attention[l][h][i][j]).margin(1e-4));
}

}  // namespace ascope::test
