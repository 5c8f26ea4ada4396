#include "util/compute_threads.h"

#include <cstdlib>
#include <mutex>
#include <thread>
#include <torch/torch.h>

namespace ascope {

int configureComputeThreads(int requested) {
    static std::mutex mutex;
    static int current = 0;
    std::lock_guard<std::mutex> lock(mutex);
    if (requested <= 0 && current > 0) return current;
    int n = requested;
    if (n <= 0) {
        if (const char* env = std::getenv("ASCOPE_THREADS")) n = std::atoi(env);
    }
    if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    torch::set_num_threads(n);
    current = n;
    return n;
}

}  // namespace ascope
