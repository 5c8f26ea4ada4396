#include "tokenizer/tokenizer_loader.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tokenizer/bert_tokenizer.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/unigram_tokenizer.h"
#include "util/json_fields.h"

namespace ascope {

namespace {
namespace fs = std::filesystem;

Expected<nlohmann::json> readJson(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return makeError(ErrorKind::Io, path + ": cannot open");
    std::stringstream ss;
    ss << in.rdbuf();
    try {
        auto j = nlohmann::json::parse(ss.str());
        if (!j.is_object() || !j.contains("model") || !j["model"].is_object())
            return makeError(ErrorKind::InvalidInput, path + ": not a tokenizer.json (no 'model' object)");
        return j;
    } catch (const std::exception& e) {
        return makeError(ErrorKind::InvalidInput, path + ": invalid JSON (" + e.what() + ")");
    }
}

std::string kindOf(const nlohmann::json& j) {
    const auto& model = j["model"];
    const auto type = model.find("type");
    if (type != model.end() && type->is_string()) return type->get<std::string>();
    return model.contains("merges") ? "BPE" : model.contains("vocab") && model["vocab"].is_array() ? "Unigram" : "";
}

// WordPiece from tokenizer.json: the vocabulary in id order and BertNormalizer's options.
Expected<std::unique_ptr<TextTokenizer>> wordPieceFromJson(const nlohmann::json& j, const std::string& path) {
    try {
        const auto& model = j["model"];
        if (model.value("continuing_subword_prefix", std::string("##")) != "##")
            return makeError(ErrorKind::Unsupported, path + ": WordPiece with a continuing-subword prefix other than '##'");
        const auto& vocab = model.at("vocab");
        if (!vocab.is_object() || vocab.empty()) return makeError(ErrorKind::InvalidInput, path + ": model.vocab is empty");
        std::vector<std::string> tokens(vocab.size());
        for (auto it = vocab.begin(); it != vocab.end(); ++it) {
            const long long id = jsonInt(*it, 0, 10'000'000);
            if (id < 0 || id >= static_cast<long long>(tokens.size()) || !tokens[static_cast<std::size_t>(id)].empty())
                return makeError(ErrorKind::InvalidInput, path + ": model.vocab's ids are not 0.." + std::to_string(tokens.size() - 1) +
                                 " each once (token '" + it.key() + "')");
            tokens[static_cast<std::size_t>(id)] = it.key();
        }
        TokenizerConfig config;
        const auto& norm = j.value("normalizer", nlohmann::json());
        if (norm.is_object()) {
            if (norm.value("type", std::string()) != "BertNormalizer")
                return makeError(ErrorKind::Unsupported, path + ": normalizer '" + norm.value("type", std::string()) +
                                 "' is not supported with WordPiece (BertNormalizer)");
            config.doLowerCase = norm.value("lowercase", true);
            config.tokenizeChineseChars = norm.value("handle_chinese_chars", true);
            if (const auto s = norm.find("strip_accents"); s != norm.end() && s->is_boolean())
                config.stripAccents = s->get<bool>() ? TokenizerConfig::StripAccents::Yes : TokenizerConfig::StripAccents::No;
        } else {
            config.doLowerCase = false;
        }
        auto v = Vocab::fromTokens(std::move(tokens));
        for (const char* s : {"[UNK]", "[CLS]", "[SEP]"})
            if (v.idOf(s) < 0) return makeError(ErrorKind::InvalidInput, path + ": the vocabulary has no " + std::string(s) + " token");
        return std::unique_ptr<TextTokenizer>(std::make_unique<BertTokenizer>(std::move(v), config));
    } catch (const std::exception& e) {
        return makeError(ErrorKind::InvalidInput, path + ": unexpected value (" + e.what() + ")");
    }
}
}  // namespace

Expected<std::string> tokenizerJsonKind(const std::string& path) {
    auto j = readJson(path);
    if (!j) return j.errorValue();
    return kindOf(*j);
}

Expected<std::unique_ptr<TextTokenizer>> loadTokenizer(const std::string& dir, const ModelConfig& config) {
    std::error_code ec;
    const auto vocabTxt = (fs::path(dir) / "vocab.txt").string();
    const auto json = (fs::path(dir) / "tokenizer.json").string();
    const bool hasVocabTxt = fs::exists(vocabTxt, ec), hasJson = fs::exists(json, ec);
    // BERT's and DistilBERT's vocab.txt is read exactly as their slow tokenizer does; the others
    // come from tokenizer.json.
    if (hasVocabTxt && !config.isRobertaFamily()) {
        auto t = BertTokenizer::fromFolder(dir);
        if (!t) return t.errorValue();
        return std::unique_ptr<TextTokenizer>(std::make_unique<BertTokenizer>(std::move(*t)));
    }
    if (!hasJson)
        return makeError(ErrorKind::InvalidInput, dir + ": no tokenizer (" +
                         std::string(config.isRobertaFamily() ? "tokenizer.json" : "vocab.txt or tokenizer.json") + " is missing)");
    auto j = readJson(json);
    if (!j) return j.errorValue();
    const auto kind = kindOf(*j);
    if (kind == "WordPiece") return wordPieceFromJson(*j, json);
    if (kind == "BPE") {
        auto t = BpeTokenizer::fromJson(*j, json);
        if (!t) return t.errorValue();
        if (t->maskId() < 0 || t->clsId() < 0 || t->sepId() < 0)
            return makeError(ErrorKind::InvalidInput, json + ": the vocabulary lacks <s>, </s> or <mask>");
        return std::unique_ptr<TextTokenizer>(std::make_unique<BpeTokenizer>(std::move(*t)));
    }
    if (kind == "Unigram") {
        auto t = UnigramTokenizer::fromJson(*j, json);
        if (!t) return t.errorValue();
        if (t->clsId() < 0 || t->sepId() < 0)
            return makeError(ErrorKind::InvalidInput, json + ": no post-processor template gives the start and end tokens");
        return std::unique_ptr<TextTokenizer>(std::make_unique<UnigramTokenizer>(std::move(*t)));
    }
    return makeError(ErrorKind::Unsupported, json + ": tokenizer model '" + kind + "' is not supported (WordPiece, BPE, Unigram)");
}

}  // namespace ascope
