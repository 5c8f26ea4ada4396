#include "reference_vit.h"

#include <cmath>
#include <string>

namespace ascope::test {

namespace {
Matrix linear(const Matrix& x, const Weight& w, const Weight& b) { return referenceLinear(x, w, b); }
Matrix layerNorm(Matrix x, const Weight& g, const Weight& b, double eps) {
    referenceLayerNorm(x, g, b, eps);
    return x;
}
void softmax(std::vector<float>& row) { referenceSoftmax(row); }
}  // namespace

ReferenceVitOutput referenceVit(const TinyVit& t, const std::vector<float>& pixels) {
    const auto& s = t.spec;
    const int h = s.hidden, grid = s.imageSize / s.patchSize, P = s.patchSize, size = s.imageSize;
    const int prefix = s.deit ? 2 : 1, n = prefix + grid * grid, heads = s.heads, hd = h / heads;
    Matrix x(static_cast<std::size_t>(n), std::vector<float>(static_cast<std::size_t>(h)));
    const auto& pos = t.w("embeddings.position_embeddings");
    for (int d = 0; d < h; ++d) {
        x[0][d] = t.w("embeddings.cls_token").values[d];
        if (s.deit) x[1][d] = t.w("embeddings.distillation_token").values[d];
    }
    const auto& conv = t.w("embeddings.patch_embeddings.projection.weight");
    const auto& convB = t.w("embeddings.patch_embeddings.projection.bias");
    for (int py = 0; py < grid; ++py)
        for (int px = 0; px < grid; ++px)
            for (int d = 0; d < h; ++d) {
                double acc = convB.values[d];
                for (int c = 0; c < 3; ++c)
                    for (int ky = 0; ky < P; ++ky)
                        for (int kx = 0; kx < P; ++kx)
                            acc += double(conv.values[((d * 3 + c) * P + ky) * P + kx]) *
                                   pixels[(static_cast<std::size_t>(c) * size + py * P + ky) * size + px * P + kx];
                x[prefix + py * grid + px][d] = static_cast<float>(acc);
            }
    for (int i = 0; i < n; ++i)
        for (int d = 0; d < h; ++d) x[i][d] += pos.values[static_cast<std::size_t>(i) * h + d];

    ReferenceVitOutput out;
    const double eps = t.config.layerNormEps;
    for (int l = 0; l < s.layers; ++l) {
        const std::string p = "encoder.layer." + std::to_string(l) + ".";
        auto W = [&](const std::string& name) -> const Weight& { return t.w(p + name); };
        const Matrix xn = layerNorm(x, W("layernorm_before.weight"), W("layernorm_before.bias"), eps);
        const Matrix q = linear(xn, W("attention.attention.query.weight"), W("attention.attention.query.bias"));
        const Matrix k = linear(xn, W("attention.attention.key.weight"), W("attention.attention.key.bias"));
        const Matrix v = linear(xn, W("attention.attention.value.weight"), W("attention.attention.value.bias"));
        Matrix ctx(static_cast<std::size_t>(n), std::vector<float>(static_cast<std::size_t>(h), 0.f));
        std::vector<Matrix> layerAtt;
        for (int hh = 0; hh < heads; ++hh) {
            Matrix probs(static_cast<std::size_t>(n), std::vector<float>(static_cast<std::size_t>(n)));
            for (int i = 0; i < n; ++i) {
                for (int j = 0; j < n; ++j) {
                    double acc = 0;
                    for (int d = 0; d < hd; ++d) acc += double(q[i][hh * hd + d]) * k[j][hh * hd + d];
                    probs[i][j] = static_cast<float>(acc / std::sqrt(double(hd)));
                }
                softmax(probs[i]);
                for (int d = 0; d < hd; ++d) {
                    double acc = 0;
                    for (int j = 0; j < n; ++j) acc += double(probs[i][j]) * v[j][hh * hd + d];
                    ctx[i][hh * hd + d] = static_cast<float>(acc);
                }
            }
            layerAtt.push_back(std::move(probs));
        }
        out.attention.push_back(std::move(layerAtt));
        Matrix a = linear(ctx, W("attention.output.dense.weight"), W("attention.output.dense.bias"));
        for (int i = 0; i < n; ++i)
            for (int d = 0; d < h; ++d) a[i][d] += x[i][d];
        Matrix f = linear(layerNorm(a, W("layernorm_after.weight"), W("layernorm_after.bias"), eps),
                          W("intermediate.dense.weight"), W("intermediate.dense.bias"));
        for (auto& row : f)
            for (float& val : row) val = static_cast<float>(0.5 * val * (1 + std::erf(val / std::sqrt(2.0))));
        Matrix o = linear(f, W("output.dense.weight"), W("output.dense.bias"));
        for (int i = 0; i < n; ++i)
            for (int d = 0; d < h; ++d) o[i][d] += a[i][d];
        x = std::move(o);
    }
    x = layerNorm(x, t.w("layernorm.weight"), t.w("layernorm.bias"), eps);
    if (!s.classifier) return out;  // no probabilities
    std::vector<float> logits;
    if (s.deit) {
        const Matrix a = linear({x[0]}, t.w("head:cls_classifier.weight"), t.w("head:cls_classifier.bias"));
        const Matrix b = linear({x[1]}, t.w("head:distillation_classifier.weight"), t.w("head:distillation_classifier.bias"));
        for (int c = 0; c < s.classes; ++c) logits.push_back((a[0][c] + b[0][c]) / 2);
    } else {
        logits = linear({x[0]}, t.w("head:classifier.weight"), t.w("head:classifier.bias"))[0];
    }
    softmax(logits);
    out.probabilities = logits;
    return out;
}

}  // namespace ascope::test
