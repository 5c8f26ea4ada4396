#pragma once
// Which kernels the models' products, attention and MLM decoder run on this machine (its CPU and oneDNN's
// instruction-set hold, DNNL_MAX_CPU_ISA), in one line for benchmarks to print beside their figures:
// figures from machines with and without AVX-512 come from different kernels.
#include <string>

namespace ascope {

std::string inferenceKernels();

}  // namespace ascope
