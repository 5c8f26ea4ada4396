#pragma once
// Internal: the row softmax of the inference attention (models/attention_math.cpp), vectorised for the
// widest instruction set oneDNN may use (so DNNL_MAX_CPU_ISA holds it too) with a polynomial exp.
#include <cstdint>

namespace ascope {

// x[0..n) <- softmax(x + mask) * scale, in place; mask is null or n additive values (0 allowed,
// float-lowest not). Entries below e^-70 (4e-31) times the row's largest become exactly 0: masked
// ones, and tiny ones that would otherwise end as denormal numbers and slow the products after.
// Each result is within a few units in the last place of the exact softmax of the float inputs.
void softmaxRow(float* x, const float* mask, int64_t n, float scale);

// The instruction set softmaxRow was compiled for on this CPU: "avx512", "avx2" or "generic".
const char* softmaxKernelIsa();

}  // namespace ascope
