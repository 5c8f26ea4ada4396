#include "checkpoint/distilbert_layout.h"

#include <utility>

namespace ascope {

namespace {
bool startsWith(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// Replaces the first `from` in `s` by `to`; false when absent.
bool replaceOnce(std::string& s, const std::string& from, const std::string& to) {
    const auto at = s.find(from);
    if (at == std::string::npos) return false;
    s.replace(at, from.size(), to);
    return true;
}
}  // namespace

std::string bertNameOfDistilBert(const std::string& name) {
    std::string n = name;
    // The heads, outside the encoder.
    static const std::pair<const char*, const char*> kHeads[] = {
        {"vocab_transform.", "cls.predictions.transform.dense."},
        {"vocab_layer_norm.", "cls.predictions.transform.LayerNorm."},
        {"vocab_projector.weight", "cls.predictions.decoder.weight"},
        {"vocab_projector.bias", "cls.predictions.bias"},
        {"pre_classifier.", "bert.pooler.dense."},
    };
    for (const auto& [from, to] : kHeads)
        if (startsWith(n, from)) return to + n.substr(std::string(from).size());
    // The encoder, with or without the "distilbert." prefix.
    std::string prefix;
    if (startsWith(n, "distilbert.")) {
        prefix = "bert.";
        n = n.substr(11);
    }
    if (startsWith(n, "transformer.layer.")) {
        n = "encoder.layer." + n.substr(18);
        static const std::pair<const char*, const char*> kLayer[] = {
            {".attention.q_lin.", ".attention.self.query."},   {".attention.k_lin.", ".attention.self.key."},
            {".attention.v_lin.", ".attention.self.value."},   {".attention.out_lin.", ".attention.output.dense."},
            {".sa_layer_norm.", ".attention.output.LayerNorm."}, {".ffn.lin1.", ".intermediate.dense."},
            {".ffn.lin2.", ".output.dense."},                  {".output_layer_norm.", ".output.LayerNorm."},
        };
        for (const auto& [from, to] : kLayer)
            if (replaceOnce(n, from, to)) break;
        return prefix + n;
    }
    if (startsWith(n, "embeddings.")) return prefix + n;
    return name;
}

}  // namespace ascope
