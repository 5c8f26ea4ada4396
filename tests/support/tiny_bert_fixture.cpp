#include "tiny_bert_fixture.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>

#include "checkpoint/safetensors_writer.h"
#include "temp_dir.h"
#include "tokenizer/precompiled_charsmap.h"
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
// Hugging Face's RoBERTa name of a BERT fixture tensor (from modeling_roberta.py's module names,
// written out independently of the core's mapping).
std::string robertaName(const std::string& bert) {
    static const std::vector<std::pair<std::string, std::string>> kWhole = {
        {"cls.predictions.transform.dense.", "lm_head.dense."},
        {"cls.predictions.transform.LayerNorm.", "lm_head.layer_norm."},
        {"cls.predictions.decoder.weight", "lm_head.decoder.weight"},
        {"cls.predictions.bias", "lm_head.bias"},
        {"pooler.dense.", "classifier.dense."},
    };
    for (const auto& [from, to] : kWhole)
        if (bert.rfind(from, 0) == 0) return to + bert.substr(from.size());
    return bert;
}

// ALBERT's name of a BERT-named fixture tensor (group G written from BERT layer G).
std::string albertName(const std::string& bert) {
    static const std::vector<std::pair<std::string, std::string>> kHeads = {
        {"cls.predictions.transform.dense.", "predictions.dense."},
        {"cls.predictions.transform.LayerNorm.", "predictions.LayerNorm."},
        {"cls.predictions.decoder.weight", "predictions.decoder.weight"},
        {"cls.predictions.bias", "predictions.bias"},
        {"classifier.", "classifier."},
        {"embeddings.embedding_hidden_mapping_in.", "albert.encoder.embedding_hidden_mapping_in."},
        {"pooler.dense.", "albert.pooler."},
        {"embeddings.", "albert.embeddings."},
    };
    for (const auto& [from, to] : kHeads)
        if (bert.rfind(from, 0) == 0) return to + bert.substr(from.size());
    static const std::vector<std::pair<std::string, std::string>> kLayer = {
        {"attention.self.query.", "attention.query."},       {"attention.self.key.", "attention.key."},
        {"attention.self.value.", "attention.value."},       {"attention.output.dense.", "attention.dense."},
        {"attention.output.LayerNorm.", "attention.LayerNorm."}, {"intermediate.dense.", "ffn."},
        {"output.dense.", "ffn_output."},                    {"output.LayerNorm.", "full_layer_layer_norm."},
    };
    const std::string layer = "encoder.layer.";
    const auto dot = bert.find('.', layer.size());
    const std::string group = bert.substr(layer.size(), dot - layer.size()), part = bert.substr(dot + 1);
    for (const auto& [from, to] : kLayer)
        if (part.rfind(from, 0) == 0)
            return "albert.encoder.albert_layer_groups." + group + ".albert_layers.0." + to + part.substr(from.size());
    return bert;
}

// GPT-2's byte symbols: printable Latin-1 bytes stand for themselves, the others for 256 + n.
std::vector<std::string> byteSymbols() {
    std::vector<std::string> out;
    int next = 0;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
        const char32_t cp = static_cast<char32_t>(printable ? b : 256 + next++);
        std::string u;
        if (cp < 0x80) u += static_cast<char>(cp);
        else {
            u += static_cast<char>(0xC0 | (cp >> 6));
            u += static_cast<char>(0x80 | (cp & 0x3F));
        }
        out.push_back(u);
    }
    return out;
}

std::string jsonString(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}
}  // namespace

