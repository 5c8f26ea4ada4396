#pragma once
// Shared by the kernel tests (core_kernel_tests): Catch's CHECK back after LibTorch's headers, and the
// largest absolute difference of two tensors.
#include <torch/torch.h>
#include <catch2/catch.hpp>

// LibTorch's headers bring glog, whose CHECK(condition) replaces Catch's: a false condition then aborts
// the whole test process ("Check failed") instead of being recorded, the test cases after it never run,
// and passing checks are not counted. Include this after <torch/torch.h> (it includes it first itself)
// so every CHECK in a kernel test is Catch's, as catch.hpp defines it.
#undef CHECK
#define CHECK(...) INTERNAL_CATCH_TEST("CHECK", Catch::ResultDisposition::ContinueOnFailure, __VA_ARGS__)

namespace ascope::test {

inline double maxDifference(const torch::Tensor& a, const torch::Tensor& b) {
    REQUIRE(a.sizes() == b.sizes());
    return (a - b).abs().max().item<double>();
}

}  // namespace ascope::test
