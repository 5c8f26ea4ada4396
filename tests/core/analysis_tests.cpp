#include <catch2/catch.hpp>
#include <cmath>

#include "analysis/attention_views.h"
#include "analysis/head_statistics.h"
#include "analysis/positional_encoding.h"

using namespace ascope;

namespace {
// Two layers, two heads, three tokens with hand-written rows (each sums to 1).
AttentionStack handStack() {
    AttentionStack a;
    a.layers = 2;
    a.heads = 2;
    a.queries = a.keys = 3;
    a.values = {// layer 0 head 0
                1, 0, 0, 0.5f, 0.5f, 0, 0.2f, 0.3f, 0.5f,
                // layer 0 head 1
                0, 1, 0, 0, 0, 1, 1, 0, 0,
                // layer 1 head 0
                0.6f, 0.2f, 0.2f, 0.1f, 0.8f, 0.1f, 0, 0, 1,
                // layer 1 head 1
                0.2f, 0.2f, 0.6f, 0.3f, 0.3f, 0.4f, 0.5f, 0.25f, 0.25f};
    return a;
}
}  // namespace

TEST_CASE("Mean and max over heads combine the heads cell by cell", "[core][analysis]") {
    const auto a = handStack();
    auto mean = selectAttention(a, 0, 0, HeadAggregation::Mean);
    CHECK(mean.at(0, 0) == Approx(0.5));
    CHECK(mean.at(1, 2) == Approx(0.5));
    auto mx = selectAttention(a, 1, 0, HeadAggregation::Max);
    CHECK(mx.at(0, 2) == Approx(0.6));
    CHECK(mx.at(2, 2) == Approx(1.0));
    auto single = selectAttention(a, 1, 1, HeadAggregation::Single);
    CHECK(single.at(2, 1) == Approx(0.25));
}

TEST_CASE("Hiding tokens drops them from both axes and renormalises the rows", "[core][analysis]") {
    const auto a = handStack();
    auto m = selectAttention(a, 0, 0, HeadAggregation::Single, {true, false, false}, true);
    REQUIRE(m.rows == 2);
    CHECK(m.tokenIndex == std::vector<int>{1, 2});
    CHECK(m.at(0, 0) == Approx(1.0));          // 0.5 / 0.5
    CHECK(m.at(1, 0) == Approx(0.3 / 0.8));    // row 2 without column 0
    CHECK(m.at(1, 1) == Approx(0.5 / 0.8));
}

TEST_CASE("Attention rollout multiplies (A + I) / 2 through the layers", "[core][analysis]") {
    const auto a = handStack();
    const auto r = attentionRollout(a);
    // Independent computation for 3x3 matrices.
    auto layerMatrix = [&](int l) {
        std::vector<double> m(9);
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j)
                m[i * 3 + j] = 0.5 * (a.at(l, 0, i, j) + a.at(l, 1, i, j)) / 2 + (i == j ? 0.5 : 0.0);
        return m;
    };
    const auto l0 = layerMatrix(0), l1 = layerMatrix(1);
    for (int i = 0; i < 3; ++i) {
        double rowSum = 0;
        for (int j = 0; j < 3; ++j) {
            double v = 0;
            for (int k = 0; k < 3; ++k) v += l1[i * 3 + k] * l0[k * 3 + j];
            CHECK(r[i * 3 + j] == Approx(v).margin(1e-6));
            rowSum += r[i * 3 + j];
        }
        CHECK(rowSum == Approx(1.0));
    }
    // Through layer 0 only: (A0 + I) / 2 alone. The rollout view of text shows it per layer.
    const auto first = attentionRollout(a, 0.0, 0);
    const auto view0 = selectAttention(a, 0, 0, HeadAggregation::Rollout);
    const auto view1 = selectAttention(a, 1, 0, HeadAggregation::Rollout);
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
            CHECK(first[i * 3 + j] == Approx(l0[i * 3 + j]).margin(1e-6));
            CHECK(view0.at(i, j) == Approx(l0[i * 3 + j]).margin(1e-6));
            CHECK(view1.at(i, j) == Approx(r[i * 3 + j]).margin(1e-6));
        }
    // Discarding the lowest weights keeps rows normalised.
    const auto d = attentionRollout(a, 0.5);
    for (int i = 0; i < 3; ++i) CHECK(d[i * 3] + d[i * 3 + 1] + d[i * 3 + 2] == Approx(1.0));
}

TEST_CASE("The sinusoidal encoding follows Attention Is All You Need", "[core][analysis]") {
    const auto pe = sinusoidalEncoding(50, 16);
    CHECK(pe[0] == Approx(0.0));
    CHECK(pe[1] == Approx(1.0));
    CHECK(pe[7 * 16 + 0] == Approx(std::sin(7.0)));
    CHECK(pe[7 * 16 + 5] == Approx(std::cos(7.0 / std::pow(10000.0, 4.0 / 16))));
    const auto sim = cosineSimilarity(pe, 50, 16);
    CHECK(sim[3 * 50 + 3] == Approx(1.0));
    CHECK(sim[3 * 50 + 4] > sim[3 * 50 + 40]);  // neighbours are more alike than distant positions
    CHECK(sim[10 * 50 + 20] == Approx(sim[20 * 50 + 10]));
}

