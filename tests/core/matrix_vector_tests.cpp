// The decoder's matrix-vector kernel (core/models/matrix_vector.h) against a plain double-precision
// sum, and the few-rows product the MLM head calls against LibTorch's addmm. Under the AVX2 hold
// (CTest runs this target again with DNNL_MAX_CPU_ISA=AVX2) the AVX2 kernel is the one checked; held
// to SSE4.1 the kernel does not run and the product falls back to addmv.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>
#include <torch/torch.h>

#include "kernel_test_support.h"
#include "models/matrix_vector.h"
#include "models/packed_linear.h"
#include "models/panel_product.h"

using namespace ascope;
using ascope::test::maxDifference;

namespace {
// A row-major [rows, cols] matrix with `ldw` floats per row; the floats past `cols` are NaN, so a
// kernel that reads them (or multiplies by them) turns its sums into NaN.
struct StridedMatrix {
    int64_t rows, cols, ldw;
    std::vector<float> values;
    StridedMatrix(int64_t r, int64_t c, int64_t ld) : rows(r), cols(c), ldw(ld), values(static_cast<std::size_t>(r * ld)) {
        const auto random = torch::randn({r, c});
        const auto* from = random.data_ptr<float>();
        for (int64_t i = 0; i < r; ++i)
            for (int64_t k = 0; k < ld; ++k)
                values[static_cast<std::size_t>(i * ld + k)] = k < c ? from[i * c + k] : std::numeric_limits<float>::quiet_NaN();
    }
    float at(int64_t i, int64_t k) const { return values[static_cast<std::size_t>(i * ldw + k)]; }
};

std::vector<float> randomVector(int64_t n) {
    const auto t = torch::randn({n});
    return {t.data_ptr<float>(), t.data_ptr<float>() + n};
}
}  // namespace

TEST_CASE("A matrix-vector product equals a plain double-precision sum at every width, row count and stride",
          "[core][kernels]") {
    if (!matrixVectorAvailable()) {
        CHECK_FALSE(narrowPanelKernelAvailable());  // only where neither AVX-512 nor AVX2 may run
        return;
    }
    torch::manual_seed(21);
    // Widths around the 8- and 16-float loads and the 64-float prefetch step; row counts around the
    // 2- and 4-row steps; 1200 x 768 is large enough to run on every compute thread.
    for (int64_t cols : {1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 128, 200, 768}) {
        for (int64_t rows : {1, 3, 4, 5, 9, 1200}) {
            for (int64_t vectors = 1; vectors <= kMaxVectors; ++vectors) {
                for (int64_t pad : {int64_t{0}, int64_t{3}}) {
                    const bool withBias = (rows + vectors + pad) % 2 == 0;
                    INFO(rows << " x " << cols << ", row stride " << cols + pad << ", " << vectors << " vectors"
                              << (withBias ? ", bias" : ", no bias"));
                    const StridedMatrix w(rows, cols, cols + pad);
                    const auto x = randomVector(vectors * cols), bias = randomVector(rows);
                    std::vector<float> y(static_cast<std::size_t>(vectors * rows), -1.f);
                    matrixVector(w.values.data(), rows, cols, w.ldw, x.data(), vectors, withBias ? bias.data() : nullptr,
                                 y.data());
                    double worst = 0;
                    for (int64_t v = 0; v < vectors; ++v) {
                        for (int64_t i = 0; i < rows; ++i) {
                            double sum = withBias ? bias[static_cast<std::size_t>(i)] : 0.0, magnitude = std::abs(sum);
                            for (int64_t k = 0; k < cols; ++k) {
                                const double term = double{w.at(i, k)} * x[static_cast<std::size_t>(v * cols + k)];
                                sum += term;
                                magnitude += std::abs(term);
                            }
                            const double error = std::abs(y[static_cast<std::size_t>(v * rows + i)] - sum) / (magnitude + 1e-30);
                            worst = std::isnan(error) ? std::numeric_limits<double>::infinity() : std::max(worst, error);
                        }
                    }
                    // A float32 sum of n terms is within n units of rounding of the terms' magnitudes; each
                    // lane here sums cols / 8 terms at most, then the lanes and the bias are added.
                    CHECK(worst < (static_cast<double>(cols) / 8 + 8) * std::numeric_limits<float>::epsilon());
                }
            }
        }
    }
    CHECK_THROWS_AS(matrixVector(nullptr, 1, 1, 1, nullptr, kMaxVectors + 1, nullptr, nullptr), std::invalid_argument);
}

