#include "models/panel_product.h"

#include <immintrin.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <limits>

#include "models/onednn_support.h"
#include "models/panel_claims.h"
#include "models/register_tile.h"
#include "util/compute_threads.h"

namespace ascope {

namespace {
constexpr int64_t kWideColumns = 64, kNarrowColumns = 16;  // a panel's columns in either layout
constexpr int64_t kRowGroup = 6;  // rows per pass: 6 x 64 (wide) or 6 x 16 (narrow) accumulators

// The arguments every stretch takes: one stretch of a panel for up to kRowGroup rows, acc = (first ?
// bias : y) + x[:, k0..k0+kc) . W, stored into y (plus the residual on the last stretch), only the
// panel's first `width` columns. While it runs, it prefetches its share of the next stretch (`next`,
// nextRows panel rows): row k when k % groups == group, so the row-group passes over this stretch
// fetch the next one exactly once between them. The next row due is counted rather than k % groups
// (a division per row costs as much as the arithmetic of a few rows).
using Stretch = void (*)(const float* x, int64_t lda, const float* w, int64_t kc, float* y, int64_t ldy, const float* init,
                         int64_t initStride, const float* residual, int64_t width, const float* next, int64_t nextRows,
                         int64_t groups, int64_t group);

// Wide panels: 64 columns in four 16-float registers, masked where the last panel is narrower.
template <int R>
__attribute__((target("avx512f,fma"))) void wideStretch(const float* x, int64_t lda, const float* w, int64_t kc, float* y,
                                                         int64_t ldy, const float* init, int64_t initStride,
                                                         const float* residual, int64_t width, const float* next,
                                                         int64_t nextRows, int64_t groups, int64_t group) {
    constexpr int64_t kWidth = kWideColumns;
    __mmask16 masks[4];
    for (int j = 0; j < 4; ++j) masks[j] = laneMask(width, j);
    __m512 acc[R][4];
    for (int r = 0; r < R; ++r)
        for (int j = 0; j < 4; ++j) acc[r][j] = _mm512_maskz_loadu_ps(masks[j], init + r * initStride + 16 * j);
    int64_t due = next ? group : kc;
    for (int64_t k = 0; k < kc; ++k) {
        const float* wk = w + k * kWidth;
        if (k == due) {
            if (k < nextRows) {
                const char* p = reinterpret_cast<const char*>(next + k * kWidth);
                _mm_prefetch(p, _MM_HINT_T1);
                _mm_prefetch(p + 64, _MM_HINT_T1);
                _mm_prefetch(p + 128, _MM_HINT_T1);
                _mm_prefetch(p + 192, _MM_HINT_T1);
            }
            due += groups;
        }
        const __m512 b0 = _mm512_load_ps(wk), b1 = _mm512_load_ps(wk + 16), b2 = _mm512_load_ps(wk + 32),
                     b3 = _mm512_load_ps(wk + 48);
        tileStep<R>(acc, x + k, lda, b0, b1, b2, b3);
    }
    for (int r = 0; r < R; ++r)
        for (int j = 0; j < 4; ++j) {
            __m512 v = acc[r][j];
            if (residual) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(masks[j], residual + r * ldy + 16 * j));
            _mm512_mask_storeu_ps(y + r * ldy + 16 * j, masks[j], v);
        }
}

// Narrow panels: 16 columns in two 8-float registers (6 x 2 accumulators, 2 weight registers and a
// broadcast: 15 of AVX2's 16). Every loop over the tile is unrolled, so the accumulators stay in
// registers (GCC otherwise keeps the array on the stack and stores it on every step, 1.4x slower).
// A Full panel loads and stores plainly; the last, narrower one through lane masks.
template <int R, bool Full>
__attribute__((target("avx2,fma"))) void narrowStretch(const float* x, int64_t lda, const float* w, int64_t kc, float* y,
                                                       int64_t ldy, const float* init, int64_t initStride,
                                                       const float* residual, int64_t width, const float* next,
                                                       int64_t nextRows, int64_t groups, int64_t group) {
    constexpr int64_t kWidth = kNarrowColumns;
    __m256i mask[2];
    narrowLaneMasks(width, mask);
    __m256 acc[R][2];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
        for (int j = 0; j < 2; ++j) acc[r][j] = narrowLoad<Full>(init + r * initStride + 8 * j, mask[j]);
    int64_t due = next ? group : kc;
    for (int64_t k = 0; k < kc; ++k) {
        const float* wk = w + k * kWidth;
        if (k == due) {
            if (k < nextRows) _mm_prefetch(reinterpret_cast<const char*>(next + k * kWidth), _MM_HINT_T1);
            due += groups;
        }
        narrowTileStep<R>(acc, x + k, lda, _mm256_load_ps(wk), _mm256_load_ps(wk + 8));
    }
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
        for (int j = 0; j < 2; ++j) {
            __m256 v = acc[r][j];
            if (residual) v = _mm256_add_ps(v, narrowLoad<Full>(residual + r * ldy + 8 * j, mask[j]));
            narrowStore<Full>(y + r * ldy + 8 * j, mask[j], v);
        }
}

// Up to this many rows a product streams its weights faster than it does their arithmetic, and the
// wide walk's stretches may be cut to fit L1 (wideFewRowsChunk).
constexpr int64_t kFewRows = 64;
constexpr int64_t kWideChunk = 384;  // weight rows per stretch otherwise: 96 KB, two of them sit in L2 together

// With few rows the weights stream from memory while the row-group passes over the current stretch
// run. On a 2-core Xeon (48 KB L1) a stretch of half of L1 made whole BERT-base forwards faster: 16
// tokens 20.0-20.6 -> 18.7-19.4 ms with 128-row stretches, 24-64 tokens 2-5%, but 80-128 tokens 2-5%
// slower (hence kFewRows); 64, 96 and 128 rows were level at 16 tokens. On a 2-core Zen 4 (32 KB L1)
// every shorter stretch was slower than 384 rows: 32 tokens 29.5-29.6 -> 31.7-31.8 ms with 64 rows,
// 48 tokens 41.1-42.1 -> 44.6-45.3, 16 tokens level; 96 and 128 rows level to 4% slower. So stretches are cut
// only where half of L1 holds at least 96 weight rows (an L1 of 48 KB or more), to half of L1, at most
// 128 rows; elsewhere, and where L1's size is unknown, they stay kWideChunk.
int64_t wideFewRowsChunk() {
    static const int64_t chunk = [] {
        const long l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE);
        const int64_t rows = l1 > 0 ? l1 / 2 / (kWideColumns * static_cast<int64_t>(sizeof(float))) : 0;
        return rows >= 96 ? std::min<int64_t>(rows / 16 * 16, 128) : kWideChunk;
    }();
    return chunk;
}