#include "analysis/patch_attention.h"

TEST_CASE("Patch heat takes the query's row without the prefix tokens and scales it to 1", "[core][analysis]") {
    ImageAnalysis img;
    img.prefixTokens = 1;
    img.gridRows = 1;
    img.gridCols = 2;
    img.attention = handStack();  // 3 tokens: [CLS] + 2 patches
    PatchHeatRequest r;
    r.source = PatchHeatSource::Head;
    r.layer = 0;
    r.head = 0;
    r.queryPatch = 1;  // token 2: row {0.2, 0.3, 0.5}
    auto heat = patchHeat(img, r);
    REQUIRE(heat.size() == 2);
    CHECK(heat[0] == Approx(0.6));
    CHECK(heat[1] == Approx(1.0));
    r.normalise = false;
    r.source = PatchHeatSource::HeadMean;
    r.queryPatch = -1;  // [CLS] row, mean of {0,1,0} and {1,0,0}... layer 0: (1+0)/2, (0+1)/2, 0
    heat = patchHeat(img, r);
    CHECK(heat[0] == Approx(0.5));
    CHECK(heat[1] == Approx(0.0));
    r.source = PatchHeatSource::Rollout;
    const auto rollout = attentionRollout(img.attention);
    heat = patchHeat(img, r);
    CHECK(heat[1] == Approx(rollout[2]));
}

TEST_CASE("Head statistics: entropy, mean distance and the shares of [CLS], [SEP], self, neighbours",
          "[core][analysis][heads]") {
    const auto a = handStack();
    TokenRoles roles{{true, false, false}, {false, false, true}, {false, true, false}};
    const auto stats = headStatistics(a, roles);
    REQUIRE(stats.size() == 4);
    CHECK(stats[1].layer == 0);
    CHECK(stats[1].head == 1);
    CHECK(stats[2].layer == 1);
    CHECK(stats[2].head == 0);

    // Layer 0, head 1 looks at exactly one token per row: 0 -> 1, 1 -> 2, 2 -> 0.
    const auto& h01 = stats[1];
    CHECK(h01.entropy == Approx(0.0).margin(1e-12));
    CHECK(h01.meanDistance == Approx(4.0 / 3));
    CHECK(h01.next == Approx(2.0 / 3));
    CHECK(h01.previous == Approx(0.0));
    CHECK(h01.self == Approx(0.0));
    CHECK(h01.cls == Approx(1.0 / 3));
    CHECK(h01.sep == Approx(1.0 / 3));
    CHECK(h01.punctuation == Approx(1.0 / 3));

    // Layer 0, head 0: rows (1, 0, 0), (.5, .5, 0), (.2, .3, .5).
    const auto& h00 = stats[0];
    const double rowEntropy = -(0.2 * std::log(0.2) + 0.3 * std::log(0.3) + 0.5 * std::log(0.5));
    CHECK(h00.entropy == Approx((std::log(2.0) + rowEntropy) / 3).epsilon(1e-6));
    CHECK(h00.meanDistance == Approx((0.5 + 0.2 * 2 + 0.3) / 3).epsilon(1e-6));
    CHECK(h00.self == Approx((1 + 0.5 + 0.5) / 3).epsilon(1e-6));
    CHECK(h00.previous == Approx((0.5 + 0.3) / 3).epsilon(1e-6));
    CHECK(h00.next == Approx(0.0));
    CHECK(h00.cls == Approx((1 + 0.5 + 0.2) / 3).epsilon(1e-6));

    // Uniform attention over n keys has entropy ln n; the shares of a stack always stay in [0, 1].
    AttentionStack uniform;
    uniform.layers = uniform.heads = 1;
    uniform.queries = uniform.keys = 4;
    uniform.values.assign(16, 0.25f);
    const auto u = headStatistics(uniform, TokenRoles{});
    CHECK(u[0].entropy == Approx(std::log(4.0)));
    CHECK(u[0].meanDistance == Approx((1.5 + 1.0 + 1.0 + 1.5) / 4));
    CHECK(u[0].cls == 0);  // no roles given: no shares
}

TEST_CASE("Token roles recognise [CLS]/<s>, [SEP]/</s> and punctuation pieces", "[core][analysis][heads]") {
    std::vector<Token> tokens;
    for (const char* t : {"[CLS]", "the", ".", "##.", "...", "«", "a.", "?!", "[MASK]", "</s>", "<s>", "—"})
        tokens.push_back(Token{t, 0, 0, 0, std::string(t) == "[CLS]" || std::string(t) == "[MASK]"});
    const auto r = tokenRolesOf(tokens);
    CHECK(r.cls == std::vector<bool>{true, false, false, false, false, false, false, false, false, false, true, false});
    CHECK(r.sep == std::vector<bool>{false, false, false, false, false, false, false, false, false, true, false, false});
    CHECK(r.punctuation == std::vector<bool>{false, false, true, true, true, true, false, true, false, false, false, true});
}
