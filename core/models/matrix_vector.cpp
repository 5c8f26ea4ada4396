#include "models/matrix_vector.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <stdexcept>

#include "models/panel_product.h"
#include "util/compute_threads.h"

namespace ascope {

namespace {
constexpr int kRowsPerStep = 4;  // rows read side by side, sharing each load of x (fewer with more vectors)
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

// y[v * ldy + r] = W[r, :] . x[v, :] for R rows and M vectors, one accumulator for each (a fixed
// order for each row and vector, whatever R and M).
template <int R, int M>
__attribute__((target("avx512f,fma"))) void rowsAvx512(const float* w, int64_t ldw, int64_t cols, const float* x, float* y,
                                                        int64_t ldy) {
    __m512 acc[R][M];
    for (int r = 0; r < R; ++r)
        for (int v = 0; v < M; ++v) acc[r][v] = _mm512_setzero_ps();
    int64_t k = 0;
    for (; k + 16 <= cols; k += 16) {
        if (k % kFloatsPerAsk == 0)
            for (int r = 0; r < R; ++r) askAhead(w + r * ldw + k);
        __m512 xk[M];
        for (int v = 0; v < M; ++v) xk[v] = _mm512_loadu_ps(x + v * cols + k);
        for (int r = 0; r < R; ++r) {
            const __m512 wk = _mm512_loadu_ps(w + r * ldw + k);
            for (int v = 0; v < M; ++v) acc[r][v] = _mm512_fmadd_ps(wk, xk[v], acc[r][v]);
        }
    }
    if (k < cols) {  // the last, partial 16 floats of each row
        const auto mask = static_cast<__mmask16>((1u << (cols - k)) - 1u);
        for (int r = 0; r < R; ++r) {
            const __m512 wk = _mm512_maskz_loadu_ps(mask, w + r * ldw + k);
            for (int v = 0; v < M; ++v)
                acc[r][v] = _mm512_fmadd_ps(wk, _mm512_maskz_loadu_ps(mask, x + v * cols + k), acc[r][v]);
        }
    }
    for (int r = 0; r < R; ++r)
        for (int v = 0; v < M; ++v) y[v * ldy + r] = laneSum(acc[r][v]);
}

// The same with AVX2: 8 floats per load, the last partial ones through a lane mask. Every loop over
// the accumulators is unrolled so they stay in registers (R x M + M + 1 of AVX2's 16; with one row,
// each load of x can go straight into its multiply-add).
template <int R, int M>
__attribute__((target("avx2,fma"))) void rowsAvx2(const float* w, int64_t ldw, int64_t cols, const float* x, float* y,
                                                  int64_t ldy) {
    __m256 acc[R][M];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
        for (int v = 0; v < M; ++v) acc[r][v] = _mm256_setzero_ps();
    int64_t k = 0;
    for (; k + 8 <= cols; k += 8) {
        if (k % kFloatsPerAsk == 0)
#pragma GCC unroll 8
            for (int r = 0; r < R; ++r) askAhead(w + r * ldw + k);
        __m256 xk[M];
#pragma GCC unroll 8
        for (int v = 0; v < M; ++v) xk[v] = _mm256_loadu_ps(x + v * cols + k);
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
            const __m256 wk = _mm256_loadu_ps(w + r * ldw + k);
#pragma GCC unroll 8
            for (int v = 0; v < M; ++v) acc[r][v] = _mm256_fmadd_ps(wk, xk[v], acc[r][v]);
        }
    }
    if (k < cols) {
        const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(cols - k)), lanes);
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
            const __m256 wk = _mm256_maskload_ps(w + r * ldw + k, mask);
#pragma GCC unroll 8
            for (int v = 0; v < M; ++v) acc[r][v] = _mm256_fmadd_ps(wk, _mm256_maskload_ps(x + v * cols + k, mask), acc[r][v]);
        }
    }
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
        for (int v = 0; v < M; ++v) y[v * ldy + r] = laneSum(acc[r][v]);
}

// Rows [first, last) of the product with M vectors: Step (R rows at a time), then One row at a time.
template <int R, int M, bool Wide>
void rowRange(const float* w, int64_t first, int64_t last, int64_t cols, int64_t ldw, const float* x, const float* bias,
              float* y, int64_t ldy) {
    int64_t r = first;
    for (; r + R <= last; r += R) {
        if constexpr (Wide) rowsAvx512<R, M>(w + r * ldw, ldw, cols, x, y + r, ldy);
        else rowsAvx2<R, M>(w + r * ldw, ldw, cols, x, y + r, ldy);
    }
    for (; r < last; ++r) {
        if constexpr (Wide) rowsAvx512<1, M>(w + r * ldw, ldw, cols, x, y + r, ldy);
        else rowsAvx2<1, M>(w + r * ldw, ldw, cols, x, y + r, ldy);
    }
    if (bias)
        for (int v = 0; v < M; ++v)
            for (int64_t i = first; i < last; ++i) y[v * ldy + i] += bias[i];
}

// Rows [first, last) for `vectors` (1 .. kMaxVectors) vectors, as many rows at a time as the registers
// hold beside their sums: AVX-512's 32 take 4 rows up to 4 vectors (16 sums), 2 rows up to 8 (16 sums,
// 8 loads of x); AVX2's 16 take 4 rows up to 2 vectors, 2 rows up to 4, one row up to 8.
template <bool Wide>
void rowRangeFor(int64_t vectors, const float* w, int64_t first, int64_t last, int64_t cols, int64_t ldw, const float* x,
                 const float* bias, float* y, int64_t ldy) {
    switch (vectors) {
    case 1: return rowRange<kRowsPerStep, 1, Wide>(w, first, last, cols, ldw, x, bias, y, ldy);
    case 2: return rowRange<kRowsPerStep, 2, Wide>(w, first, last, cols, ldw, x, bias, y, ldy);
    case 3: return rowRange<Wide ? kRowsPerStep : 2, 3, Wide>(w, first, last, cols, ldw, x, bias, y, ldy);
    case 4: return rowRange<Wide ? kRowsPerStep : 2, 4, Wide>(w, first, last, cols, ldw, x, bias, y, ldy);
    case 5: return rowRange<Wide ? 2 : 1, 5, Wide>(w, first, last, cols, ldw, x, bias, y, ldy);
    case 6: return rowRange<Wide ? 2 : 1, 6, Wide>(w, first, last, cols, ldw, x, bias, y, ldy);
    case 7: return rowRange<Wide ? 2 : 1, 7, Wide>(w, first, last, cols, ldw, x, bias, y, ldy);
    default: return rowRange<Wide ? 2 : 1, 8, Wide>(w, first, last, cols, ldw, x, bias, y, ldy);
    }
}
}  // namespace

bool matrixVectorAvailable() { return panelKernelAvailable() || narrowPanelKernelAvailable(); }

void matrixVector(const float* w, int64_t rows, int64_t cols, int64_t ldw, const float* x, int64_t vectors,
                  const float* bias, float* y) {
    if (rows <= 0 || vectors <= 0) return;
    if (vectors > kMaxVectors) throw std::invalid_argument("matrixVector: more than kMaxVectors vectors");
    const bool wide = panelKernelAvailable();
    auto range = [&](int64_t first, int64_t last) {
        if (wide) rowRangeFor<true>(vectors, w, first, last, cols, ldw, x, bias, y, rows);
        else rowRangeFor<false>(vectors, w, first, last, cols, ldw, x, bias, y, rows);
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
