// The inference kernels against LibTorch's own operators: packed Linear layers (every activation,
// residual, row counts, strided weights, re-packing, released weights), the in-place decoder
// product, and the attention computed straight from the fused projections.
#include <catch2/catch.hpp>
#include <omp.h>

#include <cmath>
#include <initializer_list>
#include <thread>
#include <utility>
#include <vector>
#include <torch/torch.h>

#include "kernel_test_support.h"
#include "models/attention_math.h"
#include "models/packed_linear.h"
#include "models/panel_claims.h"
#include "models/panel_product.h"

using namespace ascope;
using ascope::test::maxDifference;

namespace {
torch::Tensor reference(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b, const Activation* act,
                        const torch::Tensor& residual) {
    auto y = torch::nn::functional::linear(x, w, b);
    if (act) y = applyActivation(*act, y);
    return residual.defined() ? y + residual : y;
}
}  // namespace

TEST_CASE("A packed Linear layer equals torch's linear, activation and residual add", "[core][kernels]") {
    torch::InferenceMode guard;
    torch::manual_seed(7);
    // BERT-base's shapes take the wide panel kernel for few rows where it runs (AVX-512), and the
    // narrow one for every row count with AVX2 alone (the CTest run held to AVX2); 100 x 200 has padded
    // panel rows and a last panel 8 columns wide (wide) or 8 (narrow), 48 x 80 whole narrow panels;
    // 1000 x 136 a last stretch shorter than the others for few rows and for many (wide and narrow).
    using Shape = std::pair<int64_t, int64_t>;
    const Shape shape = GENERATE(Shape{48, 80}, Shape{100, 200}, Shape{1000, 136}, Shape{768, 3072}, Shape{3072, 768});
    const int64_t in = shape.first, out = shape.second;
    INFO("weight " << in << " x " << out);
    auto w = torch::randn({out, in}) * (1.0 / std::sqrt(static_cast<double>(in))), b = torch::randn({out});
    PackedLinear packed;
    packed.pack(w, b);
    if (in >= 768) CHECK(packed.usesPanels() == (panelKernelAvailable() || narrowPanelKernelAvailable()));
    if (!panelKernelAvailable()) CHECK(packed.usesPanels() == narrowPanelKernelAvailable());
    INFO("panel kernel " << packed.usesPanels() << ", wide " << panelKernelAvailable());
    const Activation acts[] = {Activation::GeluErf, Activation::GeluTanh, Activation::Relu, Activation::Silu};
    for (int64_t rows : std::initializer_list<int64_t>{1, 3, 6, 7, 17, 64, 65, 112, 128, 129, 301, kPanelMaxRows, kPanelMaxRows + 1, 515}) {
        auto x = torch::randn({1, rows, in});
        auto residual = torch::randn({1, rows, out});
        INFO("rows " << rows);
        CHECK(maxDifference(packed.forward(x), reference(x, w, b, nullptr, {})) < 1e-4);
        CHECK(maxDifference(packed.forward(x, nullptr, residual), reference(x, w, b, nullptr, residual)) < 1e-4);
        for (const auto& act : acts) {
            INFO("activation " << static_cast<int>(act));
            CHECK(maxDifference(packed.forward(x, &act), reference(x, w, b, &act, {})) < 1e-4);
            CHECK(maxDifference(packed.forward(x, &act, residual), reference(x, w, b, &act, residual)) < 1e-4);
        }
    }
}

TEST_CASE("Panel claims hand out every item once: owners from the front, the others from the back",
          "[core][kernels]") {
    PanelClaims claims(3, 10, 2);  // panels 0-2, 3-5, 6-9 in each of 2 blocks
    REQUIRE(claims.owners() == 3);
    CHECK(claims.firstPanel(2) == 6);
    CHECK(claims.ownPanels(2) == 4);
    CHECK(claims.panelOf(1, 4) == 4);  // owner 1's fifth item: its second panel (4) of block 1
    CHECK(claims.blockOf(1, 4) == 1);
    int64_t item = -1;
    REQUIRE(claims.take(0, false, item));
    CHECK(item == 0);
    REQUIRE(claims.take(0, true, item));
    CHECK(item == 5);  // owner 0's last: panel 2 of block 1
    REQUIRE(claims.take(0, false, item));
    CHECK(item == 1);
    std::vector<int64_t> rest;
    while (claims.take(0, true, item)) rest.push_back(item);
    CHECK(rest == std::vector<int64_t>{4, 3, 2});
    CHECK_FALSE(claims.take(0, false, item));

    // Threads racing over every owner's items (more threads than owners) take each exactly once.
    PanelClaims shared(3, 1000, 7);
    std::vector<std::vector<int>> taken(3);
    for (int t = 0; t < 3; ++t) taken[t].assign(static_cast<std::size_t>(shared.ownPanels(t) * 7), 0);
    std::vector<std::vector<std::pair<int, int64_t>>> byThread(5);
    std::vector<std::thread> threads;
    for (int w = 0; w < 5; ++w)
        threads.emplace_back([&, w] {
            int64_t it = 0;
            for (int k = 0; k < 3; ++k)
                while (shared.take((w + k) % 3, k > 0, it)) byThread[w].emplace_back((w + k) % 3, it);
        });
    for (auto& t : threads) t.join();
    for (const auto& list : byThread)
        for (const auto& [owner, it] : list) ++taken[owner][static_cast<std::size_t>(it)];
    for (const auto& counts : taken)
        for (int c : counts) CHECK(c == 1);
}

