#pragma once
// Internal: the process-wide oneDNN CPU engine and a cache of matmul primitives, shared by every
// layer and model (a primitive depends only on shapes, not on weights).
#include "util/core_internal.h"
#include <cstdint>
#include <functional>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>

namespace ascope::onednn {

dnnl::engine& cpuEngine();

// Whether oneDNN may use AVX-512 here: the CPU has it and DNNL_MAX_CPU_ISA does not hold it back.
// The project's own vector kernels follow the same hold.
bool allowsAvx512();
// Whether oneDNN may use AVX2 (or more) here, under the same hold.
bool allowsAvx2();

struct Matmul {
    dnnl::matmul::primitive_desc desc;
    dnnl::matmul primitive;
};

// Returns the primitive cached under `key`, building it from `describe` the first time. Primitives
// use a per-call scratchpad, so forwards running on different threads stay independent.
Matmul cachedMatmul(const std::string& key,
                    const std::function<dnnl::matmul::desc()>& describe,
                    dnnl::primitive_attr attr = {});

// An eltwise (activation) primitive applied in place to a [rows, cols] float32 matrix, cached
// like the matmuls under its algorithm, alpha and shape.
struct Eltwise {
    dnnl::eltwise_forward primitive;
    dnnl::memory::desc desc;
};
Eltwise cachedEltwise(dnnl::algorithm algorithm, float alpha, int64_t rows, int64_t cols);

// Runs `m` on `args` (plus its scratchpad) and waits for it.
void run(const Matmul& m, std::unordered_map<int, dnnl::memory> args);
// Runs a primitive without scratchpad on `args` on the compute threads and waits for it.
void runPrimitive(const dnnl::primitive& p, const std::unordered_map<int, dnnl::memory>& args);

}  // namespace ascope::onednn
