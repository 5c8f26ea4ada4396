#pragma once
// Measures this machine's float32 matrix-multiply throughput through the same LibTorch/BLAS
// path the models use, so benchmarks can report model GFLOP/s as a fraction of a real peak.
namespace ascope {

struct MatmulProbe {
    int m = 0, k = 0, n = 0;
    double bestMs = 0;   // fastest of the repeats
    double gflops = 0;   // 2*m*k*n / bestMs
};

MatmulProbe measureMatmul(int m, int k, int n, int repeats);

}  // namespace ascope
