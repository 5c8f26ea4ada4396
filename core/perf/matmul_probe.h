#pragma once
// Measures this machine's float32 matrix-multiply throughput, so benchmarks can report model
// GFLOP/s as a fraction of a real peak. Two libraries do products here: BLAS (through LibTorch)
// and oneDNN (the models' Linear layers, weights packed once); a fair peak is the best of both.
#include <string>

namespace ascope {

enum class MatmulLibrary {
    Blas,           // torch::mm: the system BLAS, which packs both operands on every call
    Packed,         // the right operand packed once beforehand, run as the models run it (PackedLinear:
                    // oneDNN's matmul, or the panel kernel for few rows, models/panel_product.h)
};

struct MatmulProbe {
    int m = 0, k = 0, n = 0;
    MatmulLibrary library = MatmulLibrary::Blas;
    int weightCopies = 1;
    double bestMs = 0;   // fastest of the repeats
    double gflops = 0;   // 2*m*k*n / bestMs
};

// weightCopies > 1: that many distinct right operands, used in turn, so each product finds its
// weights outside the core's caches, as a model's layers do (the peak probes use one, kept hot).
MatmulProbe measureMatmul(int m, int k, int n, int repeats, MatmulLibrary library = MatmulLibrary::Blas,
                          int weightCopies = 1);
std::string libraryName(MatmulLibrary library);

}  // namespace ascope
