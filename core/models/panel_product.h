#pragma once
// Internal: the product of up to a few hundred rows with a weight oneDNN packed in 64-column
// panels: short inputs, where the product is bound by streaming the weights from memory, and
// medium ones, where oneDNN's kernels wait for a weight that is not in cache.
//
// oneDNN 2.6's blocked kernels read a packed weight that is not in cache (as in every forward:
// BERT-base's 340 MB of layer weights pass once) below the machine's read bandwidth: a 16-row
// 768 x 3072 product streams at 18-19 GB/s where an AVX-512 read loop reaches 29-33, and a 128-row
// one computes at 308 GFLOP/s against 343 with the weight in cache. This kernel walks the panels in
// order, each thread its own run of them, and while it computes on one stretch of weights it asks
// for the next one (software prefetch into L2), so the memory is busy all the time the cores are.
//
// Layout read (oneDNN's BA16a64b for a [in, out] weight): panel p holds output columns
// 64p .. 64p+63 as [inPadded][64] floats, panels one after another; columns past `out` and rows
// past `in` are padding (oneDNN writes zeros there).
#include "util/core_internal.h"
#include <cstdint>
#include <oneapi/dnnl/dnnl.hpp>

namespace ascope {

struct PanelLayout {
    int64_t in = 0, out = 0;  // the weight's [in, out]
    int64_t inPadded = 0;     // rows in a panel
};

// Whether `packed` (a weight [in, out] in the layout oneDNN chose) is the panel layout above.
bool panelLayoutOf(const dnnl::memory::desc& packed, PanelLayout& layout);

// Whether the kernel runs here: it needs AVX-512, and follows oneDNN's instruction-set hold
// (DNNL_MAX_CPU_ISA), as the other kernels do.
bool panelKernelAvailable();

// The row counts the kernel serves. Whole BERT-base forwards, this kernel against oneDNN's (best of
// alternating runs on a 2-core AVX-512 Xeon): 128 tokens 5.5% faster, 192 2.5%, 256 level, 320 7.5%,
// 352 level, 384 and 448 mixed or slower, 512 3-4% slower; ViT-Base/16 at 224 pixels (197 tokens) 2.5%.
constexpr int64_t kPanelMaxRows = 320;

// y [rows, out] = x [rows, in] . W + bias [out] (+ residual [rows, out] when not null); x, y and
// residual row-major and contiguous. Runs on the compute threads (configureComputeThreads).
void panelProduct(const float* x, int64_t rows, const float* panels, const PanelLayout& layout, const float* bias,
                  const float* residual, float* y);

}  // namespace ascope
