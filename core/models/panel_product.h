#pragma once
// Internal: the product of a few or a few hundred rows with a weight packed in panels of columns:
// short inputs, where the product is bound by streaming the weights from memory, and medium ones,
// where a library's kernels wait for a weight that is not in cache.
//
// oneDNN 2.6's blocked kernels read a packed weight that is not in cache (as in every forward:
// BERT-base's 340 MB of layer weights pass once) below the machine's read bandwidth: a 16-row
// 768 x 3072 product streams at 18-19 GB/s where an AVX-512 read loop reaches 29-33, and a 128-row
// one computes at 308 GFLOP/s against 343 with the weight in cache. This kernel walks the panels in
// order, each thread its own run of them (and then what others have left: panel_claims.h), and while
// it computes on one stretch of weights it asks for the next one (software prefetch into L2), so the
// memory is busy all the time the cores are.
//
// Two layouts, one per instruction set:
// - wide (AVX-512): oneDNN's own packed layout BA16a64b of a [in, out] weight. Panel p holds output
//   columns 64p .. 64p+63 as [inPadded][64] floats, panels one after another; columns past `out` and
//   rows past `in` are padding (oneDNN writes zeros there).
// - narrow (AVX2, where oneDNN has no blocked float32 kernels and BLAS re-packs the weight on every
//   product): panels of 16 columns, [in][16] floats each, packed by packNarrowPanels. The same walk
//   in blocks of at most 128 rows, so a block's inputs stay in L2; it replaces BLAS at every row count.
//   Held to AVX2 on the 2-core Xeon (OpenBLAS's Haswell kernels, weights from memory): 768 x 3072 at
//   16 rows 11.3 -> 18.0 GB/s, at 128 rows 175 -> 195 GFLOP/s, at 512 rows 194 -> 196; 3072 x 768 at
//   128 rows 171 -> 188, at 512 rows 188 -> 191.
#include "util/core_internal.h"
#include <cstddef>
#include <cstdint>
#include <oneapi/dnnl/dnnl.hpp>

namespace ascope {

struct PanelLayout {
    int64_t in = 0, out = 0;  // the weight's [in, out]
    int64_t inPadded = 0;     // rows in a panel
    int64_t width = 64;       // columns in a panel: 64 (wide) or 16 (narrow)
};

// Whether `packed` (a weight [in, out] in the layout oneDNN chose) is the wide panel layout above.
bool panelLayoutOf(const dnnl::memory::desc& packed, PanelLayout& layout);

// Whether the wide kernel runs here: it needs AVX-512, and follows oneDNN's instruction-set hold
// (DNNL_MAX_CPU_ISA), as the other kernels do.
bool panelKernelAvailable();
// Whether the narrow kernel runs here: AVX2 and FMA, under the same hold.
bool narrowPanelKernelAvailable();

// The narrow layout of a weight [in, out], and the bytes it takes.
PanelLayout narrowPanelLayout(int64_t in, int64_t out);
std::size_t panelBytes(const PanelLayout& layout);
// Writes a weight [out, in] (element [o, i] at weight[o * strideOut + i * strideIn]) into `panels`
// (panelBytes(layout), 32-byte aligned) in the narrow layout, padding columns with zeros.
void packNarrowPanels(const float* weight, int64_t strideOut, int64_t strideIn, const PanelLayout& layout, float* panels);

// The row counts the wide kernel serves. Whole BERT-base forwards, this kernel against oneDNN's (best of
// alternating runs on a 2-core AVX-512 Xeon): 128 tokens 5.5% faster, 192 2.5%, 256 level, 320 7.5%,
// 352 level, 384 and 448 mixed or slower, 512 3-4% slower; ViT-Base/16 at 224 pixels (197 tokens) 2.5%.
constexpr int64_t kPanelMaxRows = 320;
// The most rows `layout`'s kernel takes: kPanelMaxRows for the wide one, any count for the narrow one.
int64_t panelMaxRows(const PanelLayout& layout);

// y [rows, out] = x [rows, in] . W + bias [out] (+ residual [rows, out] when not null); x, y and
// residual row-major and contiguous. Runs on the compute threads (configureComputeThreads).
void panelProduct(const float* x, int64_t rows, const float* panels, const PanelLayout& layout, const float* bias,
                  const float* residual, float* y);

}  // namespace ascope
