#include "tiny_bert_fixture.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>

#include "checkpoint/safetensors_writer.h"
#include "temp_dir.h"
#include "tokenizer/vocab.h"

namespace ascope::test {

namespace {
std::uint16_t halfBits(float v) {
    const std::uint16_t sign = std::signbit(v) ? 0x8000 : 0;
    const float a = std::fabs(v);
    if (a == 0.f) return sign;
    int e = 0;
    const float m = std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1)
    const int exponent = e - 1 + 15;
    if (exponent <= 0) return sign | static_cast<std::uint16_t>(std::lround(a / std::ldexp(1.f, -24)));
    return sign | static_cast<std::uint16_t>(exponent << 10) |
           static_cast<std::uint16_t>(std::lround((m * 2.f - 1.f) * 1024.f));
}
// Hugging Face's DistilBERT name of a BERT fixture tensor (written out here, independently of the
// core's mapping, from modeling_distilbert.py's module names).
std::string distilBertName(const std::string& bert) {
    static const std::vector<std::pair<std::string, std::string>> kWhole = {
        {"cls.predictions.transform.dense.", "vocab_transform."},
        {"cls.predictions.transform.LayerNorm.", "vocab_layer_norm."},
        {"cls.predictions.decoder.weight", "vocab_projector.weight"},
        {"cls.predictions.bias", "vocab_projector.bias"},
        {"pooler.dense.", "pre_classifier."},
        {"classifier.", "classifier."},
        {"embeddings.", "distilbert.embeddings."},
    };
    for (const auto& [from, to] : kWhole)
        if (bert.rfind(from, 0) == 0) return to + bert.substr(from.size());
    static const std::vector<std::pair<std::string, std::string>> kLayer = {
        {"attention.self.query.", "attention.q_lin."}, {"attention.self.key.", "attention.k_lin."},
        {"attention.self.value.", "attention.v_lin."}, {"attention.output.dense.", "attention.out_lin."},
        {"attention.output.LayerNorm.", "sa_layer_norm."}, {"intermediate.dense.", "ffn.lin1."},
        {"output.dense.", "ffn.lin2."}, {"output.LayerNorm.", "output_layer_norm."},
    };
    const std::string layerPrefix = "encoder.layer.";
    if (bert.rfind(layerPrefix, 0) == 0) {
        const auto dot = bert.find('.', layerPrefix.size());
        const std::string index = bert.substr(layerPrefix.size(), dot - layerPrefix.size()), rest = bert.substr(dot + 1);
        for (const auto& [from, to] : kLayer)
            if (rest.rfind(from, 0) == 0) return "distilbert.transformer.layer." + index + "." + to + rest.substr(from.size());
    }
    return bert;
}
}  // namespace

std::vector<std::uint8_t> encodeAs(DType dtype, const std::vector<float>& values) {
    std::vector<std::uint8_t> out;
    for (float v : values) {
        std::uint16_t bits16 = 0;
        if (dtype == DType::F32) {
            std::uint8_t b[4];
            std::memcpy(b, &v, 4);
            out.insert(out.end(), b, b + 4);
            continue;
        }
        if (dtype == DType::F16) {
            bits16 = halfBits(v);
        } else {  // BF16: the upper half of the float32 bits
            std::uint32_t bits;
            std::memcpy(&bits, &v, 4);
            bits16 = static_cast<std::uint16_t>(bits >> 16);
        }
        out.push_back(static_cast<std::uint8_t>(bits16 & 0xFF));
        out.push_back(static_cast<std::uint8_t>(bits16 >> 8));
    }
    return out;
}

Weight ExactRandomWeights::make(std::vector<std::int64_t> shape, float offset) {
    std::uniform_int_distribution<int> dist(-64, 64);
    Weight w;
    w.shape = std::move(shape);
    std::int64_t n = 1;
    for (auto d : w.shape) n *= d;
    const float scale = offset != 0.f ? 128.f : 256.f;
    for (std::int64_t i = 0; i < n; ++i) w.values.push_back(offset + static_cast<float>(dist(m_rng)) / scale);
    return w;
}

std::vector<std::string> tinyVocab() {
    return {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the",  "cat",  "sat", "on",   "mat",  "dog",  "a",
            "ran",   ".",     ",",     "##s",   "##ing",  "big",  "small", "red", "blue", "house", "tree", "is",
            "was",   "sun",   "sky",   "in",    "shin",   "##y",  "bright", "##ly"};
}

