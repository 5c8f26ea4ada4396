#include "checkpoint/roberta_layout.h"

#include <utility>

namespace ascope {

std::string bertNameOfRoberta(const std::string& name, bool prefixed) {
    const std::string pooler = prefixed ? "bert.pooler.dense." : "pooler.dense.";
    const std::pair<std::string, std::string> kNames[] = {
        {"roberta.embeddings.", "bert.embeddings."},
        {"roberta.encoder.", "bert.encoder."},
        {"lm_head.dense.", "cls.predictions.transform.dense."},
        {"lm_head.layer_norm.", "cls.predictions.transform.LayerNorm."},
        {"lm_head.decoder.weight", "cls.predictions.decoder.weight"},
        {"lm_head.bias", "cls.predictions.bias"},
        {"classifier.dense.", pooler},
        {"classifier.out_proj.", "classifier."},
    };
    for (const auto& [from, to] : kNames)
        if (name.compare(0, from.size(), from) == 0) return to + name.substr(from.size());
    return name;
}

}  // namespace ascope