// What differs between the two layouts' walks.
struct Walk {
    int64_t chunk;                            // weight rows per stretch
    int64_t (*fewRowsChunk)();                // weight rows per stretch up to kFewRows rows (nullptr: chunk)
    int64_t rowBlock;                         // rows per block (the whole product when 0)
    const Stretch* full;                      // by row count, for a panel of all `width` columns
    const Stretch* partial;                   // for the last panel when narrower
};
// Wide: kWideChunk rows of 256 bytes; no row blocks (tried: level). For few rows, wideFewRowsChunk.
constexpr Stretch kWide[kRowGroup + 1] = {nullptr,        wideStretch<1>, wideStretch<2>, wideStretch<3>,
                                          wideStretch<4>, wideStretch<5>, wideStretch<6>};
constexpr Walk kWideWalk{kWideChunk, wideFewRowsChunk, 0, kWide, kWide};

// Narrow: 384 rows of 64 bytes, 24 KB, in L1 beside the rows' inputs; blocks of 128 rows (measured
// held to AVX2: 3072 x 768 at 512 rows 159 GFLOP/s without blocks, 191 with 128, 178 with 256).
constexpr Stretch kNarrowFull[kRowGroup + 1] = {nullptr,
                                                narrowStretch<1, true>,
                                                narrowStretch<2, true>,
                                                narrowStretch<3, true>,
                                                narrowStretch<4, true>,
                                                narrowStretch<5, true>,
                                                narrowStretch<6, true>};
constexpr Stretch kNarrowPartial[kRowGroup + 1] = {nullptr,
                                                   narrowStretch<1, false>,
                                                   narrowStretch<2, false>,
                                                   narrowStretch<3, false>,
                                                   narrowStretch<4, false>,
                                                   narrowStretch<5, false>,
                                                   narrowStretch<6, false>};
constexpr Walk kNarrowWalk{384, nullptr, 128, kNarrowFull, kNarrowPartial};

// Panel p for `rows` rows: every stretch of it, every row group of each stretch. `after` is the start
// of the panel due next in this thread's order (prefetched during the last stretch), or nullptr.
void runPanel(const Walk& walk, const float* x, int64_t rows, const float* panels, const PanelLayout& l,
              const float* bias, const float* residual, float* y, int64_t p, const float* after) {
    const RowPasses passes(rows, kRowGroup);
    const int64_t chunk = walk.fewRowsChunk && rows <= kFewRows ? walk.fewRowsChunk() : walk.chunk;
    const int64_t col = p * l.width, width = std::min(l.width, l.out - col);
    const Stretch* stretches = width == l.width ? walk.full : walk.partial;
    const float* panel = panels + p * l.inPadded * l.width;
    for (int64_t k0 = 0; k0 < l.in; k0 += chunk) {
        const int64_t kc = std::min(chunk, l.in - k0);
        const bool lastStretch = k0 + kc >= l.in;
        // The next stretch in this thread's order: the rest of this panel, else the next panel's start.
        const float* next = lastStretch ? after : panel + (k0 + kc) * l.width;
        const int64_t nextRows = next ? std::min(chunk, lastStretch ? l.in : l.in - k0 - kc) : 0;
        for (int64_t g = 0; g < passes.count; ++g) {
            const int64_t r0 = passes.first(g), r = passes.size(g);
            float* yTile = y + r0 * l.out + col;
            const float* init = k0 == 0 ? bias + col : yTile;
            stretches[r](x + r0 * l.in + k0, l.in, panel + k0 * l.width, kc, yTile, l.out, init, k0 == 0 ? 0 : l.out,
                         lastStretch && residual ? residual + r0 * l.out + col : nullptr, width, next, nextRows,
                         passes.count, g);
        }
    }
}
}  // namespace

