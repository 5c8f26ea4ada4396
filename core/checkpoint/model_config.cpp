#include "checkpoint/model_config.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "util/json_fields.h"

namespace ascope {

namespace {
using nlohmann::json;

Expected<json> readJsonFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return makeError(ErrorKind::Io, path + ": cannot open");
    std::stringstream ss;
    ss << in.rdbuf();
    try {
        return json::parse(ss.str());
    } catch (const std::exception& e) {
        return makeError(ErrorKind::InvalidInput, path + ": invalid JSON (" + e.what() + ")");
    }
}

}  // namespace

Expected<ModelConfig> ModelConfig::fromFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return makeError(ErrorKind::Io, path + ": cannot open (is this a Hugging Face model folder?)");
    std::stringstream ss;
    ss << in.rdbuf();
    return fromJsonText(ss.str(), path);
}

Expected<ModelConfig> ModelConfig::fromJsonText(const std::string& text, const std::string& source) {
    json j;
    try {
        j = json::parse(text);
    } catch (const std::exception& e) {
        return makeError(ErrorKind::InvalidInput, source + ": invalid JSON (" + e.what() + ")");
    }
    if (!j.is_object()) return makeError(ErrorKind::InvalidInput, source + ": not a JSON object");
    ModelConfig c;
    try {
        c.modelType = j.value("model_type", std::string());
        if (auto a = j.find("architectures"); a != j.end() && a->is_array())
            for (const auto& s : *a)
                if (s.is_string()) c.architectures.push_back(s.get<std::string>());
        // ALBERT's default activation is gelu_new (Hugging Face's AlbertConfig).
        c.hiddenAct = j.value("hidden_act", std::string(c.modelType == "albert" ? "gelu_new" : "gelu"));
        if (auto e = j.find("layer_norm_eps"); e != j.end() && !e->is_null()) {
            if (!e->is_number()) return makeError(ErrorKind::InvalidInput, source + ": 'layer_norm_eps' must be a number");
            c.layerNormEps = e->get<double>();
        }
        c.qkvBias = j.value("qkv_bias", true);
        if (auto p = j.find("problem_type"); p != j.end() && p->is_string()) {
            c.problemType = p->get<std::string>();
            if (c.problemType != "single_label_classification" && c.problemType != "multi_label_classification" &&
                c.problemType != "regression")
                return makeError(ErrorKind::Unsupported, source + ": problem_type '" + c.problemType +
                                 "' is not one of single_label_classification, multi_label_classification, regression");
        }
        if (auto l = j.find("id2label"); l != j.end() && l->is_object()) {
            for (auto it = l->begin(); it != l->end(); ++it) {
                if (!it->is_string()) continue;
                try {
                    std::size_t used = 0;
                    const int id = std::stoi(it.key(), &used);
                    if (used != it.key().size() || id < 0 || id > 1'000'000) throw std::invalid_argument("id");
                    c.id2label[id] = it->get<std::string>();
                } catch (...) {
                    return makeError(ErrorKind::InvalidInput, source + ": id2label key '" + it.key() + "' is not an integer");
                }
            }
        }
    } catch (const std::exception& e) {
        return makeError(ErrorKind::InvalidInput, source + ": unexpected value type (" + e.what() + ")");
    }
    if (c.modelType == "distilbert") {
        // DistilBERT's own key names; no token types; the classifier's pre_classifier uses ReLU.
        for (auto st : {readIntField(j, "dim", c.hiddenSize, 1, 65536, source),
                        readIntField(j, "n_layers", c.numLayers, 1, 1000, source),
                        readIntField(j, "n_heads", c.numHeads, 1, 4096, source),
                        readIntField(j, "hidden_dim", c.intermediateSize, 1, 1 << 18, source)}) {
            if (!st) return st.errorValue();
        }
        if (auto a = j.find("activation"); a != j.end() && a->is_string()) c.hiddenAct = a->get<std::string>();
        c.typeVocabSize = 0;
        c.poolerActivation = "relu";
    }
    constexpr long kBig = 1 << 20;
    for (auto st : {readIntField(j, "vocab_size", c.vocabSize, 1, 10'000'000, source),
                    readIntField(j, "hidden_size", c.hiddenSize, 1, 65536, source),
                    readIntField(j, "num_hidden_layers", c.numLayers, 1, 1000, source),
                    readIntField(j, "num_attention_heads", c.numHeads, 1, 4096, source),
                    readIntField(j, "intermediate_size", c.intermediateSize, 1, 1 << 18, source),
                    readIntField(j, "max_position_embeddings", c.maxPositionEmbeddings, 1, kBig, source),
                    readIntField(j, "type_vocab_size", c.typeVocabSize, 0, 1024, source),
                    readIntField(j, "pad_token_id", c.padTokenId, 0, 10'000'000, source),
                    readIntField(j, "image_size", c.imageSize, 1, 8192, source),
                    readIntField(j, "patch_size", c.patchSize, 1, 8192, source),
                    readIntField(j, "num_channels", c.numChannels, 1, 16, source)}) {
        if (!st) return st.errorValue();
    }
    if (c.isAlbert()) {
        for (auto st : {readIntField(j, "embedding_size", c.embeddingSize, 1, 65536, source),
                        readIntField(j, "num_hidden_groups", c.numHiddenGroups, 1, 1000, source),
                        readIntField(j, "inner_group_num", c.innerGroupNum, 1, 1000, source)}) {
            if (!st) return st.errorValue();
        }
        if (c.numLayers > 0 && c.numLayers % c.numHiddenGroups != 0)
            return makeError(ErrorKind::InvalidInput, source + ": num_hidden_layers " + std::to_string(c.numLayers) +
                             " is not a multiple of num_hidden_groups " + std::to_string(c.numHiddenGroups));
        if (c.innerGroupNum != 1)
            return makeError(ErrorKind::Unsupported, source + ": inner_group_num " + std::to_string(c.innerGroupNum) +
                             " is not supported (every released ALBERT has 1)");
    }
    if (c.hiddenSize == 0 || c.numLayers == 0 || c.numHeads == 0)
        return makeError(ErrorKind::InvalidInput, source + ": needs hidden_size, num_hidden_layers and num_attention_heads");
    if (c.hiddenSize % c.numHeads != 0)
        return makeError(ErrorKind::InvalidInput, source + ": hidden_size " + std::to_string(c.hiddenSize) +
                         " is not a multiple of num_attention_heads " + std::to_string(c.numHeads));
    if (c.intermediateSize == 0) c.intermediateSize = 4 * c.hiddenSize;
    if (c.maxTokens() < 1)
        return makeError(ErrorKind::InvalidInput, source + ": max_position_embeddings " + std::to_string(c.maxPositionEmbeddings) +
                         " leaves no position after the padding id's offset (" + std::to_string(c.positionOffset()) + ")");
    if (!(c.layerNormEps > 0.0 && c.layerNormEps < 1.0))
        return makeError(ErrorKind::InvalidInput, source + ": layer_norm_eps must be in (0, 1)");
    return c;
}

