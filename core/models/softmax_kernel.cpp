#include "models/softmax_kernel.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <oneapi/dnnl/dnnl.hpp>

#include "models/onednn_support.h"

// The vector helpers below are always inlined within this file, so no vector crosses a call: GCC's
// note about the ABI of 64-byte vector arguments does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace ascope {
namespace {

// Vectors of GCC's vector extension, one register wide for the target each body is inlined into:
// sixteen floats for AVX-512, eight for AVX2, four for SSE2 (every x86-64 CPU).
typedef float F16 __attribute__((vector_size(64)));
typedef int32_t I16 __attribute__((vector_size(64)));
typedef float F8 __attribute__((vector_size(32)));
typedef int32_t I8 __attribute__((vector_size(32)));
typedef float F4 __attribute__((vector_size(16)));
typedef int32_t I4 __attribute__((vector_size(16)));

constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693145751953125f;  // ln 2 split so n * kLn2Hi is exact
constexpr float kLn2Lo = 1.42860682030941723e-6f;
// Below: returned as 0. exp(-70) = 4e-31, so after the softmax's normalisation (a factor of at
// least 1/n) no result is a denormal number, which would slow every later product that reads it
// by an order of magnitude (microcode assists), as would e^x's own denormal range below -87.3.
constexpr float kLowest = -70.f;
constexpr float kHighest = 88.f;       // above: clamped (softmax only feeds values <= 0)
constexpr float kRound = 12582912.f;  // 1.5 * 2^23: adding and subtracting it rounds to an integer

// exp(x) = 2^n * exp(r), n = round(x / ln 2), |r| <= ln 2 / 2, exp(r) by its Taylor polynomial of
// degree 7 (truncation error below 1e-8 relative).
template <typename F, typename I>
inline __attribute__((always_inline)) F expApprox(F x) {
    const F high = F{} + kHighest, low = F{} + kLowest;
    const F below = x < high ? x : high;
    const F clamped = below > low ? below : low;  // n stays within a float exponent's range
    const F n = (clamped * kLog2e + kRound) - kRound;
    const F r = (clamped - n * kLn2Hi) - n * kLn2Lo;
    F p = F{} + 1.f / 5040.f;
    p = p * r + 1.f / 720.f;
    p = p * r + 1.f / 120.f;
    p = p * r + 1.f / 24.f;
    p = p * r + 1.f / 6.f;
    p = p * r + 0.5f;
    p = p * r + 1.f;
    p = p * r + 1.f;
    I bits;
    if constexpr (sizeof(F) == sizeof(float)) bits = (static_cast<I>(n) + 127) << 23;
    else bits = (__builtin_convertvector(n, I) + 127) << 23;
    F scaleBy;
    std::memcpy(&scaleBy, &bits, sizeof(F));
    const F result = p * scaleBy;
    const F zero = F{};
    const F underflowed = x < kLowest ? zero : result;
    return x != x ? x : underflowed;  // NaN stays NaN
}

inline __attribute__((always_inline)) float expScalar(float x) {
    return expApprox<float, int32_t>(x);
}

template <typename F>
inline __attribute__((always_inline)) F load(const float* p) {
    F v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
template <typename F>
inline __attribute__((always_inline)) void store(float* p, F v) {
    std::memcpy(p, &v, sizeof v);
}

template <typename F, typename I>
inline __attribute__((always_inline)) void softmaxBody(float* __restrict x, const float* __restrict mask, int64_t n,
                                                        float scale) {
    constexpr int kLanes = sizeof(F) / sizeof(float);
    const int64_t full = n - n % kLanes;
    // Pass 1: add the mask, find the maximum.
    F vmax = F{} + -std::numeric_limits<float>::infinity();
    for (int64_t i = 0; i < full; i += kLanes) {
        F v = load<F>(x + i);
        if (mask) {
            v += load<F>(mask + i);
            store(x + i, v);
        }
        vmax = v > vmax ? v : vmax;
    }
    float m = -std::numeric_limits<float>::infinity();
    for (int k = 0; k < kLanes; ++k) m = vmax[k] > m ? vmax[k] : m;
    for (int64_t i = full; i < n; ++i) {
        if (mask) x[i] += mask[i];
        m = x[i] > m ? x[i] : m;
    }
    // Pass 2: exponentials and their sum.
    F vsum = F{};
    for (int64_t i = 0; i < full; i += kLanes) {
        const F e = expApprox<F, I>(load<F>(x + i) - m);
        store(x + i, e);
        vsum += e;
    }
    float sum = 0.f;
    for (int k = 0; k < kLanes; ++k) sum += vsum[k];
    for (int64_t i = full; i < n; ++i) {
        x[i] = expScalar(x[i] - m);
        sum += x[i];
    }
    // Pass 3: normalise (and scale: the head mask).
    const float factor = scale / sum;
    for (int64_t i = 0; i < full; i += kLanes) store(x + i, load<F>(x + i) * factor);
    for (int64_t i = full; i < n; ++i) x[i] *= factor;
}

__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,fma,avx2"))) void softmaxAvx512(float* x, const float* mask,
                                                                                         int64_t n, float scale) {
    softmaxBody<F16, I16>(x, mask, n, scale);
}
__attribute__((target("avx2,fma"))) void softmaxAvx2(float* x, const float* mask, int64_t n, float scale) {
    softmaxBody<F8, I8>(x, mask, n, scale);
}
void softmaxGeneric(float* x, const float* mask, int64_t n, float scale) { softmaxBody<F4, I4>(x, mask, n, scale); }

using Kernel = void (*)(float*, const float*, int64_t, float);
struct Chosen {
    Kernel kernel;
    const char* isa;
};

// oneDNN's effective ISA already reflects both the CPU and DNNL_MAX_CPU_ISA.
Chosen choose() {
    const bool avx512 = onednn::allowsAvx512();
    const bool avx2 = onednn::allowsAvx2();
    if (avx512 && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))
        return {softmaxAvx512, "avx512"};
    if (avx2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return {softmaxAvx2, "avx2"};
    return {softmaxGeneric, "generic"};
}

const Chosen& chosen() {
    static const Chosen c = choose();
    return c;
}

}  // namespace

void softmaxRow(float* x, const float* mask, int64_t n, float scale) { chosen().kernel(x, mask, n, scale); }

const char* softmaxKernelIsa() { return chosen().isa; }

}  // namespace ascope
