#include "perf/matmul_probe.h"

#include <chrono>
#include <torch/torch.h>

namespace ascope {

MatmulProbe measureMatmul(int m, int k, int n, int repeats) {
    torch::InferenceMode guard;
    torch::manual_seed(1);
    auto a = torch::randn({m, k});
    auto b = torch::randn({k, n});
    auto c = torch::mm(a, b);  // warm-up (mm_out with a preallocated result ran single-threaded here)
    MatmulProbe probe{m, k, n, 1e300, 0};
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        c = torch::mm(a, b);
        const auto t1 = std::chrono::steady_clock::now();
        probe.bestMs = std::min(probe.bestMs, std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    probe.gflops = 2.0 * m * k * n / (probe.bestMs * 1e6);
    return probe;
}

}  // namespace ascope
