// The inference attention (oneDNN's products around a one-pass masked softmax) and its vectorised
// row softmax, against LibTorch's own operators and the plain attention, at the lengths a long
// text reaches (511-513 tokens), with padding, per-head masks and head masks.
#include <catch2/catch.hpp>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <utility>
#include <torch/torch.h>

#include "kernel_test_support.h"
#include "models/attention_kernel.h"
#include "models/attention_math.h"
#include "models/matrix_vector.h"
#include "models/panel_product.h"
#include "models/packed_linear.h"
#include "models/softmax_kernel.h"
#include "perf/kernel_report.h"

using namespace ascope;
using ascope::test::maxDifference;

namespace {

std::string heldIsa() {
    const char* held = std::getenv("DNNL_MAX_CPU_ISA");
    std::string isa = held ? held : "";
    for (auto& c : isa) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return isa;
}
}  // namespace

TEST_CASE("The vectorised row softmax equals LibTorch's, and masked entries get exactly nothing", "[core][kernels]") {
    torch::manual_seed(3);
    const float lowest = std::numeric_limits<float>::lowest();
    for (int64_t n : {1, 2, 15, 16, 17, 31, 64, 100, 511, 512, 513}) {
        INFO("n " << n);
        auto scores = torch::randn({n}) * 12.0;  // a spread as wide as trained heads reach
        auto mask = torch::zeros({n});
        for (int64_t j = 1; j < n; j += 3) mask[j] = lowest;  // every third key (never the first) blocked
        const float scale = n % 2 ? 1.f : 0.5f;
        const auto expected = torch::softmax(scores + mask, 0) * scale;
        auto got = scores.clone();
        softmaxRow(got.data_ptr<float>(), mask.data_ptr<float>(), n, scale);
        CHECK(maxDifference(got, expected) < 1e-6);
        CHECK(((got - expected).abs() / expected.clamp_min(1e-30)).masked_select(expected > 1e-30).max().item<double>() < 1e-5);
        for (int64_t j = 1; j < n; j += 3) CHECK(got[j].item<float>() == 0.f);
        auto unmasked = scores.clone();
        softmaxRow(unmasked.data_ptr<float>(), nullptr, n, 1.f);
        CHECK(maxDifference(unmasked, torch::softmax(scores, 0)) < 1e-6);
        CHECK(std::abs(unmasked.sum().item<double>() - 1.0) < 1e-5);
    }
}

TEST_CASE("The row softmax keeps extreme scores finite: a far outlier takes everything", "[core][kernels]") {
    auto x = torch::tensor({0.f, 200.f, -200.f, 88.f, 100.f, -1e30f, 3.f, 4.f, 5.f, 6.f, 7.f, 8.f, 9.f, 10.f, 11.f, 12.f, 13.f});
    const auto expected = torch::softmax(x, 0);
    softmaxRow(x.data_ptr<float>(), nullptr, x.numel(), 1.f);
    CHECK(torch::isfinite(x).all().item<bool>());
    CHECK(maxDifference(x, expected) < 1e-6);
    CHECK(x[1].item<float>() == Approx(1.0));
}

TEST_CASE("The row softmax follows oneDNN's instruction-set hold", "[core][kernels]") {
    const std::string isa = heldIsa(), kernel = softmaxKernelIsa();
    INFO("held to '" << isa << "', kernel " << kernel);
    if (isa == "sse41") CHECK(kernel == "generic");
    else if (isa == "avx2") CHECK(kernel != "avx512");
    CHECK((kernel == "avx512" || kernel == "avx2" || kernel == "generic"));
}

TEST_CASE("Attention runs in one pass per head where AVX-512 or AVX2 is allowed (oneDNN's products elsewhere)",
          "[core][kernels]") {
    const std::string isa = heldIsa(), softmax = softmaxKernelIsa();
    INFO("held to '" << isa << "', softmax " << softmax);
    CHECK(fusedAttentionAvailable() ==
          ((panelKernelAvailable() && softmax == "avx512") || (narrowPanelKernelAvailable() && softmax != "generic")));
    if (isa == "avx2") CHECK(fusedAttentionAvailable() == narrowPanelKernelAvailable());
    if (isa == "sse41") CHECK_FALSE(fusedAttentionAvailable());
}

TEST_CASE("The benchmark's kernel line names the kernels that run under each hold", "[core][kernels]") {
    const std::string isa = heldIsa(), line = inferenceKernels();
    INFO("held to '" << isa << "': " << line);
    CHECK((line.find("64-column panel kernel") != std::string::npos) == panelKernelAvailable());
    CHECK((line.find("16-column panel kernel") != std::string::npos) == (!panelKernelAvailable() && narrowPanelKernelAvailable()));
    CHECK((line.find("one pass per head") != std::string::npos) == fusedAttentionAvailable());
    CHECK((line.find("the matrix-vector kernel up to 8 [MASK]s") != std::string::npos) == matrixVectorAvailable());
    if (isa == "avx2" && narrowPanelKernelAvailable())
        CHECK(line == "products: the 16-column panel kernel (AVX2); attention: one pass per head (AVX2); "
                      "decoder: the matrix-vector kernel up to 8 [MASK]s (AVX2)");
    if (isa == "sse41")
        CHECK(line == "products: BLAS; attention: oneDNN's products, the generic softmax; "
                      "decoder: BLAS's matrix-vector product, oneDNN from 2 [MASK]s");
}

