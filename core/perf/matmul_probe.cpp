#include "perf/matmul_probe.h"

#include <algorithm>
#include <chrono>
#include <vector>
#include <torch/torch.h>

#include "models/packed_linear.h"

namespace ascope {

std::string libraryName(MatmulLibrary library) {
    return library == MatmulLibrary::Blas ? "BLAS (torch::mm)" : "packed (PackedLinear)";
}

MatmulProbe measureMatmul(int m, int k, int n, int repeats, MatmulLibrary library, int weightCopies) {
    torch::InferenceMode guard;
    torch::manual_seed(1);
    const int copies = std::max(1, weightCopies);
    auto a = torch::randn({m, k});  // [m, k]
    std::vector<torch::Tensor> weights;      // [k, n] each
    std::vector<PackedLinear> packed(static_cast<std::size_t>(copies));
    for (int i = 0; i < copies; ++i) {
        weights.push_back(torch::randn({k, n}));
        if (library == MatmulLibrary::Packed) {
            packed[static_cast<std::size_t>(i)].pack(weights.back().t(), torch::Tensor());  // weight [n, k]
            weights.back() = torch::Tensor();  // only the packed copy stays
        }
    }
    auto product = [&](int i) {
        const auto w = static_cast<std::size_t>(i % copies);
        return library == MatmulLibrary::Blas ? torch::mm(a, weights[w]) : packed[w].forward(a);
    };
    auto c = product(0);  // warm-up (mm_out with a preallocated result ran single-threaded here)
    MatmulProbe probe{m, k, n, library, copies, 1e300, 0};
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        c = product(r + 1);
        const auto t1 = std::chrono::steady_clock::now();
        probe.bestMs = std::min(probe.bestMs, std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    probe.gflops = 2.0 * m * k * n / (probe.bestMs * 1e6);
    return probe;
}

}  // namespace ascope
