#pragma once
// Internal: one step of an R x 64 register tile, shared by the panel kernel (models/panel_product.cpp)
// and the attention kernel (models/attention_kernel.cpp): for each of R rows, a[r * lda] broadcast
// times the 64 floats b0..b3, added into that row's four accumulators.
#include "util/core_internal.h"
#include <immintrin.h>

#include <cstdint>

namespace ascope {

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

}  // namespace ascope