TEST_CASE("Inference attention equals the plain computation at long and odd lengths, with every kind of mask",
          "[core][kernels]") {
    torch::InferenceMode guard;
    torch::manual_seed(11);
    const float lowest = std::numeric_limits<float>::lowest();
    const int64_t heads = 2;
    // BERT's head size at every length; heads wider than one 64-column tile and narrower than a vector.
    for (auto [seq, headDim] : {std::pair<int64_t, int64_t>{3, 64}, {129, 64}, {511, 64}, {512, 64}, {513, 64}, {77, 96}, {70, 5}}) {
        INFO("seq " << seq << ", head size " << headDim);
        const int64_t hidden = heads * headDim;
        auto qkv = torch::randn({2, seq, 3 * hidden});  // [batch, seq, 3 * hidden]
        auto scaled = qkv.clone();
        scaled.slice(2, 0, hidden).mul_(1.0 / std::sqrt(static_cast<double>(headDim)));
        // Padding: the second sentence's last fifth is pad.
        auto keep = torch::ones({2, seq}, torch::kLong);
        keep[1].slice(0, seq - seq / 5).fill_(0);
        const auto padding = additiveMaskFrom(keep);  // [batch, 1, 1, seq]
        // A per-head mask as the masked-attention lesson builds: head 0 causal, head 1 blocks key 1.
        auto perHead = torch::zeros({1, heads, seq, seq});
        perHead[0][0].copy_(torch::triu(torch::full({seq, seq}, lowest), 1));
        if (seq > 1) perHead[0][1].select(1, 1).fill_(lowest);
        const auto headScale = torch::tensor({{1.f, 0.f}, {0.5f, 1.f}});  // [batch, heads]
        struct Case {
            const char* name;
            torch::Tensor mask, scale;
        };
        for (const auto& c : {Case{"no mask", {}, {}}, Case{"padding", padding, {}}, Case{"per-head mask", perHead, {}},
                              Case{"padding and head mask", padding, headScale}}) {
            INFO(c.name);
            const auto expected = multiHeadAttention(qkv, heads, c.mask, {}, c.scale);
            auto probsOut = torch::empty({2, heads, seq, seq});
            const auto got = inferenceAttention(scaled, heads, c.mask, probsOut, c.scale);
            CHECK(got.probs.data_ptr() == probsOut.data_ptr());  // written where the caller asked
            CHECK(maxDifference(got.probs, expected.probs) < 1e-5);
            CHECK(maxDifference(got.context, expected.context) < 1e-4);
        }
    }
}

TEST_CASE("Inference attention over padding rows is the tokens' attention alone, with zero context on the padding",
          "[core][kernels]") {
    torch::InferenceMode guard;
    torch::manual_seed(12);
    const float lowest = std::numeric_limits<float>::lowest();
    const int64_t heads = 3, headDim = 16, hidden = heads * headDim;
    for (auto [seq, rows] : {std::pair<int64_t, int64_t>{301, 304}, {257, 260}, {511, 512}, {5, 8}}) {
        INFO(seq << " tokens in " << rows << " rows");
        CHECK(rowsForProducts(seq) == (seq >= 256 ? rows : seq));
        auto qkv = torch::randn({1, seq, 3 * hidden});  // [1, seq, 3 * hidden], the query already scaled
        // The padding rows hold large values: any of them reaching the tokens' results would show.
        auto padded = torch::cat({qkv, torch::full({1, rows - seq, 3 * hidden}, 1e3f)}, 1);  // [1, rows, 3 * hidden]
        auto causal = torch::triu(torch::full({seq, seq}, lowest), 1).view({1, 1, seq, seq});
        for (const auto& mask : {torch::Tensor(), causal}) {
            INFO((mask.defined() ? "causal" : "no mask"));
            const auto scale = torch::tensor({1.f, 0.f, 0.5f});  // [heads]
            const auto expected = inferenceAttention(qkv, heads, mask, {}, scale);
            auto probsOut = torch::empty({1, heads, seq, seq});
            const auto got = inferenceAttention(padded, heads, mask, probsOut, scale, seq);
            CHECK(got.probs.data_ptr() == probsOut.data_ptr());
            REQUIRE(got.context.sizes() == torch::IntArrayRef({1, rows, hidden}));
            CHECK(maxDifference(got.probs, expected.probs) < 1e-6);
            CHECK(maxDifference(got.context.narrow(1, 0, seq), expected.context) < 1e-5);
            CHECK(got.context.narrow(1, seq, rows - seq).abs().max().item<float>() == 0.f);
        }
    }
}

TEST_CASE("Rows are padded for the products only from 256 tokens, to a multiple of 4", "[core][kernels]") {
    torch::InferenceMode guard;
    CHECK(rowsForProducts(1) == 1);
    CHECK(rowsForProducts(255) == 255);
    CHECK(rowsForProducts(256) == 256);
    CHECK(rowsForProducts(257) == 260);
    CHECK(rowsForProducts(577) == 580);
    const auto x = torch::randn({1, 301, 8});
    const auto padded = padRowsForProducts(x);  // [1, 304, 8]
    REQUIRE(padded.sizes() == torch::IntArrayRef({1, 304, 8}));
    CHECK(torch::equal(padded.narrow(1, 0, 301), x));
    CHECK(torch::count_nonzero(padded.narrow(1, 301, 3)).item<int64_t>() == 0);
    const auto batch = torch::randn({2, 301, 8});
    CHECK(padRowsForProducts(batch).data_ptr() == batch.data_ptr());  // batches run as they are
    const auto short_ = torch::randn({1, 40, 8});
    CHECK(padRowsForProducts(short_).data_ptr() == short_.data_ptr());
}
