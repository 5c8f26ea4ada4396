#include <catch2/catch.hpp>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "shared_data.h"
#include "tokenizer/bert_tokenizer.h"
#include "tokenizer/bpe_tokenizer.h"

using namespace ascope;

namespace {
// Checks `encode` against every line of a golden.jsonl ({"text", "ids"[, "tokens"]}): the same ids,
// the same token strings where given, spans inside the text. Returns the number of lines.
int checkGoldenLines(const std::string& path, const std::function<std::vector<Token>(const std::string&)>& encode) {
    std::ifstream in(path);
    REQUIRE(in.good());
    std::string line;
    int lines = 0;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto j = nlohmann::json::parse(line);
        const std::string text = j["text"];
        std::vector<int> ids;
        std::vector<std::string> pieces;
        for (const auto& t : encode(text)) {
            ids.push_back(t.id);
            pieces.push_back(t.text);
            CHECK(t.byteBegin <= t.byteEnd);
            CHECK(t.byteEnd <= text.size());
        }
        INFO("text: " << text);
        CHECK(ids == j["ids"].get<std::vector<int>>());
        if (j.contains("tokens")) CHECK(pieces == j["tokens"].get<std::vector<std::string>>());
        ++lines;
    }
    return lines;
}
}  // namespace

TEST_CASE("The BERT tokenizer reproduces every golden line of Hugging Face's uncased tokenizer",
          "[model][tokenizer]") {
    const std::string dir = test::sharedPath("tokenizers/bert-base-uncased");
    auto tokenizer = BertTokenizer::fromFolder(dir);
    REQUIRE(tokenizer.hasValue());
    CHECK(tokenizer->vocab().size() == 30522);
    CHECK(checkGoldenLines(dir + "/golden.jsonl", [&](const std::string& text) { return tokenizer->encode(text); }) >= 10);
}

TEST_CASE("The byte-level BPE tokenizer reproduces every golden line of Hugging Face's roberta-base tokenizer",
          "[model][tokenizer][bpe]") {
    const std::string dir = test::sharedPath("tokenizers/roberta-base");
    auto tokenizer = BpeTokenizer::fromFile(dir + "/tokenizer.json");
    REQUIRE(tokenizer.hasValue());
    CHECK(tokenizer->vocabSize() == 50265);
    CHECK(tokenizer->maskId() == 50264);
    CHECK(checkGoldenLines(dir + "/golden.jsonl", [&](const std::string& text) { return tokenizer->encode(text); }) >= 20);
}
