#pragma once
// Internal: a matrix-vector product that streams a large row-major matrix at the machine's read
// bandwidth: the MLM decoder for a few [MASK]s, which reads the whole word-embedding table (94 MB for
// BERT-base, 768 MB for XLM-R) for half a floating-point operation per byte and [MASK], so memory
// alone sets its time.
//
// OpenBLAS's sgemv (LibTorch's addmv) read BERT-base's decoder in 3.3-3.8 ms on average inside 16-token
// forwards on a 2-core Zen 4 (best 2.9-3.1), about 26-29 GB/s where its read probe reaches 35-60. This
// kernel asks for each row's lines 16 KB ahead into L2, as the panel kernel asks for its next stretch
// (8-64 KB ahead were level; into L1 or non-temporal slower), and the word embeddings it reads lie on
// huge pages (models/torch_weights.cpp): 2.6-3.2 ms on average in the same forwards (best 2.3-2.9).
#include "util/core_internal.h"
#include <cstdint>

namespace ascope {

// Whether matrixVector runs here: AVX-512, or AVX2 with FMA, under oneDNN's instruction-set hold
// (DNNL_MAX_CPU_ISA), as the panel kernels.
bool matrixVectorAvailable();

// The most vectors one call multiplies, reading the matrix once for all of them.
constexpr int64_t kMaxVectors = 8;

// y [vectors, rows] = x [vectors, cols] . W^T + bias [rows] (no bias when null), for 1 .. kMaxVectors
// vectors: the decoder for up to eight [MASK]s in one read. W row-major, row r at w + r * ldw (ldw >=
// cols); x, bias and y contiguous, y not overlapping the others. Each (row, vector) sum is taken in one
// fixed order, whatever the thread count and however many vectors come along, so the result depends on
// neither. Runs on the compute threads (configureComputeThreads) when the matrix is large enough to
// repay them. Requires matrixVectorAvailable(); more than kMaxVectors vectors throw std::invalid_argument.
void matrixVector(const float* w, int64_t rows, int64_t cols, int64_t ldw, const float* x, int64_t vectors,
                  const float* bias, float* y);

}  // namespace ascope
