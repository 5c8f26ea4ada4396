#include "perf/bandwidth_probe.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include <immintrin.h>

#include "models/panel_product.h"
#include "util/huge_page_memory.h"

namespace ascope {

namespace {
// Sums 64-bit words with four independent accumulators (integer sums vectorise without
// reassociation concerns, and the result keeps the loads from being optimised away).
std::uint64_t sumWords(const std::uint64_t* p, std::size_t n) {
    std::uint64_t a = 0, b = 0, c = 0, d = 0;
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        a += p[i];
        b += p[i + 1];
        c += p[i + 2];
        d += p[i + 3];
    }
    for (; i < n; ++i) a += p[i];
    return a + b + c + d;
}

// How a read asks for its data ahead: not at all; far ahead into L2, as the panel kernel asks for
// its next stretch of weights while it reads the current one; or a little ahead into L1. Which is
// fastest depends on the CPU and on how much arithmetic each line gets (on a 2-core Xeon, with 16
// rows' arithmetic: 17 GB/s without, 23 into L2 16 KB ahead, 28-29 into L1 1 KB ahead).
enum class Ahead { None, FarIntoL2, NearIntoL1 };
constexpr Ahead kAheads[] = {Ahead::None, Ahead::FarIntoL2, Ahead::NearIntoL1};

// Asks for the four lines after `at`, 16 KB or 1 KB ahead as `ahead` says.
__attribute__((always_inline)) inline void askAhead(const void* at, Ahead ahead) {
    if (ahead == Ahead::FarIntoL2) {
        const char* from = static_cast<const char*>(at) + 16384;
        for (int line = 0; line < 4; ++line) _mm_prefetch(from + 64 * line, _MM_HINT_T1);
    } else if (ahead == Ahead::NearIntoL1) {
        const char* from = static_cast<const char*>(at) + 1024;
        for (int line = 0; line < 4; ++line) _mm_prefetch(from + 64 * line, _MM_HINT_T0);
    }
}

// The same with the widest loads the CPU has: four 64-byte loads per step into independent sums,
// as the AVX-512 products read their weights; each step also asks ahead as `ahead` says (askAhead).
// `p` is 64-byte aligned.
__attribute__((target("avx512f"))) std::uint64_t sumWordsAvx512(const std::uint64_t* p, std::size_t n, Ahead ahead) {
    __m512i a = _mm512_setzero_si512(), b = a, c = a, d = a;
    std::size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        askAhead(p + i, ahead);
        a = _mm512_add_epi64(a, _mm512_load_si512(p + i));
        b = _mm512_add_epi64(b, _mm512_load_si512(p + i + 8));
        c = _mm512_add_epi64(c, _mm512_load_si512(p + i + 16));
        d = _mm512_add_epi64(d, _mm512_load_si512(p + i + 24));
    }
    alignas(64) std::uint64_t lanes[8];
    _mm512_store_si512(lanes, _mm512_add_epi64(_mm512_add_epi64(a, b), _mm512_add_epi64(c, d)));
    return sumWords(lanes, 8) + sumWords(p + i, n - i);
}

// The same with AVX2's 32-byte loads, eight per step, for CPUs (or oneDNN holds) without AVX-512.
__attribute__((target("avx2"))) std::uint64_t sumWordsAvx2(const std::uint64_t* p, std::size_t n, Ahead ahead) {
    __m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;
    std::size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        askAhead(p + i, ahead);
        for (std::size_t half = 0; half < 32; half += 16) {
            const auto* q = reinterpret_cast<const __m256i*>(p + i + half);
            a = _mm256_add_epi64(a, _mm256_load_si256(q));
            b = _mm256_add_epi64(b, _mm256_load_si256(q + 1));
            c = _mm256_add_epi64(c, _mm256_load_si256(q + 2));
            d = _mm256_add_epi64(d, _mm256_load_si256(q + 3));
        }
    }
    alignas(32) std::uint64_t lanes[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), _mm256_add_epi64(_mm256_add_epi64(a, b), _mm256_add_epi64(c, d)));
    return sumWords(lanes, 4) + sumWords(p + i, n - i);
}

