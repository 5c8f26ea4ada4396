#include "checkpoint/bert_family_layout.h"

#include <algorithm>

#include "checkpoint/albert_layout.h"
#include "checkpoint/distilbert_layout.h"
#include "checkpoint/roberta_layout.h"

namespace ascope {

namespace {
bool startsWith(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// The prefix of the encoder's tensors in the family's task models ("roberta." for XLM-R too).
std::string familyPrefix(const ModelConfig& c) {
    if (c.modelType == "distilbert") return "distilbert.";
    if (c.isAlbert()) return "albert.";
    if (c.isRobertaFamily()) return "roberta.";
    return "bert.";
}

// The BERT name of a family tensor whose encoder names carry the family prefix.
std::string bertNameOfPrefixed(const ModelConfig& c, const std::string& name) {
    if (c.modelType == "distilbert") return bertNameOfDistilBert(name);
    if (c.isAlbert()) return bertNameOfAlbert(name);
    if (c.isRobertaFamily()) return bertNameOfRoberta(name, true);
    return name;
}

// The family's names of a new task head's tensors.
std::vector<std::string> headNames(const ModelConfig& c, bool sequenceHead) {
    std::vector<std::string> bases;
    if (!sequenceHead) bases = {"classifier."};
    else if (c.isRobertaFamily()) bases = {"classifier.dense.", "classifier.out_proj."};
    else if (c.modelType == "distilbert") bases = {"pre_classifier.", "classifier."};
    else if (c.isAlbert()) bases = {"albert.pooler.", "classifier."};
    else bases = {"bert.pooler.dense.", "classifier."};
    std::vector<std::string> out;
    for (const auto& b : bases) {
        out.push_back(b + "weight");
        out.push_back(b + "bias");
    }
    return out;
}
}  // namespace

void renameToBertLayout(CheckpointTensors& tensors, const ModelConfig& config) {
    if (config.modelType == "distilbert") tensors.renameAll(bertNameOfDistilBert);
    if (config.isAlbert()) tensors.renameAll(bertNameOfAlbert);
    if (config.isRobertaFamily()) {
        const bool prefixed = tensors.contains("roberta.embeddings.word_embeddings.weight");
        tensors.renameAll([prefixed](const std::string& name) { return bertNameOfRoberta(name, prefixed); });
    }
}

std::string architectureStem(const ModelConfig& c) {
    if (c.modelType == "distilbert") return "DistilBert";
    if (c.isAlbert()) return "Albert";
    if (c.modelType == "roberta") return "Roberta";
    if (c.modelType == "xlm-roberta") return "XLMRoberta";
    if (c.modelType == "camembert") return "Camembert";
    return "Bert";
}

std::map<std::string, std::string> familyNamesOfTaskModel(const ModelConfig& config,
                                                          const std::vector<std::string>& sourceNames, bool sequenceHead) {
    const std::string prefix = familyPrefix(config);
    // A bare encoder (BertModel, RobertaModel, ...) stores its tensors without the prefix.
    const bool bare = std::find(sourceNames.begin(), sourceNames.end(), prefix + "embeddings.word_embeddings.weight") ==
                      sourceNames.end();
    std::map<std::string, std::string> out;
    for (const auto& name : sourceNames) {
        const std::string familyName = bare ? prefix + name : name;
        const std::string bertName = bertNameOfPrefixed(config, familyName);
        // The encoder only: the source's own heads (MLM, pooler, classifier) are not the new model's.
        if (startsWith(bertName, "bert.") && !startsWith(bertName, "bert.pooler.")) out[bertName] = familyName;
    }
    for (const auto& familyName : headNames(config, sequenceHead)) out[bertNameOfPrefixed(config, familyName)] = familyName;
    return out;
}

}  // namespace ascope