bool ModelConfig::hasArchitecture(const std::string& suffix) const {
    for (const auto& a : architectures)
        if (a.size() >= suffix.size() && a.compare(a.size() - suffix.size(), suffix.size(), suffix) == 0) return true;
    return false;
}

std::string ModelConfig::labelName(int id) const {
    auto it = id2label.find(id);
    return it != id2label.end() ? it->second : "LABEL_" + std::to_string(id);
}

std::string ModelConfig::toJsonText() const {
    json j;
    j["model_type"] = modelType;
    if (modelType == "distilbert") {  // DistilBERT's own keys (Hugging Face's DistilBertConfig)
        j["dim"] = hiddenSize;
        j["n_layers"] = numLayers;
        j["n_heads"] = numHeads;
        j["hidden_dim"] = intermediateSize;
        j["activation"] = hiddenAct;
        j["sinusoidal_pos_embds"] = false;
    }
    j["architectures"] = architectures;
    if (modelType != "distilbert") {
        j["hidden_size"] = hiddenSize;
        j["num_hidden_layers"] = numLayers;
        j["num_attention_heads"] = numHeads;
        j["intermediate_size"] = intermediateSize;
        j["hidden_act"] = hiddenAct;
    }
    if (isAlbert()) {
        j["embedding_size"] = embeddingWidth();
        j["num_hidden_groups"] = numHiddenGroups;
        j["inner_group_num"] = innerGroupNum;
    }
    j["layer_norm_eps"] = layerNormEps;
    j["hidden_dropout_prob"] = 0.1;
    j["attention_probs_dropout_prob"] = 0.1;
    j["initializer_range"] = 0.02;
    if (isVision()) {
        j["image_size"] = imageSize;
        j["patch_size"] = patchSize;
        j["num_channels"] = numChannels;
        j["qkv_bias"] = qkvBias;
    } else {
        j["vocab_size"] = vocabSize;
        j["max_position_embeddings"] = maxPositionEmbeddings;
        if (modelType != "distilbert") j["type_vocab_size"] = typeVocabSize;
        j["pad_token_id"] = padTokenId;
    }
    if (!problemType.empty()) j["problem_type"] = problemType;
    if (!id2label.empty()) {
        json labels = json::object(), ids = json::object();
        for (const auto& [id, name] : id2label) {
            labels[std::to_string(id)] = name;
            ids[name] = id;
        }
        j["id2label"] = labels;
        j["label2id"] = ids;
    }
    return j.dump(2);
}

Expected<TokenizerConfig> TokenizerConfig::fromFolder(const std::string& dir) {
    TokenizerConfig c;
    const auto path = (std::filesystem::path(dir) / "tokenizer_config.json").string();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return c;
    auto j = readJsonFile(path);
    if (!j) return j.errorValue();
    if (!j->is_object()) return makeError(ErrorKind::InvalidInput, path + ": not a JSON object");
    if (auto it = j->find("do_lower_case"); it != j->end() && it->is_boolean()) c.doLowerCase = it->get<bool>();
    if (auto it = j->find("tokenize_chinese_chars"); it != j->end() && it->is_boolean())
        c.tokenizeChineseChars = it->get<bool>();
    if (auto it = j->find("strip_accents"); it != j->end() && it->is_boolean())
        c.stripAccents = it->get<bool>() ? StripAccents::Yes : StripAccents::No;
    return c;
}

}  // namespace ascope
