#pragma once
// Internal: query/key/value projections fused into one matmul. In inference the fused weight is
// packed once (and again when the weights change) with 1/sqrt(head_dim) folded into the query part;
// in training it is concatenated on the fly so gradients reach the three Linear modules.
#include "util/core_internal.h"
#include <torch/torch.h>

#include "models/packed_linear.h"

namespace ascope {

class QkvProjection {
public:
    void attach(torch::nn::Linear query, torch::nn::Linear key, torch::nn::Linear value, int64_t heads);
    // x: [batch, seq, hidden] -> [batch, seq, 3 * hidden]. With autograd, the three Linear modules are
    // used as they are; without, the packed weight, the query part pre-scaled by 1/sqrt(head_dim).
    torch::Tensor project(const torch::Tensor& x, bool autograd);
    // Packs the fused, scaled weight for inference unless it is current. With releaseWeights
    // (inference-only models) the three Linear weights are then freed (see PackedLinear).
    void pack(bool releaseWeights = false);

private:
    std::pair<const void*, int64_t> version() const;
    torch::nn::Linear m_q{nullptr}, m_k{nullptr}, m_v{nullptr};
    int64_t m_heads = 1;
    PackedLinear m_packed;
    std::pair<const void*, int64_t> m_version{nullptr, -1};
    bool m_released = false;
};

}  // namespace ascope