// Reads as sumWordsAvx512 does, and does on every 64 floats read the arithmetic a product of
// `rows` rows does on a 64-column row of its weight (models/panel_product.cpp): 4 x rows fused
// multiply-adds of the loaded registers, into eight independent accumulators.
__attribute__((target("avx512f,fma"))) std::uint64_t streamWithArithmetic(const std::uint64_t* p, std::size_t n, int rows,
                                                                         Ahead ahead) {
    const float* f = reinterpret_cast<const float*>(p);
    const std::size_t floats = n * 2;
    const __m512 x = _mm512_set1_ps(0.5f);
    __m512 acc[8];
    for (auto& v : acc) v = _mm512_setzero_ps();
    for (std::size_t i = 0; i + 64 <= floats; i += 64) {
        askAhead(f + i, ahead);
        const __m512 b0 = _mm512_load_ps(f + i), b1 = _mm512_load_ps(f + i + 16), b2 = _mm512_load_ps(f + i + 32),
                     b3 = _mm512_load_ps(f + i + 48);
        int r = 0;
        for (; r + 2 <= rows; r += 2) {
            acc[0] = _mm512_fmadd_ps(x, b0, acc[0]);
            acc[1] = _mm512_fmadd_ps(x, b1, acc[1]);
            acc[2] = _mm512_fmadd_ps(x, b2, acc[2]);
            acc[3] = _mm512_fmadd_ps(x, b3, acc[3]);
            acc[4] = _mm512_fmadd_ps(x, b0, acc[4]);
            acc[5] = _mm512_fmadd_ps(x, b1, acc[5]);
            acc[6] = _mm512_fmadd_ps(x, b2, acc[6]);
            acc[7] = _mm512_fmadd_ps(x, b3, acc[7]);
        }
        if (r < rows) {
            acc[0] = _mm512_fmadd_ps(x, b0, acc[0]);
            acc[1] = _mm512_fmadd_ps(x, b1, acc[1]);
            acc[2] = _mm512_fmadd_ps(x, b2, acc[2]);
            acc[3] = _mm512_fmadd_ps(x, b3, acc[3]);
        }
    }
    __m512 sum = acc[0];
    for (int k = 1; k < 8; ++k) sum = _mm512_add_ps(sum, acc[k]);
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, sum);
    return static_cast<std::uint64_t>(lanes[0] + lanes[15]);
}

// The same with AVX2: on every 64 floats read (eight 32-byte loads, four at a time), the 8 x rows
// fused multiply-adds a product of `rows` rows does on them (the narrow panel kernel's 16-column rows,
// four of them), into eight independent accumulators.
__attribute__((target("avx2,fma"))) std::uint64_t streamWithArithmeticAvx2(const std::uint64_t* p, std::size_t n, int rows,
                                                                          Ahead ahead) {
    const float* f = reinterpret_cast<const float*>(p);
    const std::size_t floats = n * 2;
    const __m256 x = _mm256_set1_ps(0.5f);
    __m256 acc[8];
    for (auto& v : acc) v = _mm256_setzero_ps();
    for (std::size_t i = 0; i + 64 <= floats; i += 64) {
        askAhead(f + i, ahead);
        for (std::size_t half = 0; half < 64; half += 32) {
            const __m256 b0 = _mm256_load_ps(f + i + half), b1 = _mm256_load_ps(f + i + half + 8),
                         b2 = _mm256_load_ps(f + i + half + 16), b3 = _mm256_load_ps(f + i + half + 24);
            int r = 0;
            for (; r + 2 <= rows; r += 2) {
                acc[0] = _mm256_fmadd_ps(x, b0, acc[0]);
                acc[1] = _mm256_fmadd_ps(x, b1, acc[1]);
                acc[2] = _mm256_fmadd_ps(x, b2, acc[2]);
                acc[3] = _mm256_fmadd_ps(x, b3, acc[3]);
                acc[4] = _mm256_fmadd_ps(x, b0, acc[4]);
                acc[5] = _mm256_fmadd_ps(x, b1, acc[5]);
                acc[6] = _mm256_fmadd_ps(x, b2, acc[6]);
                acc[7] = _mm256_fmadd_ps(x, b3, acc[7]);
            }
            if (r < rows) {
                acc[0] = _mm256_fmadd_ps(x, b0, acc[0]);
                acc[1] = _mm256_fmadd_ps(x, b1, acc[1]);
                acc[2] = _mm256_fmadd_ps(x, b2, acc[2]);
                acc[3] = _mm256_fmadd_ps(x, b3, acc[3]);
            }
        }
    }
    __m256 sum = acc[0];
    for (int k = 1; k < 8; ++k) sum = _mm256_add_ps(sum, acc[k]);
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, sum);
    return static_cast<std::uint64_t>(lanes[0] + lanes[7]);
}