bool panelLayoutOf(const dnnl::memory::desc& packed, PanelLayout& layout) {
    const auto& d = packed.data;
    if (d.ndims != 2 || d.data_type != dnnl_f32 || d.format_kind != dnnl_blocked || d.offset0 != 0) return false;
    const auto& b = d.format_desc.blocking;
    if (b.inner_nblks != 2 || b.inner_idxs[0] != 0 || b.inner_blks[0] != 16 || b.inner_idxs[1] != 1 ||
        b.inner_blks[1] != kWideColumns)
        return false;
    const int64_t inPadded = d.padded_dims[0];
    if (b.strides[0] != 16 * kWideColumns || b.strides[1] != inPadded * kWideColumns) return false;  // [panel][in / 16][16][64]
    layout = {d.dims[0], d.dims[1], inPadded, kWideColumns};
    return true;
}

bool panelKernelAvailable() {
    static const bool available =
        onednn::allowsAvx512() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
    return available;
}

bool narrowPanelKernelAvailable() {
    static const bool available = onednn::allowsAvx2() && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return available;
}

PanelLayout narrowPanelLayout(int64_t in, int64_t out) { return {in, out, in, kNarrowColumns}; }

std::size_t panelBytes(const PanelLayout& layout) {
    const int64_t count = (layout.out + layout.width - 1) / layout.width;
    return static_cast<std::size_t>(count * layout.inPadded * layout.width) * sizeof(float);
}

void packNarrowPanels(const float* weight, int64_t strideOut, int64_t strideIn, const PanelLayout& l, float* panels) {
    const int64_t count = (l.out + l.width - 1) / l.width;
    const int threads = static_cast<int>(std::min<int64_t>(configureComputeThreads(), count));
    // Panel by panel, each weight row [o, :] read in order and written down one column of its panel.
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t p = 0; p < count; ++p) {
        float* panel = panels + p * l.inPadded * l.width;  // [inPadded][width]
        for (int64_t j = 0; j < l.width; ++j) {
            const int64_t o = p * l.width + j;
            for (int64_t i = 0; i < l.inPadded; ++i)
                panel[i * l.width + j] = o < l.out && i < l.in ? weight[o * strideOut + i * strideIn] : 0.f;
        }
    }
}

int64_t panelMaxRows(const PanelLayout& layout) {
    return layout.width == kWideColumns ? kPanelMaxRows : std::numeric_limits<int64_t>::max();
}

void panelProduct(const float* x, int64_t rows, const float* panels, const PanelLayout& layout, const float* bias,
                  const float* residual, float* y) {
    if (rows <= 0) return;
    const Walk& walk = layout.width == kWideColumns ? kWideWalk : kNarrowWalk;
    const int64_t count = (layout.out + layout.width - 1) / layout.width;
    const int64_t blocks = walk.rowBlock > 0 ? (rows + walk.rowBlock - 1) / walk.rowBlock : 1;
    const int threads = static_cast<int>(std::min<int64_t>(configureComputeThreads(), count));
    PanelClaims claims(threads, count, blocks);
    const int64_t panelFloats = layout.inPadded * layout.width;
    // An owner's next item is most likely its own item + 1: that panel's start is prefetched.
    auto run = [&](int t, int64_t item, bool own) {
        const int64_t b = claims.blockOf(t, item), r0 = rows * b / blocks, r1 = rows * (b + 1) / blocks;
        const bool more = own && item + 1 < claims.ownPanels(t) * blocks;
        const float* after = more ? panels + claims.panelOf(t, item + 1) * panelFloats : nullptr;
        const float* rowsResidual = residual ? residual + r0 * layout.out : nullptr;
        runPanel(walk, x + r0 * layout.in, r1 - r0, panels, layout, bias, rowsResidual, y + r0 * layout.out,
                 claims.panelOf(t, item), after);
    };
#pragma omp parallel num_threads(threads)
    {
        const int t = omp_get_thread_num();
        int64_t item = 0;
        while (claims.take(t, false, item)) run(t, item, true);  // its own, in order
        for (int k = 1; k < claims.owners(); ++k) {
            const int victim = (t + k) % claims.owners();
            while (claims.take(victim, true, item)) run(victim, item, false);  // what others left
        }
    }
}

}  // namespace ascope
