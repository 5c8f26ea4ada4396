#include "models/attention_math.h"

#include <cmath>
#include <limits>

namespace ascope {

AttentionResult multiHeadAttention(const torch::Tensor& qkv, int64_t heads, const torch::Tensor& additiveMask,
                                   bool queryScaled, const torch::Tensor& probsOut) {
    const int64_t batch = qkv.size(0), seq = qkv.size(1), hidden = qkv.size(2) / 3;
    const int64_t headDim = hidden / heads;
    auto parts = qkv.view({batch, seq, 3, heads, headDim})  // [batch, seq, 3, heads, head_dim]
                     .permute({2, 0, 3, 1, 4});              // [3, batch, heads, seq, head_dim]
    auto q = parts[0], k = parts[1], v = parts[2];           // [batch, heads, seq, head_dim]
    auto scores = torch::matmul(q, k.transpose(-1, -2));     // [batch, heads, seq, seq]
    if (!queryScaled) scores = scores * (1.0 / std::sqrt(static_cast<double>(headDim)));
    if (additiveMask.defined()) scores = scores + additiveMask;  // broadcast [batch, 1, 1, seq]
    torch::Tensor probs;                                     // [batch, heads, seq, seq]
    if (probsOut.defined()) probs = torch::_softmax_out(const_cast<torch::Tensor&>(probsOut), scores, -1, false);
    else probs = torch::softmax(scores, -1);
    auto context = torch::matmul(probs, v)                   // [batch, heads, seq, head_dim]
                       .permute({0, 2, 1, 3})                // [batch, seq, heads, head_dim]
                       .reshape({batch, seq, hidden});       // [batch, seq, hidden]
    return {context, probs};
}

torch::Tensor additiveMaskFrom(const torch::Tensor& attentionMask) {
    auto m = attentionMask.to(torch::kFloat32).view({attentionMask.size(0), 1, 1, attentionMask.size(1)});
    return (1.0 - m) * std::numeric_limits<float>::lowest();  // [batch, 1, 1, seq]
}

}  // namespace ascope
