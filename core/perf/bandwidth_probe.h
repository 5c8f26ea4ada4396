#pragma once
// Measures how fast this machine reads memory, so benchmarks can report how close a run that
// streams the model's weights (a short sentence: every weight read once, little arithmetic) comes
// to the machine's real read bandwidth.
#include <cstddef>

namespace ascope {

struct BandwidthProbe {
    std::size_t bytes = 0;  // size of the buffer read
    int threads = 0;        // threads reading disjoint parts of it at once
    double bestMs = 0;      // fastest of the repeats
    double gbPerSecond = 0; // bytes / bestMs
};

// Reads a `bytes` buffer (written once beforehand, on huge pages where the system offers them) with
// `threads` threads, `repeats` times, with 64-byte loads on CPUs with AVX-512, 32-byte ones with AVX2
// (8-byte ones elsewhere; oneDNN's instruction-set hold DNNL_MAX_CPU_ISA applies, as to the products),
// without software prefetch and with it (far ahead into L2, near into L1), and keeps the fastest
// read. Size the buffer as the data the measured work streams: a CPU whose last-level cache is large
// keeps part of a few hundred MB (faster) and little of a GB.
//
// With `arithmeticRows` > 0 (CPUs with AVX-512 or AVX2; elsewhere gbPerSecond stays 0), every 64
// floats read also get the fused multiply-adds a product of that many rows does on them (4 x rows of
// 16 floats, or 8 x rows of 8), independent of each other: the fastest a product of that many rows can
// stream its weights where arithmetic and memory reads share a core.
BandwidthProbe measureReadBandwidth(std::size_t bytes, int threads, int repeats, int arithmeticRows = 0);

}  // namespace ascope
