#include "models/panel_product.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>

#include "models/onednn_support.h"
#include "models/register_tile.h"
#include "util/compute_threads.h"

namespace ascope {

namespace {
constexpr int64_t kPanel = 64;      // output columns per panel: four 16-float registers
constexpr int64_t kRowGroup = 6;    // rows per pass: 6 x 4 accumulators, 4 weight registers
constexpr int64_t kChunk = 384;     // weight rows per stretch: 96 KB, two of them sit in L2 together

// One stretch of a panel for up to kRowGroup rows: acc = (first ? bias : y) + x[:, k0..k0+kc) . W,
// stored into y (plus the residual on the last stretch). While it runs, it prefetches its share
// of the next stretch (`next`, kc rows of 64 floats): row k when k % groups == group, so the
// row-group passes over this stretch fetch the next one exactly once between them.
template <int R>
__attribute__((target("avx512f,fma"))) void stretch(const float* x, int64_t lda, const float* w, int64_t kc, float* y,
                                                     int64_t ldy, const float* init, int64_t initStride,
                                                     const float* residual, __mmask16 const* masks, const float* next,
                                                     int64_t nextRows, int64_t groups, int64_t group) {
    __m512 acc[R][4];
    for (int r = 0; r < R; ++r)
        for (int j = 0; j < 4; ++j) acc[r][j] = _mm512_maskz_loadu_ps(masks[j], init + r * initStride + 16 * j);
    // The next row of `next` this pass prefetches, counted rather than k % groups (a division per row
    // costs as much as the arithmetic of a few rows).
    int64_t due = next ? group : kc;
    for (int64_t k = 0; k < kc; ++k) {
        const float* wk = w + k * kPanel;
        if (k == due) {
            if (k < nextRows) {
                const char* p = reinterpret_cast<const char*>(next + k * kPanel);
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

using Stretch = void (*)(const float*, int64_t, const float*, int64_t, float*, int64_t, const float*, int64_t, const float*,
                         __mmask16 const*, const float*, int64_t, int64_t, int64_t);
constexpr Stretch kStretches[kRowGroup + 1] = {nullptr,     stretch<1>, stretch<2>, stretch<3>,
                                               stretch<4>, stretch<5>, stretch<6>};

// The panels first..last-1 (one thread's run): every stretch of each, every row group of each stretch.
void runPanels(const float* x, int64_t rows, const float* panels, const PanelLayout& l, const float* bias,
               const float* residual, float* y, int64_t first, int64_t last) {
    const RowPasses passes(rows, kRowGroup);
    for (int64_t p = first; p < last; ++p) {
        const int64_t col = p * kPanel, width = std::min(kPanel, l.out - col);
        __mmask16 masks[4];
        for (int j = 0; j < 4; ++j) {
            const int64_t n = std::clamp<int64_t>(width - 16 * j, 0, 16);
            masks[j] = static_cast<__mmask16>((1u << n) - 1u);
        }
        const float* panel = panels + p * l.inPadded * kPanel;
        for (int64_t k0 = 0; k0 < l.in; k0 += kChunk) {
            const int64_t kc = std::min(kChunk, l.in - k0);
            // The next stretch in this thread's order: the rest of this panel, else the next panel's start.
            const float* next = nullptr;
            int64_t nextRows = 0;
            if (k0 + kc < l.in) {
                next = panel + (k0 + kc) * kPanel;
                nextRows = std::min(kChunk, l.in - k0 - kc);
            } else if (p + 1 < last) {
                next = panels + (p + 1) * l.inPadded * kPanel;
                nextRows = std::min(kChunk, l.in);
            }
            const bool lastStretch = k0 + kc >= l.in;
            for (int64_t g = 0; g < passes.count; ++g) {
                const int64_t r0 = passes.first(g), r = passes.size(g);
                float* yTile = y + r0 * l.out + col;
                const float* init = k0 == 0 ? bias + col : yTile;
                kStretches[r](x + r0 * l.in + k0, l.in, panel + k0 * kPanel, kc, yTile, l.out, init, k0 == 0 ? 0 : l.out,
                              lastStretch && residual ? residual + r0 * l.out + col : nullptr, masks, next, nextRows,
                              passes.count, g);
            }
        }
    }
}
}  // namespace

bool panelLayoutOf(const dnnl::memory::desc& packed, PanelLayout& layout) {
    const auto& d = packed.data;
    if (d.ndims != 2 || d.data_type != dnnl_f32 || d.format_kind != dnnl_blocked || d.offset0 != 0) return false;
    const auto& b = d.format_desc.blocking;
    if (b.inner_nblks != 2 || b.inner_idxs[0] != 0 || b.inner_blks[0] != 16 || b.inner_idxs[1] != 1 ||
        b.inner_blks[1] != kPanel)
        return false;
    const int64_t inPadded = d.padded_dims[0];
    if (b.strides[0] != 16 * kPanel || b.strides[1] != inPadded * kPanel) return false;  // [panel][in / 16][16][64]
    layout = {d.dims[0], d.dims[1], inPadded};
    return true;
}

bool panelKernelAvailable() {
    static const bool available =
        onednn::allowsAvx512() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
    return available;
}

void panelProduct(const float* x, int64_t rows, const float* panels, const PanelLayout& layout, const float* bias,
                  const float* residual, float* y) {
    if (rows <= 0) return;
    const int64_t count = (layout.out + kPanel - 1) / kPanel;
    const int threads = static_cast<int>(std::min<int64_t>(configureComputeThreads(), count));
#pragma omp parallel num_threads(threads)
    {
        // Contiguous runs of panels, so each thread streams one stretch of memory in order.
        const int64_t t = omp_get_thread_num(), n = omp_get_num_threads();
        runPanels(x, rows, panels, layout, bias, residual, y, count * t / n, count * (t + 1) / n);
    }
}

}  // namespace ascope
