#include <nlohmann/json.hpp>
#include <catch2/catch.hpp>

#include "tiny_bert_fixture.h"
#include "tokenizer/bert_tokenizer.h"
#include "tokenizer/bpe_tokenizer.h"

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

TEST_CASE("Byte-level BPE spans point into the text and the GPT-2 split keeps every byte", "[core][tokenizer][bpe]") {
    // A tiny tokenizer.json: bytes as symbols, two merges, <mask> absorbing the space before it.
    const std::string space = BpeTokenizer::byteSymbol(' ');
    nlohmann::json vocab = nlohmann::json::object();
    int next = 0;
    for (int b = 0; b < 256; ++b) vocab[BpeTokenizer::byteSymbol(static_cast<unsigned char>(b))] = next++;
    vocab[space + "c"] = next++;
    vocab[space + "ca"] = next++;
    vocab["<s>"] = next++;
    vocab["</s>"] = next++;
    const nlohmann::json j = {
        {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", {space + " c", space + "c a"}}}},
        {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}}},
        {"normalizer", nullptr},
        {"post_processor", {{"type", "RobertaProcessing"}, {"cls", {"<s>", next - 2}}, {"sep", {"</s>", next - 1}}}},
        {"added_tokens", {{{"id", next}, {"content", "<mask>"}, {"lstrip", true}, {"special", true}}}}};
    auto tok = BpeTokenizer::fromJsonText(j.dump(), "tiny.json");
    REQUIRE(tok.hasValue());
    const std::string text = "a cat <mask> ok";
    const auto tokens = tok->encode(text);
    std::vector<std::string> pieces;
    for (const auto& t : tokens) pieces.push_back(t.text);
    CHECK(pieces == std::vector<std::string>{"<s>", "a", space + "ca", "t", "<mask>", space, "o", "k", "</s>"});
    CHECK(tokens[2].byteBegin == 2);  // " ca": the leading space trimmed
    CHECK(tokens[2].byteEnd == 4);
    CHECK(tokens[4].byteBegin == 6);  // <mask> itself, its absorbed space not
    // A lone space symbol: Hugging Face's trim_offsets leaves an empty span where its space ended.
    CHECK(tokens[5].byteBegin == 13);
    CHECK(tokens[5].byteEnd == 13);
    const auto spaced = tok->encode("a  cat", false);  // "a", " ", " ca", "t"
    REQUIRE(spaced.size() == 4);
    CHECK(spaced[1].text == space);
    CHECK(spaced[1].byteBegin == 2);
    CHECK(spaced[1].byteEnd == 2);
    CHECK(spaced[2].byteBegin == 3);
    using Span = std::pair<std::size_t, std::size_t>;
    CHECK(BpeTokenizer::splitWords("it's  a\n b!?") ==
          std::vector<Span>{{0, 2}, {2, 4}, {4, 5}, {5, 7}, {7, 8}, {8, 10}, {10, 12}});
    // A model of another kind is refused by name.
    auto wordPiece = BpeTokenizer::fromJsonText(R"({"model": {"type": "WordPiece", "vocab": {}}})", "wp.json");
    REQUIRE_FALSE(wordPiece.hasValue());
    CHECK_THAT(wordPiece.error(), Catch::Contains("WordPiece"));
}