TEST_CASE("Each sum of a matrix-vector product is the same whichever rows and vectors come along", "[core][kernels]") {
    if (!matrixVectorAvailable()) return;
    torch::manual_seed(22);
    // Large enough to be split over the compute threads; 771 columns end in a partial load.
    const int64_t rows = 2003, cols = 771;
    const StridedMatrix w(rows, cols, cols);
    const auto x = randomVector(kMaxVectors * cols), bias = randomVector(rows);
    std::vector<float> all(static_cast<std::size_t>(kMaxVectors * rows));
    matrixVector(w.values.data(), rows, cols, cols, x.data(), kMaxVectors, bias.data(), all.data());
    // Each vector alone, and runs of rows that start off the 4-row step: the same floats, bit for bit.
    for (int64_t v = 0; v < kMaxVectors; ++v) {
        std::vector<float> one(static_cast<std::size_t>(rows));
        matrixVector(w.values.data(), rows, cols, cols, x.data() + v * cols, 1, bias.data(), one.data());
        INFO("vector " << v);
        CHECK(std::memcmp(one.data(), all.data() + v * rows, one.size() * sizeof(float)) == 0);
    }
    for (int64_t first : {0, 1, 2, 3, 999, 2000}) {
        for (int64_t count : {1, 2, 5}) {
            if (first + count > rows) continue;
            for (int64_t vectors : {3, 6}) {  // 4 rows a step with AVX-512 and 3 vectors, 2 with 6 (AVX2: 2, 1)
                std::vector<float> part(static_cast<std::size_t>(vectors * count));
                matrixVector(w.values.data() + first * cols, count, cols, cols, x.data(), vectors, bias.data() + first,
                             part.data());
                INFO("rows " << first << " .. " << first + count - 1 << ", " << vectors << " vectors");
                for (int64_t v = 0; v < vectors; ++v)
                    CHECK(std::memcmp(part.data() + v * count, all.data() + v * rows + first, count * sizeof(float)) == 0);
            }
        }
    }
}

TEST_CASE("The decoder's few-rows product equals LibTorch's, for any weight layout and row count", "[core][kernels]") {
    torch::InferenceMode guard;
    torch::manual_seed(23);
    for (auto [out, in] : {std::pair<int64_t, int64_t>{30522, 768}, {1000, 128}, {5, 3}}) {
        // Up to kMaxVectors rows read the weight once; more go through the packed-less oneDNN product.
        for (int64_t n : {1, 2, 3, 4, 5, 7, 8, 9}) {
            INFO(out << " x " << in << ", " << n << " rows");
            const auto w = torch::randn({out, in}), x = torch::randn({n, in}), b = torch::randn({out});
            CHECK(maxDifference(fewRowsLinearInPlace(x, w, b), torch::addmm(b, x, w.t())) < 1e-4);
            CHECK(maxDifference(fewRowsLinearInPlace(x, w, torch::Tensor()), torch::mm(x, w.t())) < 1e-4);
            // A transposed view (columns not contiguous) and a row-strided slice of a wider matrix.
            const auto storage = torch::randn({in, out});
            CHECK(maxDifference(fewRowsLinearInPlace(x, storage.t(), b), torch::addmm(b, x, storage)) < 1e-4);
            const auto slice = torch::randn({out, in + 5}).narrow(1, 2, in);
            CHECK(maxDifference(fewRowsLinearInPlace(x, slice, b), torch::addmm(b, x, slice.t())) < 1e-4);
            // Other dtypes are read as float32.
            CHECK(maxDifference(fewRowsLinearInPlace(x.to(torch::kFloat64), w.to(torch::kFloat16), b),
                                torch::addmm(b, x, w.to(torch::kFloat16).to(torch::kFloat32).t())) < 1e-3);
        }
    }
    const auto w = torch::randn({4, 3});
    CHECK_THROWS(fewRowsLinearInPlace(torch::randn({1, 2}), w, torch::Tensor()));
    CHECK_THROWS(fewRowsLinearInPlace(torch::randn({2, 3}), w, torch::randn({5})));
    CHECK_THROWS(fewRowsLinearInPlace(torch::randn({3}), w, torch::Tensor()));
}
