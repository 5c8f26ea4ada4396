#include "reference_bert.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace ascope::test {

Matrix referenceLinear(const Matrix& x, const Weight& w, const Weight& b) {
    const std::size_t out = static_cast<std::size_t>(w.shape[0]), in = static_cast<std::size_t>(w.shape[1]);
    Matrix y(x.size(), std::vector<float>(out));
    for (std::size_t i = 0; i < x.size(); ++i)
        for (std::size_t o = 0; o < out; ++o) {
            double s = b.values[o];
            for (std::size_t k = 0; k < in; ++k) s += static_cast<double>(x[i][k]) * w.values[o * in + k];
            y[i][o] = static_cast<float>(s);
        }
    return y;
}

void referenceLayerNorm(Matrix& x, const Weight& g, const Weight& b, double eps) {
    for (auto& row : x) {
        double mean = 0, var = 0;
        for (float v : row) mean += v;
        mean /= static_cast<double>(row.size());
        for (float v : row) var += (v - mean) * (v - mean);
        var /= static_cast<double>(row.size());
        for (std::size_t k = 0; k < row.size(); ++k)
            row[k] = static_cast<float>((row[k] - mean) / std::sqrt(var + eps) * g.values[k] + b.values[k]);
    }
}

void referenceSoftmax(std::vector<float>& row) {
    double m = row[0], s = 0;
    for (float v : row) m = std::max<double>(m, v);
    for (float& v : row) s += std::exp(v - m);
    for (float& v : row) v = static_cast<float>(std::exp(v - m) / s);
}

namespace {
Matrix linear(const Matrix& x, const Weight& w, const Weight& b) { return referenceLinear(x, w, b); }
void layerNorm(Matrix& x, const Weight& g, const Weight& b, double eps) { referenceLayerNorm(x, g, b, eps); }
void softmax(std::vector<float>& row) { referenceSoftmax(row); }

float activation(const std::string& name, float x) {
    if (name == "relu") return x > 0 ? x : 0;
    if (name == "silu" || name == "swish") return static_cast<float>(x / (1 + std::exp(-static_cast<double>(x))));
    if (name == "gelu_new" || name == "gelu_pytorch_tanh")
        return static_cast<float>(0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x))));
    return static_cast<float>(0.5 * x * (1 + std::erf(x / std::sqrt(2.0))));
}

}  // namespace

void referenceMaskedSoftmax(std::vector<float>& scores, const std::function<bool(int key)>& allowed) {
    std::vector<float> kept;
    for (std::size_t j = 0; j < scores.size(); ++j)
        if (!allowed || allowed(static_cast<int>(j))) kept.push_back(scores[j]);
    if (kept.empty()) {  // no allowed key: every score shifted by the same minimum, so even weights
        std::fill(scores.begin(), scores.end(), 1.f / static_cast<float>(scores.size()));
        return;
    }
    softmax(kept);
    std::size_t next = 0;
    for (std::size_t j = 0; j < scores.size(); ++j) scores[j] = !allowed || allowed(static_cast<int>(j)) ? kept[next++] : 0.f;
}

