#include "checkpoint/albert_layout.h"

#include <utility>

namespace ascope {

namespace {
bool startsWith(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// The BERT name of what follows "albert_layers.0." inside a layer group.
std::string bertLayerPart(const std::string& part) {
    const std::pair<std::string, std::string> kNames[] = {
        {"attention.query.", "attention.self.query."},
        {"attention.key.", "attention.self.key."},
        {"attention.value.", "attention.self.value."},
        {"attention.dense.", "attention.output.dense."},
        {"attention.LayerNorm.", "attention.output.LayerNorm."},
        {"ffn_output.", "output.dense."},
        {"ffn.", "intermediate.dense."},
        {"full_layer_layer_norm.", "output.LayerNorm."},
    };
    for (const auto& [from, to] : kNames)
        if (startsWith(part, from)) return to + part.substr(from.size());
    return {};
}
}  // namespace

std::string bertNameOfAlbert(const std::string& name) {
    const std::pair<std::string, std::string> kHeads[] = {
        {"predictions.dense.", "cls.predictions.transform.dense."},
        {"predictions.LayerNorm.", "cls.predictions.transform.LayerNorm."},
        {"predictions.decoder.weight", "cls.predictions.decoder.weight"},
        {"predictions.bias", "cls.predictions.bias"},
    };
    for (const auto& [from, to] : kHeads)
        if (startsWith(name, from)) return to + name.substr(from.size());
    // The encoder, with ("albert.", AlbertForMaskedLM and the task models) or without (AlbertModel) its prefix.
    const bool prefixed = startsWith(name, "albert.");
    const std::string prefix = prefixed ? "bert." : "";
    const std::string rest = prefixed ? name.substr(7) : name;
    if (startsWith(rest, "embeddings.")) return prefix + rest;
    if (startsWith(rest, "encoder.embedding_hidden_mapping_in."))
        return prefix + "embeddings.embedding_hidden_mapping_in." + rest.substr(36);
    if (startsWith(rest, "pooler.")) return prefix + "pooler.dense." + rest.substr(7);
    const std::string groups = "encoder.albert_layer_groups.";
    if (startsWith(rest, groups)) {
        // encoder.albert_layer_groups.G.albert_layers.0.<part>: with one layer per group (the
        // only kind there is), group G is BERT layer G.
        const auto dot = rest.find('.', groups.size());
        const std::string inner = ".albert_layers.0.";
        if (dot != std::string::npos && rest.compare(dot, inner.size(), inner) == 0) {
            const std::string part = bertLayerPart(rest.substr(dot + inner.size()));
            if (!part.empty()) return prefix + "encoder.layer." + rest.substr(groups.size(), dot - groups.size()) + "." + part;
        }
    }
    return name;
}

}  // namespace ascope
