#include <catch2/catch.hpp>

#include "tiny_bert_fixture.h"
#include "tokenizer/bert_tokenizer.h"

using namespace ascope;

namespace {
BertTokenizer tinyTokenizer(bool lowerCase = true) {
    TokenizerConfig config;
    config.doLowerCase = lowerCase;
    auto vocab = test::tinyVocab();
    vocab.insert(vocab.end(), {"café", "cafe", "北", "##ne", "sh", "##i"});
    return BertTokenizer(Vocab::fromTokens(vocab), config);
}

std::vector<std::string> texts(const std::vector<Token>& tokens) {
    std::vector<std::string> out;
    for (const auto& t : tokens) out.push_back(t.text);
    return out;
}
}  // namespace

TEST_CASE("Tokens carry their byte spans in the original text", "[core][tokenizer]") {
    const auto tok = tinyTokenizer();
    const std::string text = "The  Cat\tsat,shining";
    const auto tokens = tok.encode(text);
    REQUIRE(texts(tokens) == std::vector<std::string>{"[CLS]", "the", "cat", "sat", ",", "shin", "##ing", "[SEP]"});
    for (std::size_t i = 1; i + 1 < tokens.size(); ++i) {
        const auto& t = tokens[i];
        std::string original = text.substr(t.byteBegin, t.byteEnd - t.byteBegin);
        std::string lowered;
        for (char c : original) lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string piece = t.text.rfind("##", 0) == 0 ? t.text.substr(2) : t.text;
        CHECK(lowered == piece);
    }
    CHECK(tokens.front().byteBegin == 0);
    CHECK(tokens.back().byteBegin == text.size());
}

TEST_CASE("Special tokens typed by the user are single tokens, also glued to words", "[core][tokenizer]") {
    const auto tok = tinyTokenizer();
    const auto tokens = tok.encode("cat[MASK]dog [mask] [SEP]");
    CHECK(texts(tokens) ==
          std::vector<std::string>{"[CLS]", "cat", "[MASK]", "dog", "[UNK]", "[UNK]", "[UNK]", "[SEP]", "[SEP]"});
    CHECK(tokens[2].special);
    CHECK(tokens[2].byteBegin == 3);
    CHECK(tokens[2].byteEnd == 9);
    CHECK(tokens[2].id == tok.maskId());
}

TEST_CASE("Accents are stripped only when lower-casing, and characters stay mapped to their source", "[core][tokenizer]") {
    SECTION("uncased strips accents") {
        const auto tokens = tinyTokenizer(true).encode("Café");
        REQUIRE(texts(tokens) == std::vector<std::string>{"[CLS]", "cafe", "[SEP]"});
        CHECK(tokens[1].byteEnd == 5);  // "é" is two bytes
    }
    SECTION("cased keeps them") {
        CHECK(texts(tinyTokenizer(false).encode("café")) == std::vector<std::string>{"[CLS]", "café", "[SEP]"});
    }
}

TEST_CASE("Control characters vanish, CJK splits, and overlong words become [UNK]", "[core][tokenizer]") {
    const auto tok = tinyTokenizer();
    CHECK(texts(tok.encode(std::string("c\x01" "at\xEF\xBF\xBD"))) == std::vector<std::string>{"[CLS]", "cat", "[SEP]"});
    CHECK(texts(tok.encode("北北")) == std::vector<std::string>{"[CLS]", "北", "北", "[SEP]"});
    CHECK(texts(tok.encode(std::string(101, 'a'))) == std::vector<std::string>{"[CLS]", "[UNK]", "[SEP]"});
    CHECK(texts(tok.encode("")) == std::vector<std::string>{"[CLS]", "[SEP]"});
    CHECK(texts(tok.encode("\xff\xfe cat")) == std::vector<std::string>{"[CLS]", "cat", "[SEP]"});
}

TEST_CASE("Greedy longest-match WordPiece falls back to [UNK] for the whole word", "[core][tokenizer]") {
    const auto tok = tinyTokenizer();
    CHECK(texts(tok.encode("cats shiny brightly")) ==
          std::vector<std::string>{"[CLS]", "cat", "##s", "shin", "##y", "bright", "##ly", "[SEP]"});
    CHECK(texts(tok.encode("catz")) == std::vector<std::string>{"[CLS]", "[UNK]", "[SEP]"});
}
