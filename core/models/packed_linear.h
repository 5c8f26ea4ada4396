#pragma once
// Internal: an inference-only Linear layer whose weight is re-laid out once, at load, into the
// blocked format oneDNN's matmul kernels read directly. BLAS re-packs the weight on every call,
// and at a sentence's 10-500 rows that packing (the weight streamed from memory) is a large part
// of each product; with the packing done once, a 128-row product runs at the machine's matmul peak.
// Bias, activation and a residual add are applied in the same pass over the output.
#include "util/core_internal.h"
#include <initializer_list>
#include <memory>
#include <utility>
#include <torch/torch.h>

#include "models/activation.h"

namespace ascope {

class PackedLinear {
public:
    PackedLinear();
    ~PackedLinear();
    PackedLinear(PackedLinear&&) noexcept;
    PackedLinear& operator=(PackedLinear&&) noexcept;

    // weight: [out, in] with any strides (a torch Linear's weight), bias: [out] or undefined.
    // Copies both; the sources may change or go away afterwards.
    void pack(const torch::Tensor& weight, const torch::Tensor& bias);
    bool isPacked() const;
    // Whether few rows run through the panel kernel (models/panel_product.h) rather than oneDNN's.
    bool usesPanels() const;
    // Packs `linear`'s parameters unless this already holds the current ones (checked by storage
    // and version, so weights changed by training are packed again).
    void packIfChanged(const torch::nn::Linear& linear);
    // For models that only ever run inference: packs `linear` and frees its weight (an empty tensor
    // takes its place), so the weights are not held twice. The pack is kept from then on.
    void packAndRelease(torch::nn::Linear& linear);

    // x: [..., in] float32 -> act(x W^T + b) + residual, [..., out]. `residual` (optional) has the
    // output's shape. No autograd: call under InferenceMode or NoGrad only.
    torch::Tensor forward(const torch::Tensor& x, const Activation* act = nullptr,
                          const torch::Tensor& residual = {}) const;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

// packIfChanged, or with `releaseWeights` packAndRelease, for each (packed, source) pair.
void packAll(std::initializer_list<std::pair<PackedLinear*, torch::nn::Linear*>> pairs, bool releaseWeights);

// How many rows an encoder should run its products on for `rows` tokens. oneDNN 2.6's blocked
// (brgemm) kernels are 10-25% slower at some row counts than at the next multiple of 4 (measured
// on a 768 x 3072 product: 301 rows at 304 GFLOP/s against 357 at 304 rows, 451 at 307 against
// 364, 578 at 292 against 348), while below about 256 rows the extra rows cost more than the
// blocking gains. So from 256 rows the count is rounded up to a multiple of 4 (at most 1.2% more
// work); below, it is `rows` itself.
int64_t rowsForProducts(int64_t rows);
// x [1, seq, width] -> [1, rowsForProducts(seq), width]: zero rows appended, or x itself.
torch::Tensor padRowsForProducts(const torch::Tensor& x);
// x [batch, seq, width] at the row indices `rows` ([kept] int64): [batch, kept, width]; x itself when
// `rows` is undefined. A layer's last products run on the rows its caller reads (outputRows).
torch::Tensor keptRows(const torch::Tensor& x, const torch::Tensor& rows);

// Frees a Linear's weight once a packed copy serves it (an empty tensor takes its place).
void releaseWeight(torch::nn::Linear& linear);
// Hands memory freed inside the heap back to the system (after weights were released: they sit
// between other allocations, where the allocator would otherwise keep them).
void returnFreedMemory();

// x [..., in] -> x W^T + b [..., out], reading the weight [out, in] where it lies, without a packed
// copy: for weights used for a few rows once per forward, like the MLM decoder over the vocabulary.
// No autograd.
torch::Tensor linearInPlace(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);
// The same for a few rows, as the MLM decoder multiplies its [MASK] rows: up to kMaxVectors rows
// (models/matrix_vector.h) stream the weight once through matrixVector where it runs; elsewhere one
// row goes through LibTorch's addmv, and more rows, as always, through linearInPlace. No autograd.
torch::Tensor fewRowsLinearInPlace(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

}  // namespace ascope
