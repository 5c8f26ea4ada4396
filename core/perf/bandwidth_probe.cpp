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

// The same with the widest loads the CPU has: four 64-byte loads per step into independent sums,
// as the AVX-512 products read their weights. `p` is 64-byte aligned.
__attribute__((target("avx512f"))) std::uint64_t sumWordsAvx512(const std::uint64_t* p, std::size_t n) {
    __m512i a = _mm512_setzero_si512(), b = a, c = a, d = a;
    std::size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        a = _mm512_add_epi64(a, _mm512_load_si512(p + i));
        b = _mm512_add_epi64(b, _mm512_load_si512(p + i + 8));
        c = _mm512_add_epi64(c, _mm512_load_si512(p + i + 16));
        d = _mm512_add_epi64(d, _mm512_load_si512(p + i + 24));
    }
    alignas(64) std::uint64_t lanes[8];
    _mm512_store_si512(lanes, _mm512_add_epi64(_mm512_add_epi64(a, b), _mm512_add_epi64(c, d)));
    return sumWords(lanes, 8) + sumWords(p + i, n - i);
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

BandwidthProbe measureReadBandwidth(std::size_t bytes, int threads, int repeats) {
    BandwidthProbe probe;
    probe.threads = std::max(1, threads);
    const std::size_t words = bytes / sizeof(std::uint64_t);
    probe.bytes = words * sizeof(std::uint64_t);
    // On 2 MB pages where the system offers them, as the packed weights are (util/huge_page_memory.h).
    std::unique_ptr<std::uint64_t, HugePageDeleter> buffer(static_cast<std::uint64_t*>(mapHugePageMemory(probe.bytes)),
                                                           HugePageDeleter{probe.bytes});
    const bool avx512 = __builtin_cpu_supports("avx512f");
    // Shares in whole 64-byte lines, so every thread's part starts aligned.
    const std::size_t share = (words / 8 + static_cast<std::size_t>(probe.threads) - 1) / static_cast<std::size_t>(probe.threads) * 8;
    auto part = [&](int t, std::size_t& from, std::size_t& count) {
        from = std::min(words, share * static_cast<std::size_t>(t));
        count = std::min(words - from, share);
    };
    onThreads(probe.threads, [&](int t) {  // first touch by the thread that reads the part later
        std::size_t from = 0, count = 0;
        part(t, from, count);
        for (std::size_t i = 0; i < count; ++i) buffer.get()[from + i] = from + i;
    });
    std::atomic<std::uint64_t> sink{0};
    probe.bestMs = 1e300;
    for (int r = 0; r < std::max(1, repeats); ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        onThreads(probe.threads, [&](int t) {
            std::size_t from = 0, count = 0;
            part(t, from, count);
            sink += avx512 ? sumWordsAvx512(buffer.get() + from, count) : sumWords(buffer.get() + from, count);
        });
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        probe.bestMs = std::min(probe.bestMs, ms);
    }
    probe.gbPerSecond = static_cast<double>(probe.bytes) / (probe.bestMs * 1e6);
    return probe;
}

}  // namespace ascope