std::string tinyRobertaTokenizerJson(std::vector<std::string>* vocabOut) {
    std::vector<std::string> vocab = {"<s>", "<pad>", "</s>", "<unk>", "<mask>"};
    for (const auto& b : byteSymbols()) vocab.push_back(b);
    std::vector<std::pair<std::string, std::string>> merges;
    auto known = [&](const std::string& t) { return std::find(vocab.begin(), vocab.end(), t) != vocab.end(); };
    const std::string space = "\xC4\xA0";  // Ġ
    for (const char* w : {"the", "cat", "sat", "on", "mat", "dog", "a", "big", "red", "sky", "is", "ran"})
        for (const std::string& word : {space + w, std::string(w)}) {
            // Left to right: the first symbol (Ġ is two bytes of UTF-8 but one symbol), then one letter at a time.
            std::string built = word.rfind(space, 0) == 0 ? space : std::string(1, word[0]);
            for (std::size_t k = built.size(); k < word.size(); ++k) {
                const std::string next(1, word[k]);
                if (!known(built + next)) {
                    merges.emplace_back(built, next);
                    vocab.push_back(built + next);
                }
                built += next;
            }
        }
    std::string json = "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null, \"added_tokens\": [";
    for (int id = 0; id < 5; ++id)
        json += std::string(id ? ", " : "") + "{\"id\": " + std::to_string(id) + ", \"content\": " + jsonString(vocab[id]) +
                ", \"single_word\": false, \"lstrip\": " + (id == 4 ? "true" : "false") +
                ", \"rstrip\": false, \"normalized\": false, \"special\": true}";
    json += "], \"normalizer\": null, \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false, "
            "\"trim_offsets\": true, \"use_regex\": true}, \"post_processor\": {\"type\": \"RobertaProcessing\", "
            "\"sep\": [\"</s>\", 2], \"cls\": [\"<s>\", 0], \"trim_offsets\": true, \"add_prefix_space\": false}, "
            "\"decoder\": {\"type\": \"ByteLevel\"}, \"model\": {\"type\": \"BPE\", \"dropout\": null, "
            "\"unk_token\": null, \"vocab\": {";
    for (std::size_t id = 0; id < vocab.size(); ++id) json += (id ? ", " : "") + jsonString(vocab[id]) + ": " + std::to_string(id);
    json += "}, \"merges\": [";
    for (std::size_t m = 0; m < merges.size(); ++m) json += (m ? ", " : "") + jsonString(merges[m].first + " " + merges[m].second);
    json += "]}}";
    if (vocabOut) *vocabOut = vocab;
    return json;
}

std::string tinyUnigramTokenizerJson(std::vector<std::string>* vocabOut) {
    // Pieces and scores as the transformers.js run that gave the tests' expected ids had them.
    const std::vector<std::pair<std::string, double>> pieces = {
        {"<s>", 0.0},
        {"<pad>", 0.0},
        {"</s>", 0.0},
        {"<unk>", 0.0},
        {"▁", -2.0},
        {"▁the", -3.0},
        {"▁cat", -5.0},
        {"▁ca", -6.0},
        {"t", -4.0},
        {"s", -4.0},
        {"▁sat", -5.0},
        {"▁on", -4.0},
        {"▁mat", -6.0},
        {"▁a", -4.0},
        {"a", -4.5},
        {"m", -5.0},
        {"▁J", -7.0},
        {"'", -5.0},
        {"aime", -7.0},
        {"ai", -6.0},
        {"me", -6.0},
        {"▁dans", -7.0},
        {"▁le", -5.0},
        {"▁parc", -8.0},
        {"▁par", -6.0},
        {"c", -5.0},
        {".", -3.0},
        {",", -3.5},
        {"▁I", -4.0},
        {"ch", -6.0},
        {"▁Ich", -7.0},
        {"▁liebe", -7.5},
        {"▁es", -5.0},
        {"▁im", -5.0},
        {"▁Park", -7.0},
        {"▁zu", -6.0},
        {"▁love", -6.0},
        {"▁to", -4.0},
        {"▁in", -4.0},
        {"▁park", -7.0},
        {"é", -6.0},
        {"e", -4.0},
        {"f", -5.0},
        {"▁caf", -8.0},
        {"▁café", -7.5},
        {"fi", -5.5},
        {"▁fi", -6.5},
        {"▁fin", -7.0},
        {"n", -4.5},
        {"d", -4.5},
        {"o", -4.0},
        {"g", -5.0},
        {"▁dog", -6.0},
        {"...", -4.0},
        {"▁A", -6.0},
        {"A", -5.5},
        {"i", -4.5},
        {"l", -4.5},
        {"r", -4.5},
        {"k", -5.0},
        {"p", -5.0},
        {"h", -5.0},
        {"u", -5.0},
        {"z", -5.5},
        {"b", -5.5},
        {"<mask>", 0.0}};
    // The charsmap: a trie of the keys, each value an offset into the NUL-separated replacements.
    const std::vector<std::pair<std::string, std::string>> rules = {
        {"\xEF\xBD\x86", "f"}, {"\xEF\xBC\xA1", "A"}, {"\xE2\x80\xA6", "..."}, {"\xEF\xAC\x81", "fi"},
        {"\xC2\xA0", " "}, {"e\xCC\x81", "\xC3\xA9"}};
    const std::string bytes = PrecompiledCharsmap::buildBytes(rules);

    std::string json = "{\"version\": \"1.0\", \"added_tokens\": [";
    bool first = true;
    for (std::size_t id = 0; id < pieces.size(); ++id) {
        const auto& piece = pieces[id].first;
        if (piece != "<s>" && piece != "<pad>" && piece != "</s>" && piece != "<unk>" && piece != "<mask>") continue;
        json += std::string(first ? "" : ", ") + "{\"id\": " + std::to_string(id) + ", \"content\": " + jsonString(piece) +
                ", \"lstrip\": " + (piece == "<mask>" ? "true" : "false") + ", \"rstrip\": false, \"special\": true}";
        first = false;
    }
    json += "], \"normalizer\": {\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"Precompiled\", "
            "\"precompiled_charsmap\": \"" + encodeBase64(bytes) + "\"}, {\"type\": \"Replace\", \"pattern\": "
            "{\"Regex\": \" {2,}\"}, \"content\": \" \"}]}, "
            "\"pre_tokenizer\": {\"type\": \"Metaspace\", \"replacement\": \"\xE2\x96\x81\", \"prepend_scheme\": \"always\", "
            "\"split\": true}, \"post_processor\": {\"type\": \"TemplateProcessing\", \"single\": ["
            "{\"SpecialToken\": {\"id\": \"<s>\", \"type_id\": 0}}, {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, "
            "{\"SpecialToken\": {\"id\": \"</s>\", \"type_id\": 0}}], \"pair\": ["
            "{\"SpecialToken\": {\"id\": \"<s>\", \"type_id\": 0}}, {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, "
            "{\"SpecialToken\": {\"id\": \"</s>\", \"type_id\": 0}}, {\"SpecialToken\": {\"id\": \"</s>\", \"type_id\": 0}}, "
            "{\"Sequence\": {\"id\": \"B\", \"type_id\": 0}}, {\"SpecialToken\": {\"id\": \"</s>\", \"type_id\": 0}}]}, "
            "\"model\": {\"type\": \"Unigram\", \"unk_id\": 3, \"byte_fallback\": false, \"vocab\": [";
    for (std::size_t id = 0; id < pieces.size(); ++id) {
        char score[32];
        std::snprintf(score, sizeof score, "%.1f", pieces[id].second);
        json += std::string(id ? ", " : "") + "[" + jsonString(pieces[id].first) + ", " + score + "]";
    }
    json += "]}}";
    if (vocabOut) {
        vocabOut->clear();
        for (const auto& p : pieces) vocabOut->push_back(p.first);
    }
    return json;
}

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