TEST_CASE("A packed Linear is complete when one thread takes every other thread's panels", "[core][kernels]") {
    torch::InferenceMode guard;
    torch::manual_seed(11);
    // Inside an active OpenMP region the product's own team has one thread, which takes its own
    // panels and then all of the others' from the back, as it does when another thread stalls.
    const int levels = omp_get_max_active_levels();
    omp_set_max_active_levels(1);
    for (auto [in, out] : {std::pair<int64_t, int64_t>{100, 200}, {768, 3072}, {3072, 768}}) {
        auto w = torch::randn({out, in}) * (1.0 / std::sqrt(static_cast<double>(in))), b = torch::randn({out});
        PackedLinear packed;
        packed.pack(w, b);
        for (int64_t rows : {1, 7, 64, 129, 300}) {  // 129 and 300: two and three row blocks (narrow)
            INFO("weight " << in << " x " << out << ", rows " << rows);
            auto x = torch::randn({rows, in}), residual = torch::randn({rows, out});
            torch::Tensor y;
            int team = 0;
#pragma omp parallel num_threads(2)
            {
#pragma omp master
                {
                    torch::InferenceMode inner;
                    y = packed.forward(x, nullptr, residual);
#pragma omp parallel
                    team = omp_get_num_threads();
                }
            }
            CHECK(team == 1);
            CHECK(maxDifference(y, reference(x, w, b, nullptr, residual)) < 1e-4);
        }
    }
    omp_set_max_active_levels(levels);
}

TEST_CASE("Packing reads weights of any layout, and no bias means zero bias", "[core][kernels]") {
    torch::InferenceMode guard;
    torch::manual_seed(8);
    auto storage = torch::randn({24, 40});  // [in, out] in memory
    auto w = storage.t();                   // [out, in] view with swapped strides
    auto x = torch::randn({5, 24});
    PackedLinear packed;
    packed.pack(w, torch::Tensor());
    CHECK(maxDifference(packed.forward(x), torch::mm(x, storage)) < 1e-4);
    CHECK(maxDifference(linearInPlace(x, w, torch::Tensor()), torch::mm(x, storage)) < 1e-4);
    auto b = torch::randn({40});
    for (int64_t rows : {1, 2, 9}) {
        auto xr = torch::randn({rows, 24});
        CHECK(maxDifference(linearInPlace(xr, w, b), torch::mm(xr, storage) + b) < 1e-4);
    }
}

TEST_CASE("A packed Linear follows its module's weights, unless they were released", "[core][kernels]") {
    torch::manual_seed(9);
    torch::nn::Linear linear(16, 12);
    auto x = torch::randn({4, 16});
    PackedLinear packed;
    {
        torch::InferenceMode guard;
        packed.packIfChanged(linear);
        CHECK(maxDifference(packed.forward(x), linear(x)) < 1e-5);
    }
    {
        torch::NoGradGuard noGrad;
        linear->weight.mul_(-2.0);  // as an optimiser step would
        linear->bias.add_(1.0);
    }
    torch::InferenceMode guard;
    packed.packIfChanged(linear);
    CHECK(maxDifference(packed.forward(x), linear(x)) < 1e-5);
    const auto expected = linear(x);
    packed.packAndRelease(linear);
    CHECK(linear->weight.numel() == 0);  // the plain copy is gone
    packed.packIfChanged(linear);        // and nothing is re-packed from it
    CHECK(maxDifference(packed.forward(x), expected) < 1e-5);
}

TEST_CASE("Attention from the fused projections equals the plain computation, padding mask included",
          "[core][kernels]") {
    torch::InferenceMode guard;
    torch::manual_seed(10);
    const int64_t heads = 3, headDim = 8, hidden = heads * headDim;
    for (int64_t seq : {1, 7, 40}) {
        auto qkv = torch::randn({2, seq, 3 * hidden});  // [batch, seq, 3 * hidden]
        auto keep = torch::ones({2, seq}, torch::kLong);
        if (seq > 2) keep[1].slice(0, seq - 2).fill_(0);  // the second sentence is padded
        auto mask = additiveMaskFrom(keep);
        // The plain path scales the query itself; the inference path expects it pre-scaled.
        auto scaled = qkv.clone();
        scaled.slice(2, 0, hidden).mul_(1.0 / std::sqrt(static_cast<double>(headDim)));
        const auto expected = multiHeadAttention(qkv, heads, mask);
        auto probsOut = torch::empty({2, heads, seq, seq});
        const auto got = inferenceAttention(scaled, heads, mask, probsOut);
        INFO("seq " << seq);
        CHECK(maxDifference(got.probs, expected.probs) < 1e-5);
        CHECK(maxDifference(probsOut, expected.probs) < 1e-5);  // written where the caller asked
        CHECK(maxDifference(got.context, expected.context) < 1e-5);
        if (seq > 2) CHECK(got.probs[1].select(-1, seq - 1).abs().max().item<float>() == 0.f);  // padding gets nothing
    }
}