ReferenceOutput referenceBert(const TinyBert& model, const std::vector<int>& ids, const std::vector<int>& masks,
                              const ReferenceControls& controls, const std::vector<int>& typeIds) {
    const auto& c = model.config;
    const std::size_t n = ids.size(), h = static_cast<std::size_t>(c.hiddenSize);
    const std::size_t heads = static_cast<std::size_t>(c.numHeads), hd = h / heads;
    const auto& word = model.w("embeddings.word_embeddings.weight");
    const auto& pos = model.w("embeddings.position_embeddings.weight");
    const bool hasTypes = model.weights.count("embeddings.token_type_embeddings.weight") > 0;  // DistilBERT has none

    // Position ids: 0, 1, 2, ...; RoBERTa counts the non-padding tokens from pad_token_id + 1 and
    // puts padding tokens at pad_token_id.
    const bool roberta = c.modelType == "roberta" || c.modelType == "xlm-roberta";
    std::vector<std::size_t> position(n);
    std::size_t counted = 0;
    for (std::size_t t = 0; t < n; ++t) {
        if (!roberta) position[t] = t;
        else if (ids[t] == c.padTokenId) position[t] = static_cast<std::size_t>(c.padTokenId);
        else position[t] = static_cast<std::size_t>(c.padTokenId) + ++counted;
    }
    // ALBERT's embeddings are narrower (e) and mapped to the hidden size after their LayerNorm.
    const std::size_t e = static_cast<std::size_t>(word.shape[1]);
    Matrix x(n, std::vector<float>(e));
    for (std::size_t t = 0; t < n; ++t)
        for (std::size_t d = 0; d < e; ++d)
            x[t][d] = word.values[static_cast<std::size_t>(ids[t]) * e + d] + pos.values[position[t] * e + d] +
                      (hasTypes ? model.w("embeddings.token_type_embeddings.weight")
                                      .values[static_cast<std::size_t>(typeIds.empty() ? 0 : typeIds[t]) * e + d]
                                : 0.f);
    layerNorm(x, model.w("embeddings.LayerNorm.weight"), model.w("embeddings.LayerNorm.bias"), c.layerNormEps);
    if (model.weights.count("embeddings.embedding_hidden_mapping_in.weight"))
        x = linear(x, model.w("embeddings.embedding_hidden_mapping_in.weight"), model.w("embeddings.embedding_hidden_mapping_in.bias"));
    // ALBERT's layers share the weights of their group: layer l runs group l / (layers / groups).
    const bool albert = c.modelType == "albert";
    const int perGroup = albert ? c.numLayers / c.numHiddenGroups : 1;

    ReferenceOutput out;
    for (int l = 0; l < c.numLayers; ++l) {
        const std::string p = "encoder.layer." + std::to_string(albert ? l / perGroup : l) + ".";
        auto W = [&](const std::string& s) -> const Weight& { return model.w(p + s); };
        const Matrix q = linear(x, W("attention.self.query.weight"), W("attention.self.query.bias"));
        const Matrix k = linear(x, W("attention.self.key.weight"), W("attention.self.key.bias"));
        const Matrix v = linear(x, W("attention.self.value.weight"), W("attention.self.value.bias"));
        Matrix context(n, std::vector<float>(h, 0.f));
        std::vector<Matrix> layerAttention;
        for (std::size_t head = 0; head < heads; ++head) {
            Matrix probs(n, std::vector<float>(n));
            for (std::size_t i = 0; i < n; ++i) {
                for (std::size_t j = 0; j < n; ++j) {
                    double s = 0;
                    for (std::size_t d = 0; d < hd; ++d) s += static_cast<double>(q[i][head * hd + d]) * k[j][head * hd + d];
                    probs[i][j] = static_cast<float>(s / std::sqrt(static_cast<double>(hd)));
                }
                const int li = l, hi = static_cast<int>(head), qi = static_cast<int>(i);
                std::function<bool(int)> allowed;
                if (controls.allowed) allowed = [&](int key) { return controls.allowed(li, hi, qi, key); };
                referenceMaskedSoftmax(probs[i], allowed);
                const float scale = controls.headScale ? controls.headScale(li, hi) : 1.f;
                for (auto& weight : probs[i]) weight *= scale;
                for (std::size_t d = 0; d < hd; ++d) {
                    double s = 0;
                    for (std::size_t j = 0; j < n; ++j) s += static_cast<double>(probs[i][j]) * v[j][head * hd + d];
                    context[i][head * hd + d] = static_cast<float>(s);
                }
            }
            layerAttention.push_back(std::move(probs));
        }
        out.attention.push_back(std::move(layerAttention));
        Matrix a = linear(context, W("attention.output.dense.weight"), W("attention.output.dense.bias"));
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t d = 0; d < h; ++d) a[i][d] += x[i][d];
        layerNorm(a, W("attention.output.LayerNorm.weight"), W("attention.output.LayerNorm.bias"), c.layerNormEps);
        Matrix inter = linear(a, W("intermediate.dense.weight"), W("intermediate.dense.bias"));
        for (auto& row : inter)
            for (float& val : row) val = activation(c.hiddenAct, val);
        Matrix o = linear(inter, W("output.dense.weight"), W("output.dense.bias"));
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t d = 0; d < h; ++d) o[i][d] += a[i][d];
        layerNorm(o, W("output.LayerNorm.weight"), W("output.LayerNorm.bias"), c.layerNormEps);
        x = std::move(o);
    }
    out.lastHidden = x;

    if (model.weights.count("pooler.dense.weight")) {  // BertPooler: tanh(dense(first token)), then the classifier
        Matrix pooled = linear({x[0]}, model.w("pooler.dense.weight"), model.w("pooler.dense.bias"));
        // BERT's pooler is tanh; DistilBERT's pre_classifier is ReLU.
        for (float& val : pooled[0]) val = c.modelType == "distilbert" ? std::max(val, 0.f) : std::tanh(val);
        out.sequenceLogits = linear(pooled, model.w("classifier.weight"), model.w("classifier.bias"))[0];
    } else if (model.weights.count("classifier.weight")) {
        out.tokenLogits = linear(x, model.w("classifier.weight"), model.w("classifier.bias"));
    }

    if (model.weights.count("cls.predictions.transform.dense.weight")) {
        Matrix rows;
        for (int m : masks) rows.push_back(x[static_cast<std::size_t>(m)]);
        Matrix t = linear(rows, model.w("cls.predictions.transform.dense.weight"),
                          model.w("cls.predictions.transform.dense.bias"));
        for (auto& row : t)
            for (float& val : row) val = activation(c.hiddenAct, val);
        layerNorm(t, model.w("cls.predictions.transform.LayerNorm.weight"),
                  model.w("cls.predictions.transform.LayerNorm.bias"), c.layerNormEps);
        out.maskProbabilities = linear(t, model.w("cls.predictions.decoder.weight"), model.w("cls.predictions.bias"));
        for (auto& row : out.maskProbabilities) softmax(row);
    }
    return out;
}

}  // namespace ascope::test