std::string tinyAlbertTokenizerJson(std::vector<std::string>* vocabOut) {
    std::string json = tinyUnigramTokenizerJson(vocabOut);
    const auto replaceAll = [&json](const std::string& from, const std::string& to) {
        for (auto at = json.find(from); at != std::string::npos; at = json.find(from, at + to.size())) json.replace(at, from.size(), to);
    };
    // The pair template first (XLM-R's <s> A </s> </s> B </s>), then the token names.
    const std::string xlmrPair =
        "{\"SpecialToken\": {\"id\": \"</s>\", \"type_id\": 0}}, {\"SpecialToken\": {\"id\": \"</s>\", \"type_id\": 0}}, "
        "{\"Sequence\": {\"id\": \"B\", \"type_id\": 0}}, {\"SpecialToken\": {\"id\": \"</s>\", \"type_id\": 0}}]";
    const std::string albertPair =
        "{\"SpecialToken\": {\"id\": \"</s>\", \"type_id\": 0}}, "
        "{\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}, {\"SpecialToken\": {\"id\": \"</s>\", \"type_id\": 1}}]";
    if (json.find(xlmrPair) == std::string::npos) throw std::logic_error("tinyAlbertTokenizerJson: the XLM-R pair template changed");
    replaceAll(xlmrPair, albertPair);
    replaceAll("\"<s>\"", "\"[CLS]\"");
    replaceAll("\"</s>\"", "\"[SEP]\"");
    replaceAll("\"<mask>\"", "\"[MASK]\"");
    if (vocabOut)
        for (auto& piece : *vocabOut)
            piece = piece == "<s>" ? "[CLS]" : piece == "</s>" ? "[SEP]" : piece == "<mask>" ? "[MASK]" : piece;
    return json;
}

