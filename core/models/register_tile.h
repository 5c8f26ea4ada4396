#pragma once
// Internal: what the panel kernel (models/panel_product.cpp) and the attention kernel
// (models/attention_kernel.cpp) share: how rows are split into passes of a register tile, one step of
// an R x 64 tile (AVX-512), and one step, lane masks, loads and stores of an R x 16 tile (AVX2).
#include "util/core_internal.h"
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

namespace ascope {

// `rows` split into as few passes of at most `most` rows as possible, their sizes differing by at most
// one (128 rows in passes of up to 6: 18 x 6 + 4 x 5, not 21 x 6 + 2). A pass of few rows re-reads the
// whole stretch of its right operand from L2 for little arithmetic.
struct RowPasses {
    RowPasses(int64_t rows, int64_t most)
        : count((rows + most - 1) / most), base(count > 0 ? rows / count : 0), longer(count > 0 ? rows % count : 0) {}
    int64_t first(int64_t pass) const { return pass * base + (pass < longer ? pass : longer); }
    int64_t size(int64_t pass) const { return base + (pass < longer ? 1 : 0); }
    int64_t count;

private:
    int64_t base, longer;  // the first `longer` passes take base + 1 rows
};

// The mask of the columns among 16j .. 16j+15 that lie before `columns` (an R x 64 tile's register j).
inline __mmask16 laneMask(int64_t columns, int j) {
    const int64_t n = std::clamp<int64_t>(columns - 16 * j, 0, 16);
    return static_cast<__mmask16>((1u << n) - 1u);
}

// For each of R rows, a[r * lda] broadcast times the 64 floats b0..b3, added into that row's four accumulators.
template <int R>
__attribute__((target("avx512f,fma"), always_inline)) inline void tileStep(__m512 (&acc)[R][4], const float* a, int64_t lda,
                                                                           __m512 b0, __m512 b1, __m512 b2, __m512 b3) {
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
        const __m512 x = _mm512_set1_ps(a[r * lda]);
        acc[r][0] = _mm512_fmadd_ps(x, b0, acc[r][0]);
        acc[r][1] = _mm512_fmadd_ps(x, b1, acc[r][1]);
        acc[r][2] = _mm512_fmadd_ps(x, b2, acc[r][2]);
        acc[r][3] = _mm512_fmadd_ps(x, b3, acc[r][3]);
    }
}

// The AVX2 counterparts, for tiles of R rows x 16 columns in two 8-float registers per row.
// The lane masks that select the first `columns` (at most 16; fewer or none past them) of the two halves.
__attribute__((target("avx2"), always_inline)) inline void narrowLaneMasks(int64_t columns, __m256i (&mask)[2]) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    mask[0] = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(columns)), lanes);
    mask[1] = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(columns) - 8), lanes);
}
// Eight floats at p: all of them (Full), or those `mask` selects (zero elsewhere, the others not read).
template <bool Full>
__attribute__((target("avx2"), always_inline)) inline __m256 narrowLoad(const float* p, __m256i mask) {
    if constexpr (Full) return _mm256_loadu_ps(p);
    else return _mm256_maskload_ps(p, mask);
}
// Stores v at p: all eight floats (Full), or those `mask` selects (the others not written).
template <bool Full>
__attribute__((target("avx2"), always_inline)) inline void narrowStore(float* p, __m256i mask, __m256 v) {
    if constexpr (Full) _mm256_storeu_ps(p, v);
    else _mm256_maskstore_ps(p, mask, v);
}
// For each of R rows, a[r * lda] broadcast times the 16 floats b0, b1, added into that row's two accumulators.
template <int R>
__attribute__((target("avx2,fma"), always_inline)) inline void narrowTileStep(__m256 (&acc)[R][2], const float* a, int64_t lda,
                                                                            __m256 b0, __m256 b1) {
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
        const __m256 x = _mm256_broadcast_ss(a + r * lda);
        acc[r][0] = _mm256_fmadd_ps(x, b0, acc[r][0]);
        acc[r][1] = _mm256_fmadd_ps(x, b1, acc[r][1]);
    }
}

}  // namespace ascope
