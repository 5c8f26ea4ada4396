#pragma once
// Internal: what the panel kernel (models/panel_product.cpp) and the attention kernel
// (models/attention_kernel.cpp) share: how rows are split into passes of a register tile, and one
// step of an R x 64 tile.
#include "util/core_internal.h"
#include <immintrin.h>

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

}  // namespace ascope
