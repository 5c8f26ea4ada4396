#pragma once
// Internal: scaled dot-product attention for inference in one pass per head, on CPUs with AVX-512
// (6 x 64 tiles) or AVX2 (6 x 16 tiles).
//
// Run as separate products (oneDNN's), every layer's scores make three trips through memory: written
// by QK^T, read and written by the softmax, read again by the product with V. At 512 tokens they are
// 12.6 MB per layer, far beyond the caches. Here each block of a few query rows has its scores
// computed, normalised (softmaxRow) and multiplied by V in a small per-thread buffer that stays in
// cache, then streamed into the result: the probabilities are written to memory once, never read
// back, and the result's old contents are not read first.
#include "util/core_internal.h"
#include <cstdint>

namespace ascope {

struct AttentionProblem {
    // q, k, v: views of qkv [batch, rows, 3 * hidden] (the query pre-scaled by 1 / sqrt(headDim)).
    const float* qkv = nullptr;
    int64_t batch = 0, rows = 0, seq = 0, heads = 0, headDim = 0;  // seq <= rows: rows past it are padding
    // Additive mask, element (b, h, i, j) at b * maskBatch + h * maskHead + i * maskRow + j; null: none.
    const float* mask = nullptr;
    int64_t maskBatch = 0, maskHead = 0, maskRow = 0;
    const float* headScale = nullptr;  // [batch, heads] applied with the softmax's normalisation; null: 1
    float* probs = nullptr;            // out: [batch, heads, seq, seq]
    float* context = nullptr;          // out: [batch, rows, hidden], the tokens' rows (padding rows untouched)
};

// Whether fusedAttention runs here: AVX-512 or AVX2 (with FMA) and the softmax compiled for it, under
// oneDNN's instruction-set hold (DNNL_MAX_CPU_ISA) as every other kernel.
bool fusedAttentionAvailable();
// The instruction set fusedAttention runs with here: "AVX-512", "AVX2", or null where it does not run.
const char* fusedAttentionIsa();

// probs = softmax(q k^T + mask) * headScale, context = probs v, per batch entry and head; runs on
// the compute threads.
void fusedAttention(const AttentionProblem& p);

}  // namespace ascope