TinyBert writeTinyBert(const std::string& dir, const TinyBertSpec& spec) {
    std::filesystem::create_directories(dir);
    TinyBert t;
    t.dir = dir;
    t.vocab = tinyVocab();
    auto& c = t.config;
    c.modelType = "bert";
    const bool distil = spec.family == "distilbert";
    const std::string arch = distil ? "DistilBert" : "Bert";
    c.architectures = {arch + (spec.task == "sequence" ? "ForSequenceClassification"
                               : spec.task == "tokens" ? "ForTokenClassification"
                               : spec.mlmHead          ? "ForMaskedLM"
                                                       : "Model")};
    if (distil) {
        c.modelType = "distilbert";
        c.poolerActivation = "relu";
    }
    c.problemType = spec.problemType;
    if (!spec.task.empty())
        for (std::size_t i = 0; i < spec.labels.size(); ++i) c.id2label[static_cast<int>(i)] = spec.labels[i];
    c.vocabSize = static_cast<int>(t.vocab.size());
    c.hiddenSize = spec.hidden;
    c.numLayers = spec.layers;
    c.numHeads = spec.heads;
    c.intermediateSize = spec.intermediate;
    c.maxPositionEmbeddings = spec.maxPositions;
    c.hiddenAct = spec.activation;
    c.layerNormEps = 1e-12;
    c.typeVocabSize = distil ? 0 : 2;

    ExactRandomWeights random(spec.seed);
    auto add = [&](const std::string& name, std::vector<std::int64_t> shape, float offset = 0.f) {
        t.weights[name] = random.make(std::move(shape), offset);
    };
    const int h = spec.hidden, v = c.vocabSize, inter = spec.intermediate;
    add("embeddings.word_embeddings.weight", {v, h});
    add("embeddings.position_embeddings.weight", {spec.maxPositions, h});
    if (!distil) add("embeddings.token_type_embeddings.weight", {2, h});
    add("embeddings.LayerNorm.weight", {h}, 1.f);
    add("embeddings.LayerNorm.bias", {h});
    for (int l = 0; l < spec.layers; ++l) {
        const std::string p = "encoder.layer." + std::to_string(l) + ".";
        for (const char* m : {"query", "key", "value"}) {
            add(p + "attention.self." + m + ".weight", {h, h});
            add(p + "attention.self." + m + ".bias", {h});
        }
        add(p + "attention.output.dense.weight", {h, h});
        add(p + "attention.output.dense.bias", {h});
        add(p + "attention.output.LayerNorm.weight", {h}, 1.f);
        add(p + "attention.output.LayerNorm.bias", {h});
        add(p + "intermediate.dense.weight", {inter, h});
        add(p + "intermediate.dense.bias", {inter});
        add(p + "output.dense.weight", {h, inter});
        add(p + "output.dense.bias", {h});
        add(p + "output.LayerNorm.weight", {h}, 1.f);
        add(p + "output.LayerNorm.bias", {h});
    }
    const int labelRows = spec.labelCount > 0 ? spec.labelCount : static_cast<int>(spec.labels.size());
    if (spec.task == "sequence") {
        add("pooler.dense.weight", {h, h});
        add("pooler.dense.bias", {h});
    }
    if (!spec.task.empty()) {
        add("classifier.weight", {labelRows, h});
        add("classifier.bias", {labelRows});
    } else if (spec.mlmHead) {
        add("cls.predictions.transform.dense.weight", {h, h});
        add("cls.predictions.transform.dense.bias", {h});
        add("cls.predictions.transform.LayerNorm.weight", {h}, 1.f);
        add("cls.predictions.transform.LayerNorm.bias", {h});
        add("cls.predictions.bias", {v});
        if (spec.tiedDecoder) t.weights["cls.predictions.decoder.weight"] = t.weights["embeddings.word_embeddings.weight"];
        else add("cls.predictions.decoder.weight", {v, h});
    }

    // Write: encoder tensors (and the pooler) under the prefix; the heads under cls.* or classifier.*;
    // a tied decoder left out.
    std::vector<SafetensorsWriter> writers(static_cast<std::size_t>(std::max(1, spec.shards)));
    std::map<std::string, std::string> weightMap;
    std::size_t i = 0;
    for (const auto& [name, w] : t.weights) {
        if (spec.tiedDecoder && name == "cls.predictions.decoder.weight") continue;
        const bool headTensor = name.rfind("cls.", 0) == 0 || name.rfind("classifier.", 0) == 0;
        const std::string stored = distil ? distilBertName(name) : headTensor ? name : spec.prefix + name;
        const std::size_t shard = i++ % writers.size();
        writers[shard].addRaw(stored, spec.dtype, w.shape, encodeAs(spec.dtype, w.values));
        weightMap[stored] = "model-0000" + std::to_string(shard + 1) + "-of-0000" + std::to_string(writers.size()) +
                            ".safetensors";
    }
    if (writers.size() == 1) {
        writers[0].write((std::filesystem::path(dir) / "model.safetensors").string());
    } else {
        for (std::size_t s = 0; s < writers.size(); ++s)
            writers[s].write((std::filesystem::path(dir) / ("model-0000" + std::to_string(s + 1) + "-of-0000" +
                                                            std::to_string(writers.size()) + ".safetensors"))
                                 .string());
        std::string json = "{\"metadata\": {}, \"weight_map\": {";
        bool first = true;
        for (const auto& [name, file] : weightMap) {
            json += (first ? "" : ", ") + std::string("\"") + name + "\": \"" + file + "\"";
            first = false;
        }
        writeText((std::filesystem::path(dir) / "model.safetensors.index.json").string(), json + "}}");
    }
    writeText((std::filesystem::path(dir) / "config.json").string(), c.toJsonText());
    writeText((std::filesystem::path(dir) / "tokenizer_config.json").string(), "{\"do_lower_case\": true}");
    Vocab::fromTokens(t.vocab).writeFile((std::filesystem::path(dir) / "vocab.txt").string());
    return t;
}

}  // namespace ascope::test
