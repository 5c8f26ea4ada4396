#include "models/matrix_vector.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>

#include "models/panel_product.h"
#include "util/compute_threads.h"

namespace ascope {

namespace {
constexpr int64_t kRowsPerStep = 4;       // rows read side by side, sharing each load of x
constexpr int64_t kAheadBytes = 16384;    // how far ahead of each row its lines are asked for (into L2)
constexpr int64_t kFloatsPerAsk = 64;     // one ask covers four 64-byte lines of a row
constexpr int64_t kParallelFloats = 1 << 18;  // below 1 MB of matrix one thread does it all

// Asks for the four lines kAheadBytes after `at`.
__attribute__((always_inline)) inline void askAhead(const float* at) {
    const char* from = reinterpret_cast<const char*>(at) + kAheadBytes;
    for (int line = 0; line < 4; ++line) _mm_prefetch(from + 64 * line, _MM_HINT_T1);
}

// The eight lanes of v added in a fixed order.
__attribute__((target("avx2"))) inline float laneSum(__m256 v) {
    const __m128 four = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 two = _mm_add_ps(four, _mm_movehl_ps(four, four));
    return _mm_cvtss_f32(_mm_add_ss(two, _mm_shuffle_ps(two, two, 1)));
}

// The sixteen lanes of v added in a fixed order (GCC 12 warns of an uninitialised register inside
// _mm512_reduce_add_ps and the 256-bit extracts, so the lanes go through memory).
__attribute__((target("avx512f"))) inline float laneSum(__m512 v) {
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, v);
    for (int width = 8; width > 0; width /= 2)
        for (int i = 0; i < width; ++i) lanes[i] += lanes[i + width];
    return lanes[0];
}

// sums[r] = W[r, :] . x for R rows, one accumulator per row (a fixed order for each row, whatever R).
template <int R>
__attribute__((target("avx512f,fma"))) void rowsAvx512(const float* w, int64_t ldw, int64_t cols, const float* x,
                                                        float* sums) {
    __m512 acc[R];
    for (int r = 0; r < R; ++r) acc[r] = _mm512_setzero_ps();
    int64_t k = 0;
    for (; k + 16 <= cols; k += 16) {
        if (k % kFloatsPerAsk == 0)
            for (int r = 0; r < R; ++r) askAhead(w + r * ldw + k);
        const __m512 xk = _mm512_loadu_ps(x + k);
        for (int r = 0; r < R; ++r) acc[r] = _mm512_fmadd_ps(_mm512_loadu_ps(w + r * ldw + k), xk, acc[r]);
    }
    if (k < cols) {  // the last, partial 16 floats of each row
        const auto mask = static_cast<__mmask16>((1u << (cols - k)) - 1u);
        const __m512 xk = _mm512_maskz_loadu_ps(mask, x + k);
        for (int r = 0; r < R; ++r) acc[r] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, w + r * ldw + k), xk, acc[r]);
    }
    for (int r = 0; r < R; ++r) sums[r] = laneSum(acc[r]);
}

// The same with AVX2: 8 floats per load, the last partial ones through a lane mask.
template <int R>
__attribute__((target("avx2,fma"))) void rowsAvx2(const float* w, int64_t ldw, int64_t cols, const float* x, float* sums) {
    __m256 acc[R];
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) acc[r] = _mm256_setzero_ps();
    int64_t k = 0;
    for (; k + 8 <= cols; k += 8) {
        if (k % kFloatsPerAsk == 0)
#pragma GCC unroll 4
            for (int r = 0; r < R; ++r) askAhead(w + r * ldw + k);
        const __m256 xk = _mm256_loadu_ps(x + k);
#pragma GCC unroll 4
        for (int r = 0; r < R; ++r) acc[r] = _mm256_fmadd_ps(_mm256_loadu_ps(w + r * ldw + k), xk, acc[r]);
    }
    if (k < cols) {
        const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(cols - k)), lanes);
        const __m256 xk = _mm256_maskload_ps(x + k, mask);
#pragma GCC unroll 4
        for (int r = 0; r < R; ++r) acc[r] = _mm256_fmadd_ps(_mm256_maskload_ps(w + r * ldw + k, mask), xk, acc[r]);
    }
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) sums[r] = laneSum(acc[r]);
}

// Rows [first, last) of the product, kRowsPerStep at a time and the rest one by one.
template <void (*Step)(const float*, int64_t, int64_t, const float*, float*),
          void (*One)(const float*, int64_t, int64_t, const float*, float*)>
void rowRange(const float* w, int64_t first, int64_t last, int64_t cols, int64_t ldw, const float* x, const float* bias,
              float* y) {
    int64_t r = first;
    for (; r + kRowsPerStep <= last; r += kRowsPerStep) Step(w + r * ldw, ldw, cols, x, y + r);
    for (; r < last; ++r) One(w + r * ldw, ldw, cols, x, y + r);
    if (bias)
        for (int64_t i = first; i < last; ++i) y[i] += bias[i];
}
}  // namespace

bool matrixVectorAvailable() { return panelKernelAvailable() || narrowPanelKernelAvailable(); }

void matrixVector(const float* w, int64_t rows, int64_t cols, int64_t ldw, const float* x, const float* bias, float* y) {
    if (rows <= 0) return;
    const bool wide = panelKernelAvailable();
    auto range = [&](int64_t first, int64_t last) {
        if (wide)
            rowRange<rowsAvx512<kRowsPerStep>, rowsAvx512<1>>(w, first, last, cols, ldw, x, bias, y);
        else
            rowRange<rowsAvx2<kRowsPerStep>, rowsAvx2<1>>(w, first, last, cols, ldw, x, bias, y);
    };
    const int threads = rows * cols < kParallelFloats
                            ? 1
                            : static_cast<int>(std::min<int64_t>(configureComputeThreads(), rows / kRowsPerStep));
    if (threads <= 1) return range(0, rows);
#pragma omp parallel num_threads(threads)
    {  // contiguous runs of rows, one per thread: each streams its own part of the matrix
        const int64_t team = omp_get_num_threads(), t = omp_get_thread_num();
        range(rows * t / team, rows * (t + 1) / team);
    }
}

}  // namespace ascope
