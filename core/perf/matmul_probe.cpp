#include "perf/matmul_probe.h"

#include <chrono>
#include <torch/torch.h>

#include "models/packed_linear.h"

namespace ascope {

std::string libraryName(MatmulLibrary library) {
    return library == MatmulLibrary::Blas ? "BLAS (torch::mm)" : "oneDNN, packed";
}

MatmulProbe measureMatmul(int m, int k, int n, int repeats, MatmulLibrary library) {
    torch::InferenceMode guard;
    torch::manual_seed(1);
    auto a = torch::randn({m, k});  // [m, k]
    auto b = torch::randn({k, n});  // [k, n]
    PackedLinear packed;
    if (library == MatmulLibrary::OneDnnPacked) packed.pack(b.t(), torch::Tensor());  // weight [n, k]
    auto product = [&] { return library == MatmulLibrary::Blas ? torch::mm(a, b) : packed.forward(a); };
    auto c = product();  // warm-up (mm_out with a preallocated result ran single-threaded here)
    MatmulProbe probe{m, k, n, library, 1e300, 0};
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        c = product();
        const auto t1 = std::chrono::steady_clock::now();
        probe.bestMs = std::min(probe.bestMs, std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    probe.gflops = 2.0 * m * k * n / (probe.bestMs * 1e6);
    return probe;
}

}  // namespace ascope
