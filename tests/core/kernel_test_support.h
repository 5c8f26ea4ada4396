#pragma once
// Shared by the kernel tests (core_kernel_tests): the largest absolute difference of two tensors.
#include <catch2/catch.hpp>
#include <torch/torch.h>

namespace ascope::test {

inline double maxDifference(const torch::Tensor& a, const torch::Tensor& b) {
    REQUIRE(a.sizes() == b.sizes());
    return (a - b).abs().max().item<double>();
}

}  // namespace ascope::test
