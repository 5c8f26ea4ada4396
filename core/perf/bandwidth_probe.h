#pragma once
// Measures how fast this machine reads memory, so benchmarks can report how close a run that
// streams the model's weights (a short sentence: every weight read once, little arithmetic) comes
// to the machine's real read bandwidth.
#include <cstddef>

namespace ascope {

struct BandwidthProbe {
    std::size_t bytes = 0;  // size of the buffer read (far larger than the caches)
    int threads = 0;        // threads reading disjoint parts of it at once
    double bestMs = 0;      // fastest of the repeats
    double gbPerSecond = 0; // bytes / bestMs
};

// Reads a `bytes` buffer (written once beforehand, on huge pages where the system offers them) with
// `threads` threads, `repeats` times, with 64-byte loads on CPUs with AVX-512 (8-byte ones elsewhere).
BandwidthProbe measureReadBandwidth(std::size_t bytes, int threads, int repeats);

}  // namespace ascope
