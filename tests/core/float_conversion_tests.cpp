#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <torch/torch.h>
#include <vector>

#include "checkpoint/tensor_view.h"
#include "kernel_test_support.h"  // Catch's CHECK, not glog's

using namespace ascope;

namespace {
float fromBits(std::uint32_t bits) {
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

// Values that exercise every branch: zeros, subnormal halves and their rounding ties, the
// normal range, the overflow threshold, infinities and NaNs, and random bit patterns.
std::vector<float> probeValues() {
    std::vector<float> v = {0.f, -0.f, 1.f, -1.f, 0.1f, 1.f / 3, 65504.f, 65519.f, 65520.f, 65536.f, 1e9f, -1e9f,
                            6.1035156e-05f, 6.0975552e-05f, 5.9604645e-08f, 2.9802322e-08f, 2.9802326e-08f, 1e-8f,
                            1e-30f, 1e-45f, std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(),
                            std::numeric_limits<float>::max(), std::numeric_limits<float>::min()};
    std::mt19937 rng(7);
    for (int i = 0; i < 200000; ++i) v.push_back(fromBits(static_cast<std::uint32_t>(rng())));
    // Every exponent around half's range, with halfway mantissas.
    for (std::uint32_t e = 95; e < 150; ++e)
        for (std::uint32_t m : {0u, 0x1000u, 0x1001u, 0x3000u, 0xFFFu, 0x7FF000u, 0x7FFFFFu, 0x400000u})
            for (std::uint32_t sign : {0u, 0x80000000u}) v.push_back(fromBits(sign | (e << 23) | m));
    return v;
}
}  // namespace

TEST_CASE("float32 to half and bfloat16 matches LibTorch bit for bit", "[core][checkpoint][convert]") {
    const auto values = probeValues();
    const auto input = torch::from_blob(const_cast<float*>(values.data()), {static_cast<int64_t>(values.size())});
    const auto half = input.to(torch::kHalf).contiguous();
    const auto bf16 = input.to(torch::kBFloat16).contiguous();
    const auto* halfBits = static_cast<const std::uint16_t*>(half.data_ptr());
    const auto* bf16Bits = static_cast<const std::uint16_t*>(bf16.data_ptr());
    int halfMismatches = 0, bf16Mismatches = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (floatToHalf(values[i]) != halfBits[i] && ++halfMismatches <= 5)
            UNSCOPED_INFO("half of " << values[i] << ": " << floatToHalf(values[i]) << " vs " << halfBits[i]);
        // LibTorch itself writes NaN as 0x7FC0 (scalar) or 0xFFFF (AVX-512 kernels): any NaN is right.
        const bool nan = std::isnan(values[i]);
        if (nan) REQUIRE(((floatToBFloat16(values[i]) & 0x7F80) == 0x7F80 && (floatToBFloat16(values[i]) & 0x7F) != 0));
        if (!nan && floatToBFloat16(values[i]) != bf16Bits[i] && ++bf16Mismatches <= 5)
            UNSCOPED_INFO("bfloat16 of " << values[i] << ": " << floatToBFloat16(values[i]) << " vs " << bf16Bits[i]);
    }
    REQUIRE(halfMismatches == 0);
    REQUIRE(bf16Mismatches == 0);
}

TEST_CASE("Half conversion rounds to nearest even at the edges of its range", "[core][checkpoint][convert]") {
    REQUIRE(floatToHalf(1.f) == 0x3C00);
    REQUIRE(floatToHalf(-2.f) == 0xC000);
    REQUIRE(floatToHalf(65504.f) == 0x7BFF);
    REQUIRE(floatToHalf(65520.f) == 0x7C00);      // the tie above the largest half goes to infinity
    REQUIRE(floatToHalf(5.9604645e-08f) == 0x0001);  // the smallest subnormal
    REQUIRE(floatToHalf(2.9802322e-08f) == 0x0000);  // exactly half of it: ties to even, zero
    REQUIRE(floatToHalf(-0.f) == 0x8000);
    REQUIRE(floatToBFloat16(1.f) == 0x3F80);
    REQUIRE(floatToBFloat16(fromBits(0x3F808000)) == 0x3F80);  // tie, even stays
    REQUIRE(floatToBFloat16(fromBits(0x3F818000)) == 0x3F82);  // tie, odd rounds up
}

TEST_CASE("Every half value widens to float32 exactly as LibTorch widens it", "[core][checkpoint][convert]") {
    // All 65536 bit patterns, in an odd-length buffer so that both the eight-wide and the scalar path run.
    std::vector<std::uint16_t> halves(65536 + 3);
    for (std::size_t i = 0; i < halves.size(); ++i) halves[i] = static_cast<std::uint16_t>(i);
    TensorView view;
    view.dtype = DType::F16;
    view.shape = {static_cast<std::int64_t>(halves.size())};
    view.data = reinterpret_cast<const std::uint8_t*>(halves.data());
    std::vector<float> ours;
    REQUIRE(toFloat32(view, ours));
    auto expected = torch::from_blob(halves.data(), {static_cast<int64_t>(halves.size())}, torch::kHalf).to(torch::kFloat).contiguous();
    const float* theirs = expected.data_ptr<float>();
    int mismatches = 0;
    for (std::size_t i = 0; i < halves.size(); ++i) {
        const bool same = std::isnan(theirs[i]) ? std::isnan(ours[i]) : std::memcmp(&ours[i], &theirs[i], 4) == 0;
        if (!same && ++mismatches <= 5) FAIL_CHECK("half 0x" << std::hex << halves[i] << ": " << ours[i] << " vs " << theirs[i]);
    }
    REQUIRE(mismatches == 0);
}

TEST_CASE("Every bfloat16 value widens to float32 exactly as LibTorch widens it", "[core][checkpoint][convert]") {
    // All 65536 bit patterns at an odd byte offset and an odd length: the eight-wide path reads
    // unaligned memory and the scalar path finishes the tail.
    std::vector<std::uint8_t> bytes(1 + 2 * (65536 + 5));
    for (std::size_t i = 0; i < 65536 + 5; ++i) {
        const auto bits = static_cast<std::uint16_t>(i * 40503u);  // every pattern, in a scrambled order
        bytes[1 + 2 * i] = static_cast<std::uint8_t>(bits & 0xFF);
        bytes[2 + 2 * i] = static_cast<std::uint8_t>(bits >> 8);
    }
    TensorView view;
    view.dtype = DType::BF16;
    view.shape = {65536 + 5};
    view.data = bytes.data() + 1;
    std::vector<float> ours;
    REQUIRE(toFloat32(view, ours));
    std::vector<std::uint16_t> aligned(65536 + 5);
    std::memcpy(aligned.data(), bytes.data() + 1, aligned.size() * 2);
    auto expected = torch::from_blob(aligned.data(), {static_cast<int64_t>(aligned.size())}, torch::kBFloat16).to(torch::kFloat).contiguous();
    const float* theirs = expected.data_ptr<float>();
    int mismatches = 0;
    for (std::size_t i = 0; i < aligned.size(); ++i)
        if (std::memcmp(&ours[i], &theirs[i], 4) != 0 && ++mismatches <= 5)
            FAIL_CHECK("bfloat16 0x" << std::hex << aligned[i] << ": " << ours[i] << " vs " << theirs[i]);
    REQUIRE(mismatches == 0);
}