TinyBert writeTinyBert(const std::string& dir, const TinyBertSpec& spec) {
    std::filesystem::create_directories(dir);
    TinyBert t;
    t.dir = dir;
    const bool distil = spec.family == "distilbert", xlmr = spec.family == "xlm-roberta";
    const bool roberta = spec.family == "roberta" || xlmr;
    const bool albert = spec.family == "albert";
    std::string tokenizerJson;
    if (albert) tokenizerJson = tinyAlbertTokenizerJson(&t.vocab);
    else if (xlmr) tokenizerJson = tinyUnigramTokenizerJson(&t.vocab);
    else if (roberta) tokenizerJson = tinyRobertaTokenizerJson(&t.vocab);
    else t.vocab = tinyVocab();
    auto& c = t.config;
    c.modelType = "bert";
    const std::string arch = distil ? "DistilBert" : albert ? "Albert" : xlmr ? "XLMRoberta" : roberta ? "Roberta" : "Bert";
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
    if (albert) {
        c.modelType = "albert";
        c.embeddingSize = spec.embedding;
        c.numHiddenGroups = spec.groups;
    }
    const int positionRows = roberta ? spec.maxPositions + 2 : spec.maxPositions;  // RoBERTa: offset padding id 1 + 1
    if (roberta) {
        c.modelType = xlmr ? "xlm-roberta" : "roberta";
        c.padTokenId = 1;
        c.maxPositionEmbeddings = positionRows;
        c.typeVocabSize = 1;
        c.layerNormEps = 1e-5;
    }

    ExactRandomWeights random(spec.seed);
    auto add = [&](const std::string& name, std::vector<std::int64_t> shape, float offset = 0.f) {
        t.weights[name] = random.make(std::move(shape), offset);
    };
    const int h = spec.hidden, v = c.vocabSize, inter = spec.intermediate;
    const int e = albert ? spec.embedding : h;  // the embedding width
    add("embeddings.word_embeddings.weight", {v, e});
    add("embeddings.position_embeddings.weight", {positionRows, e});
    if (!distil) add("embeddings.token_type_embeddings.weight", {c.typeVocabSize, e});
    add("embeddings.LayerNorm.weight", {e}, 1.f);
    add("embeddings.LayerNorm.bias", {e});
    if (albert) {
        add("embeddings.embedding_hidden_mapping_in.weight", {h, e});
        add("embeddings.embedding_hidden_mapping_in.bias", {h});
    }
    for (int l = 0; l < (albert ? spec.groups : spec.layers); ++l) {  // ALBERT: one set per group
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
        add("cls.predictions.transform.dense.weight", {e, h});
        add("cls.predictions.transform.dense.bias", {e});
        add("cls.predictions.transform.LayerNorm.weight", {e}, 1.f);
        add("cls.predictions.transform.LayerNorm.bias", {e});
        add("cls.predictions.bias", {v});
        if (spec.tiedDecoder) t.weights["cls.predictions.decoder.weight"] = t.weights["embeddings.word_embeddings.weight"];
        else add("cls.predictions.decoder.weight", {v, e});
    }

    // Write: encoder tensors (and the pooler) under the prefix; the heads under cls.* or classifier.*;
    // a tied decoder left out.
    std::vector<SafetensorsWriter> writers(static_cast<std::size_t>(std::max(1, spec.shards)));
    std::map<std::string, std::string> weightMap;
    std::size_t i = 0;
    for (const auto& [name, w] : t.weights) {
        if (spec.tiedDecoder && name == "cls.predictions.decoder.weight") continue;
        const bool headTensor = name.rfind("cls.", 0) == 0 || name.rfind("classifier.", 0) == 0;
        const bool classifierOut = roberta && spec.task == "sequence" && name.rfind("classifier.", 0) == 0;
        const std::string stored = albert          ? albertName(name)
                                   : distil        ? distilBertName(name)
                                   : classifierOut ? "classifier.out_proj." + name.substr(11)
                                   : roberta       ? (headTensor || name.rfind("pooler.", 0) == 0 ? robertaName(name) : "roberta." + name)
                                   : headTensor    ? name
                                                   : spec.prefix + name;
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
    if (roberta || albert) {
        writeText((std::filesystem::path(dir) / "tokenizer.json").string(), tokenizerJson);
    } else {
        writeText((std::filesystem::path(dir) / "tokenizer_config.json").string(), "{\"do_lower_case\": true}");
        Vocab::fromTokens(t.vocab).writeFile((std::filesystem::path(dir) / "vocab.txt").string());
    }
    return t;
}

}  // namespace ascope::test
