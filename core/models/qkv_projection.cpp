#include "models/qkv_projection.h"

#include <cmath>

namespace ascope {

void QkvProjection::attach(torch::nn::Linear query, torch::nn::Linear key, torch::nn::Linear value, int64_t heads) {
    m_q = std::move(query);
    m_k = std::move(key);
    m_v = std::move(value);
    m_heads = heads;
    m_packed = PackedLinear();
    m_released = false;
}

std::pair<const void*, int64_t> QkvProjection::version() const {
    int64_t v = 0;
    for (const auto* l : {&m_q, &m_k, &m_v}) v += (*l)->weight._version() + (*l)->bias._version();
    return {m_q->weight.data_ptr(), v};
}

void QkvProjection::pack(bool releaseWeights) {
    if (m_released) return;  // the pack is all there is
    if (!m_packed.isPacked() || m_version != version()) {
        torch::NoGradGuard noGrad;
        m_version = version();
        const double scale = 1.0 / std::sqrt(static_cast<double>(m_q->weight.size(0) / m_heads));
        m_packed.pack(torch::cat({m_q->weight * scale, m_k->weight, m_v->weight}, 0),  // [3 * hidden, hidden]
                      torch::cat({m_q->bias * scale, m_k->bias, m_v->bias}, 0));        // [3 * hidden]
    }
    if (releaseWeights) {
        for (auto* l : {&m_q, &m_k, &m_v}) releaseWeight(*l);
        m_released = true;
    }
}

torch::Tensor QkvProjection::project(const torch::Tensor& x, bool autograd) {
    if (autograd) {
        auto w = torch::cat({m_q->weight, m_k->weight, m_v->weight}, 0);  // [3 * hidden, hidden]
        auto b = torch::cat({m_q->bias, m_k->bias, m_v->bias}, 0);        // [3 * hidden]
        return torch::nn::functional::linear(x, w, b);
    }
    pack();
    return m_packed.forward(x);  // [batch, seq, 3 * hidden]
}

}  // namespace ascope
