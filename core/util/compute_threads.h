#pragma once
// One place that decides how many threads LibTorch uses. Debian's LibTorch calls the system
// BLAS; with OpenBLAS's OpenMP flavour, LibTorch threads = physical cores was fastest on the
// reference 2-core machine (the pthread flavour with 2 LibTorch threads was 3-4x slower, as the
// two pools fight). ASCOPE_THREADS overrides the choice.
namespace ascope {

// Sets the thread count once (later calls with 0 keep it) and returns it.
int configureComputeThreads(int requested = 0);

}  // namespace ascope
