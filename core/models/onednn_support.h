#pragma once
// Internal: the process-wide oneDNN CPU engine and a cache of matmul primitives, shared by every
// layer and model (a primitive depends only on shapes, not on weights).
#include "util/core_internal.h"
#include <functional>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>

namespace ascope::onednn {

dnnl::engine& cpuEngine();

struct Matmul {
    dnnl::matmul::primitive_desc desc;
    dnnl::matmul primitive;
};

// Returns the primitive cached under `key`, building it from `describe` the first time. Primitives
// use a per-call scratchpad, so forwards running on different threads stay independent.
Matmul cachedMatmul(const std::string& key,
                    const std::function<dnnl::matmul::desc()>& describe,
                    dnnl::primitive_attr attr = {});

// Runs `m` on `args` (plus its scratchpad) and waits for it.
void run(const Matmul& m, std::unordered_map<int, dnnl::memory> args);
// Runs a primitive without scratchpad on `args` on the compute threads and waits for it.
void runPrimitive(const dnnl::primitive& p, const std::unordered_map<int, dnnl::memory>& args);

}  // namespace ascope::onednn
