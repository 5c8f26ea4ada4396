#pragma once
// Internal: the scaled dot-product attention shared by every architecture, returning the
// softmax probabilities so the app can show them.
#include "util/core_internal.h"
#include <torch/torch.h>

namespace ascope {

struct AttentionResult {
    torch::Tensor context;  // [batch, seq, hidden]
    torch::Tensor probs;    // [batch, heads, seq, seq]
};

// qkv: [batch, seq, 3 * hidden], the fused query/key/value projections (in that order).
// additiveMask: empty, or broadcastable to [batch, heads, seq, seq] ([batch, 1, 1, seq] for padding,
// [1, heads or 1, seq, seq] for an attention mask) with 0 where allowed and float-min where not.
// probsOut: empty, or a contiguous [batch, heads, seq, seq] tensor the probabilities are written
// into (so callers collecting every layer's attention avoid a copy).
// headScale: empty, [heads] or [batch, heads], multiplying each head's probabilities after the
// softmax (head_mask); the batched form lets each batch entry switch off other heads.
AttentionResult multiHeadAttention(const torch::Tensor& qkv, int64_t heads, const torch::Tensor& additiveMask,
                                   const torch::Tensor& probsOut = {}, const torch::Tensor& headScale = {});

// Inference only (no autograd): the same attention, the query part of `qkv` already scaled, with
// both products done by oneDNN straight from the fused projections (no copies of q, k and v), the
// mask, softmax and head mask in one vectorised pass per row (models/softmax_kernel.h), and the
// context written directly in [batch, seq, hidden] order.
// realRows (optional): qkv holds [batch, rows, 3 * hidden] of which only the first realRows are
// tokens, the rest padding rows the products run faster with (models/packed_linear.h,
// rowsForProducts). The attention is then the tokens' alone: mask, probabilities and probsOut
// are [.., realRows, realRows], and the context stays [batch, rows, hidden] with its padding rows 0.
AttentionResult inferenceAttention(const torch::Tensor& qkv, int64_t heads, const torch::Tensor& additiveMask,
                                   const torch::Tensor& probsOut = {}, const torch::Tensor& headScale = {},
                                   int64_t realRows = -1);

// What the caller puts inside every layer's attention: [layers, heads or 1, seq, seq] additive
// masks (replacing the padding mask) and a [layers, heads] or [layers, batch, heads] head mask.
// Either may be undefined.
struct AttentionOverrides {
    torch::Tensor additiveMask;
    torch::Tensor headMask;
    torch::Tensor maskOf(int64_t layer) const { return additiveMask.defined() ? additiveMask[layer].unsqueeze(0) : torch::Tensor(); }
    torch::Tensor headScaleOf(int64_t layer) const { return headMask.defined() ? headMask[layer] : torch::Tensor(); }
};

// [1, heads, 1, 1] or [batch, heads, 1, 1]: a head scale shaped to multiply probabilities.
torch::Tensor headScaleForProbs(const torch::Tensor& headScale, int64_t heads);

// What one layer's attention worked with, for the step-by-step view: the query, key and value
// projections (the query unscaled) and the heads' concatenated output before the output
// projection, each [batch, seq, hidden] (views of the layer's tensors, not necessarily contiguous).
struct AttentionCapture {
    torch::Tensor query, key, value, context;
};

// Training-time dropout that draws from its own generator, so a training run's randomness is its
// own: reproducible, saved with its checkpoints, and untouched by other threads' use of LibTorch's
// global generator (model loading initialises modules randomly).
struct Dropout {
    double p = 0.0;
    at::Generator generator;
    // x unchanged when p is 0 or generator is unset; else inverted dropout as torch::dropout.
    torch::Tensor apply(const torch::Tensor& x) const;
};

// [batch, seq] of 1/0 -> [batch, 1, 1, seq] of 0 / float-min.
torch::Tensor additiveMaskFrom(const torch::Tensor& attentionMask);

}  // namespace ascope
