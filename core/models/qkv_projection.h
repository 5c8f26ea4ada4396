#pragma once
// Internal: query/key/value projections fused into one matmul. In inference the fused weight is
// cached (and refreshed when the weights change) with 1/sqrt(head_dim) folded into the query part;
// in training it is concatenated on the fly so gradients reach the three Linear modules.
#include <torch/torch.h>

namespace ascope {

class QkvProjection {
public:
    void attach(torch::nn::Linear query, torch::nn::Linear key, torch::nn::Linear value, int64_t heads);
    // x: [batch, seq, hidden] -> [batch, seq, 3 * hidden]; the query part is pre-scaled when !training.
    torch::Tensor project(const torch::Tensor& x, bool training);
    void refresh();

private:
    int64_t version() const;
    torch::nn::Linear m_q{nullptr}, m_k{nullptr}, m_v{nullptr};
    int64_t m_heads = 1;
    torch::Tensor m_weight, m_bias;
    int64_t m_version = -1;
};

}  // namespace ascope
