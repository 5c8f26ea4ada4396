#include "models/attention_math.h"

#include <cmath>
#include <limits>
#include <string>

#include "models/attention_kernel.h"
#include "models/onednn_support.h"
#include "models/softmax_kernel.h"

#include <ATen/Parallel.h>
#include <algorithm>

namespace ascope {

AttentionResult multiHeadAttention(const torch::Tensor& qkv, int64_t heads, const torch::Tensor& additiveMask,
                                   const torch::Tensor& probsOut, const torch::Tensor& headScale) {
    const int64_t batch = qkv.size(0), seq = qkv.size(1), hidden = qkv.size(2) / 3;
    const int64_t headDim = hidden / heads;
    auto parts = qkv.view({batch, seq, 3, heads, headDim})  // [batch, seq, 3, heads, head_dim]
                     .permute({2, 0, 3, 1, 4});              // [3, batch, heads, seq, head_dim]
    auto q = parts[0], k = parts[1], v = parts[2];           // [batch, heads, seq, head_dim]
    auto scores = torch::matmul(q, k.transpose(-1, -2));     // [batch, heads, seq, seq]
    scores = scores * (1.0 / std::sqrt(static_cast<double>(headDim)));
    if (additiveMask.defined()) scores = scores + additiveMask;  // broadcast [batch, 1, 1, seq]
    torch::Tensor probs;                                     // [batch, heads, seq, seq]
    if (probsOut.defined()) probs = torch::_softmax_out(const_cast<torch::Tensor&>(probsOut), scores, -1, false);
    else probs = torch::softmax(scores, -1);
    if (headScale.defined()) probs = probsOut.defined() ? probs.mul_(headScaleForProbs(headScale, heads))
                                                        : probs * headScaleForProbs(headScale, heads);
    auto context = torch::matmul(probs, v)                   // [batch, heads, seq, head_dim]
                       .permute({0, 2, 1, 3})                // [batch, seq, heads, head_dim]
                       .reshape({batch, seq, hidden});       // [batch, seq, hidden]
    return {context, probs};
}

namespace {

// The additive mask broadcast (without a copy) to [batch, heads, seq, seq], read row by row.
struct MaskRows {
    torch::Tensor mask;  // empty, or float32 with unit stride along keys (0 where broadcast elsewhere)
    const float* data = nullptr;
    int64_t batchStride = 0, headStride = 0, rowStride = 0;
    const float* rowOf(int64_t b, int64_t h, int64_t i) const {
        return data ? data + b * batchStride + h * headStride + i * rowStride : nullptr;
    }
};

MaskRows maskRows(const torch::Tensor& additiveMask, int64_t batch, int64_t heads, int64_t seq) {
    if (!additiveMask.defined()) return {};
    auto mask = additiveMask.to(torch::kFloat32).expand({batch, heads, seq, seq});  // [batch, heads, seq, seq]
    if (seq > 1 && mask.stride(3) != 1) mask = mask.contiguous();
    return {mask, mask.data_ptr<float>(), mask.stride(0), mask.stride(1), mask.stride(2)};
}

}  // namespace

AttentionResult inferenceAttention(const torch::Tensor& qkvIn, int64_t heads, const torch::Tensor& additiveMask,
                                   const torch::Tensor& probsOut, const torch::Tensor& headScale, int64_t realRows) {
    auto qkv = qkvIn.to(torch::kFloat32).contiguous();  // [batch, rows, 3 * hidden]
    const int64_t batch = qkv.size(0), rows = qkv.size(1), hidden = qkv.size(2) / 3, headDim = hidden / heads;
    const int64_t seq = realRows < 0 ? rows : realRows;  // the tokens; rows past them are padding, left out
    TORCH_CHECK(seq <= rows, "attention: ", seq, " tokens in ", rows, " rows");
    const int64_t row = 3 * hidden;
    auto probs = probsOut.defined() ? probsOut : torch::empty({batch, heads, seq, seq});  // [batch, heads, seq, seq]
    TORCH_CHECK(probs.is_contiguous() && probs.scalar_type() == torch::kFloat32, "attention output must be contiguous float32");
    auto context = torch::empty({batch, rows, hidden});  // [batch, rows, hidden]
    if (seq < rows) context.narrow(1, seq, rows - seq).zero_();  // padding rows: finite, for the products after
    if (seq == 0) return {context, probs};
    const MaskRows mask = maskRows(additiveMask, batch, heads, seq);
    torch::Tensor scale;  // [batch, heads]: head_mask, applied with the softmax's normalisation
    if (headScale.defined())
        scale = headScale.to(torch::kFloat32).reshape({-1, heads}).expand({batch, heads}).contiguous();
    float* base = qkv.data_ptr<float>();
    float* probsData = probs.data_ptr<float>();
    const float* scaleData = scale.defined() ? scale.data_ptr<float>() : nullptr;
    if (fusedAttentionAvailable()) {
        fusedAttention({base, batch, rows, seq, heads, headDim, mask.data, mask.batchStride, mask.headStride, mask.rowStride,
                        scaleData, probsData, context.data_ptr<float>()});
        return {context, probs};
    }
    using dnnl::memory;
    constexpr auto f32 = memory::data_type::f32;
    // q, v: [batch, heads, seq, head_dim] and k^T: [batch, heads, head_dim, seq], all views of qkv.
    const memory::desc q({batch, heads, seq, headDim}, f32, {rows * row, headDim, row, 1});
    const memory::desc kT({batch, heads, headDim, seq}, f32, {rows * row, headDim, 1, row});
    const memory::desc& v = q;
    const memory::desc scores({batch, heads, seq, seq}, f32, memory::format_tag::abcd);
    // The context as [batch, heads, seq, head_dim], laid out as [batch, rows, hidden].
    const memory::desc out({batch, heads, seq, headDim}, f32, {rows * hidden, headDim, hidden, 1});
    const std::string shape = std::to_string(batch) + " " + std::to_string(heads) + " " + std::to_string(seq) + " " +
                              std::to_string(headDim) + " " + std::to_string(rows);
    auto& engine = onednn::cpuEngine();
    onednn::run(onednn::cachedMatmul("scores " + shape, [&] { return dnnl::matmul::desc(q, kT, scores); }),
                {{DNNL_ARG_SRC, memory(q, engine, base)},
                 {DNNL_ARG_WEIGHTS, memory(kT, engine, base + hidden)},
                 {DNNL_ARG_DST, memory(scores, engine, probsData)}});
    // Mask, softmax and head mask in one pass over each row of scores.
    at::parallel_for(0, batch * heads * seq, std::max<int64_t>(1, 4096 / seq), [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {  // row r of the [batch * heads * seq, seq] scores
            const int64_t b = r / (heads * seq), h = r / seq % heads, i = r % seq;
            softmaxRow(probsData + r * seq, mask.rowOf(b, h, i), seq, scaleData ? scaleData[b * heads + h] : 1.f);
        }
    });
    onednn::run(onednn::cachedMatmul("context " + shape, [&] { return dnnl::matmul::desc(scores, v, out); }),
                {{DNNL_ARG_SRC, memory(scores, engine, probsData)},
                 {DNNL_ARG_WEIGHTS, memory(v, engine, base + 2 * hidden)},
                 {DNNL_ARG_DST, memory(out, engine, context.data_ptr<float>())}});
    return {context, probs};
}

torch::Tensor headScaleForProbs(const torch::Tensor& headScale, int64_t heads) {
    const int64_t batch = headScale.dim() == 2 ? headScale.size(0) : 1;
    return headScale.reshape({batch, heads, 1, 1});  // [batch or 1, heads, 1, 1]
}

torch::Tensor additiveMaskFrom(const torch::Tensor& attentionMask) {
    auto m = attentionMask.to(torch::kFloat32).view({attentionMask.size(0), 1, 1, attentionMask.size(1)});
    return (1.0 - m) * std::numeric_limits<float>::lowest();  // [batch, 1, 1, seq]
}

torch::Tensor Dropout::apply(const torch::Tensor& x) const {
    if (p <= 0.0 || !generator.defined()) return x;
    auto keep = torch::empty_like(x).bernoulli_(1.0 - p, generator);  // 1 where kept
    return x * keep.div_(1.0 - p);
}

}  // namespace ascope
