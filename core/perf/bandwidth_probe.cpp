#include "perf/bandwidth_probe.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

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
    std::unique_ptr<std::uint64_t[]> buffer(new std::uint64_t[words]);
    const std::size_t share = (words + static_cast<std::size_t>(probe.threads) - 1) / static_cast<std::size_t>(probe.threads);
    auto part = [&](int t, std::size_t& from, std::size_t& count) {
        from = std::min(words, share * static_cast<std::size_t>(t));
        count = std::min(words - from, share);
    };
    onThreads(probe.threads, [&](int t) {  // first touch by the thread that reads the part later
        std::size_t from = 0, count = 0;
        part(t, from, count);
        for (std::size_t i = 0; i < count; ++i) buffer[from + i] = from + i;
    });
    std::atomic<std::uint64_t> sink{0};
    probe.bestMs = 1e300;
    for (int r = 0; r < std::max(1, repeats); ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        onThreads(probe.threads, [&](int t) {
            std::size_t from = 0, count = 0;
            part(t, from, count);
            sink += sumWords(buffer.get() + from, count);
        });
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        probe.bestMs = std::min(probe.bestMs, ms);
    }
    probe.gbPerSecond = static_cast<double>(probe.bytes) / (probe.bestMs * 1e6);
    return probe;
}

}  // namespace ascope