// The widest loads (and fused multiply-adds) the products that stream the weights use here: the
// panel kernel's (models/panel_product.h), which follow the CPU and oneDNN's instruction-set hold.
enum class Vectors { Avx512, Avx2, None };
Vectors vectorsHere() {
    if (panelKernelAvailable()) return Vectors::Avx512;
    if (narrowPanelKernelAvailable()) return Vectors::Avx2;
    return Vectors::None;
}

struct HugePageDeleter {
    std::size_t bytes;
    void operator()(std::uint64_t* p) const { unmapHugePageMemory(p, bytes); }
};

// Runs work(t) on `threads` threads (the calling one included) and waits for all.
template <class Work>
void onThreads(int threads, Work work) {
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool) th.join();
}
}  // namespace

BandwidthProbe measureReadBandwidth(std::size_t bytes, int threads, int repeats, int arithmeticRows) {
    BandwidthProbe probe;
    probe.threads = std::max(1, threads);
    const std::size_t words = bytes / sizeof(std::uint64_t);
    probe.bytes = words * sizeof(std::uint64_t);
    const Vectors vectors = vectorsHere();
    const bool avx512 = vectors == Vectors::Avx512;
    if (arithmeticRows > 0 && vectors == Vectors::None) return probe;  // gbPerSecond stays 0
    // On 2 MB pages where the system offers them, as the packed weights are (util/huge_page_memory.h).
    std::unique_ptr<std::uint64_t, HugePageDeleter> buffer(static_cast<std::uint64_t*>(mapHugePageMemory(probe.bytes)),
                                                           HugePageDeleter{probe.bytes});
    // Shares in whole 64-byte lines, so every thread's part starts aligned.
    const std::size_t share = (words / 8 + static_cast<std::size_t>(probe.threads) - 1) / static_cast<std::size_t>(probe.threads) * 8;
    auto part = [&](int t, std::size_t& from, std::size_t& count) {
        from = std::min(words, share * static_cast<std::size_t>(t));
        count = std::min(words - from, share);
    };
    onThreads(probe.threads, [&](int t) {  // first touch by the thread that reads the part later
        std::size_t from = 0, count = 0;
        part(t, from, count);
        // Each 64-bit word holds two normal floats (0.01 and a little more), never a slow denormal.
        for (std::size_t i = 0; i < count; ++i) buffer.get()[from + i] = 0x3C23D70A3C23D70Bull + ((from + i) & 0xFF);
    });
    std::atomic<std::uint64_t> sink{0};
    probe.bestMs = 1e300;
    // Each repeat reads once for each way of asking ahead (kAheads), the plain loop only without.
    for (int r = 0; r < std::max(1, repeats); ++r)
        for (const Ahead ahead : kAheads) {
            if (ahead != Ahead::None && vectors == Vectors::None) continue;
            const auto t0 = std::chrono::steady_clock::now();
            onThreads(probe.threads, [&](int t) {
                std::size_t from = 0, count = 0;
                part(t, from, count);
                const auto* mine = buffer.get() + from;
                if (arithmeticRows > 0)
                    sink += avx512 ? streamWithArithmetic(mine, count, arithmeticRows, ahead)
                                   : streamWithArithmeticAvx2(mine, count, arithmeticRows, ahead);
                else if (vectors != Vectors::None)
                    sink += avx512 ? sumWordsAvx512(mine, count, ahead) : sumWordsAvx2(mine, count, ahead);
                else
                    sink += sumWords(mine, count);
            });
            const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
            probe.bestMs = std::min(probe.bestMs, ms);
        }
    probe.gbPerSecond = static_cast<double>(probe.bytes) / (probe.bestMs * 1e6);
    return probe;
}

}  // namespace ascope
