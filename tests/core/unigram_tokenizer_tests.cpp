// SentencePiece Unigram from tokenizer.json, its Precompiled normaliser and Metaspace, on a tiny
// XLM-R-like tokenizer (tiny_bert_fixture.h). Expected ids: transformers.js 4.3.1 on the same
// vocabulary and pipeline. Its Precompiled step is an approximation (NFKC and a few whitespace
// rules instead of the charsmap), so the sentences only use characters for which the fixture's
// charsmap and NFKC agree; the charsmap's own rules are tested on their own below.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tiny_bert_fixture.h"
#include "tokenizer/precompiled_charsmap.h"
#include "tokenizer/unigram_tokenizer.h"
#include "reference_checks.h"

using namespace ascope;
using namespace ascope::test;

namespace {
PrecompiledCharsmap charsmapOf(const std::vector<std::pair<std::string, std::string>>& rules) {
    auto map = PrecompiledCharsmap::fromBase64(encodeBase64(PrecompiledCharsmap::buildBytes(rules)), "test");
    REQUIRE(map.hasValue());
    return *map;
}

}  // namespace

TEST_CASE("The precompiled charsmap replaces each grapheme or character by its trie match, keeping spans",
          "[core][tokenizer][unigram]") {
    const auto map = charsmapOf({{"\xEF\xBD\x86", "f"}, {"\xE2\x80\xA6", "..."}, {"e\xCC\x81", "\xC3\xA9"}, {"x", ""}});
    std::string out;
    CHECK(map.transform("\xE2\x80\xA6", out));
    CHECK(out == "...");
    CHECK_FALSE(map.transform("q", out));
    CHECK_FALSE(map.transform("", out));
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    // "ｆe\u0301x…q": ｆ -> f, the cluster e + acute -> é, x -> nothing, … -> ..., q stays.
    const std::string text = "\xEF\xBD\x86" "e\xCC\x81" "x\xE2\x80\xA6q";
    CHECK(map.normalize(text, &spans) == "f\xC3\xA9...q");
    REQUIRE(spans.size() == 7);
    CHECK(spans[0] == std::make_pair<std::size_t, std::size_t>(0, 3));  // f from ｆ
    CHECK(spans[1] == std::make_pair<std::size_t, std::size_t>(3, 6));  // é from e + U+0301
    CHECK(spans[3] == std::make_pair<std::size_t, std::size_t>(7, 10));  // . from …
    CHECK(spans[6] == std::make_pair<std::size_t, std::size_t>(10, 11));
    // Hugging Face's rule: a grapheme is replaced by its first (shortest) match in the trie, so with
    // a rule for 'e' alone the whole cluster e + acute takes e's replacement.
    const auto greedy = charsmapOf({{"e", "E"}, {"e\xCC\x81", "\xC3\xA9"}});
    CHECK(greedy.normalize("e\xCC\x81") == "E");
}

TEST_CASE("A broken precompiled charsmap is refused, and base64 round-trips", "[core][tokenizer][unigram][errors]") {
    for (std::string s : {std::string(), std::string("a"), std::string("ab\xFF"), std::string(300, '\x7F')}) CHECK(encodeBase64(s).size() % 4 == 0);
    std::string back;
    REQUIRE(decodeBase64(encodeBase64("any bytes \x01\xFE"), back));
    CHECK(back == "any bytes \x01\xFE");
    CHECK_FALSE(PrecompiledCharsmap::fromBase64("not*base64", "t").hasValue());
    CHECK_FALSE(PrecompiledCharsmap::fromBase64(encodeBase64("\x10\x00\x00\x00" "abc"), "t").hasValue());  // trie larger than the data
    CHECK_FALSE(PrecompiledCharsmap::fromBase64(encodeBase64(std::string("\x03\x00\x00\x00" "abcd", 8)), "t").hasValue());
    // A trie whose offsets point anywhere: no match or a clean refusal, never a read outside.
    const std::string junk = std::string("\x08\x00\x00\x00", 4) + "\xFF\xFF\xFF\xFF\x01\x01\x00\x00" + "zz";
    auto map = PrecompiledCharsmap::fromBase64(encodeBase64(junk), "t");
    REQUIRE(map.hasValue());
    (void)map->normalize("abc \xE2\x80\xA6");
}

TEST_CASE("The Unigram tokenizer gives transformers.js's ids on the multilingual fill-mask slide and hard cases",
          "[core][tokenizer][unigram]") {
    auto tok = UnigramTokenizer::fromJsonText(tinyUnigramTokenizerJson(), "tiny");
    REQUIRE(tok.hasValue());
    CHECK(tok->maskToken() == "<mask>");
    CHECK(tok->clsId() == 0);
    CHECK(tok->sepId() == 2);
    CHECK(tok->padId() == 1);
    const std::vector<std::pair<std::string, std::vector<int>>> cases = {
        {"I love to <mask> in the park.", {0, 28, 36, 37, 65, 38, 5, 39, 26, 2}},
        {"J'aime <mask> dans le parc.", {0, 16, 17, 18, 65, 21, 22, 23, 26, 2}},
        {"Ich liebe es, im Park zu <mask>.", {0, 30, 31, 32, 27, 33, 34, 35, 65, 4, 26, 2}},
        {"the cat sat on the mat", {0, 5, 6, 10, 11, 5, 12, 2}},
        {"  the   cat  ", {0, 5, 6, 4, 2}},
        {"caf\xC3\xA9 cafe\xCC\x81 caf", {0, 44, 44, 43, 2}},
        {"\xEF\xBD\x86in\xE2\x80\xA6 the dog", {0, 47, 53, 5, 52, 2}},
        {"zzz qqq the", {0, 4, 63, 63, 63, 4, 3, 5, 2}},
        {"\xEF\xBC\xA1 fine", {0, 54, 47, 41, 2}},
        {"the\xC2\xA0" "cat", {0, 5, 6, 2}},
        {"", {0, 2}},
        {"<s>the</s>", {0, 0, 5, 2, 2}},
        {"thecatsat", {0, 5, 25, 14, 8, 9, 14, 8, 2}},
    };
    for (const auto& [text, ids] : cases) {
        INFO("text: " << text);
        const auto tokens = tok->encode(text);
        CHECK(idsOf(tokens) == ids);
        for (const auto& t : tokens) {
            CHECK(t.byteBegin <= t.byteEnd);
            CHECK(t.byteEnd <= text.size());
        }
    }
    // The pair template: <s> A </s> </s> B </s>, B's half (from its </s>) in segment 1.
    const auto pair = tok->encodePair("the cat", "a dog <mask>");
    CHECK(idsOf(pair) == std::vector<int>{0, 5, 6, 2, 2, 13, 52, 65, 2});
    std::vector<int> segments;
    for (const auto& t : pair) segments.push_back(t.segment);
    CHECK(segments == std::vector<int>{0, 0, 0, 0, 1, 1, 1, 1, 1});
}

TEST_CASE("Unigram tokens keep their spans in the original text through normalisation, with readable labels",
          "[core][tokenizer][unigram]") {
    auto tok = UnigramTokenizer::fromJsonText(tinyUnigramTokenizerJson(), "tiny");
    REQUIRE(tok.hasValue());
    const std::string text = "\xEF\xBD\x86in\xE2\x80\xA6 the  dog";  // ｆin… the  dog
    const auto tokens = tok->encode(text);
    REQUIRE(tokens.size() == 6);
    CHECK(tokens[1].text == "\xE2\x96\x81" "fin");
    CHECK(labelOf(tokens[1]) == "\xC2\xB7" "fin");
    CHECK(tokens[1].byteBegin == 0);  // the prepended ▁ has no text of its own: the span starts at ｆ
    CHECK(tokens[1].byteEnd == 5);
    CHECK(tokens[2].text == "...");
    CHECK(tokens[2].byteBegin == 5);
    CHECK(tokens[2].byteEnd == 8);
    CHECK(text.substr(tokens[3].byteBegin, tokens[3].byteEnd - tokens[3].byteBegin) == " the");
    CHECK(text.substr(tokens[4].byteBegin, tokens[4].byteEnd - tokens[4].byteBegin) == "  dog");  // the run became one space
    CHECK(labelOf(tokens[0]) == "<s>");
}

TEST_CASE("Unigram tokenizer.json files this build cannot run are refused by name", "[core][tokenizer][unigram][errors]") {
    auto j = nlohmann::json::parse(tinyUnigramTokenizerJson());
    SECTION("a pre-tokenizer other than Metaspace") {
        j["pre_tokenizer"] = {{"type", "BertPreTokenizer"}};
        auto t = UnigramTokenizer::fromJsonText(j.dump(), "x.json");
        REQUIRE_FALSE(t.hasValue());
        CHECK_THAT(t.error(), Catch::Contains("BertPreTokenizer"));
    }
    SECTION("an unknown normalizer") {
        j["normalizer"]["normalizers"][1] = {{"type", "Magic"}};
        auto t = UnigramTokenizer::fromJsonText(j.dump(), "x.json");
        REQUIRE_FALSE(t.hasValue());
        CHECK_THAT(t.error(), Catch::Contains("normalizer 'Magic'"));
    }
    SECTION("a charsmap that is not base64") {
        j["normalizer"]["normalizers"][0]["precompiled_charsmap"] = "%%%";
        auto t = UnigramTokenizer::fromJsonText(j.dump(), "x.json");
        REQUIRE_FALSE(t.hasValue());
        CHECK_THAT(t.error(), Catch::Contains("base64"));
    }
    SECTION("ids that are not integers in range (a fuzzer's find: 1e75 was converted to int)") {
        j["model"]["unk_id"] = 1e75;
        auto t = UnigramTokenizer::fromJsonText(j.dump(), "x.json");
        REQUIRE_FALSE(t.hasValue());
        CHECK_THAT(t.error(), Catch::Contains("expected an integer"));
        j["model"]["unk_id"] = 3;
        j["added_tokens"][0]["id"] = -4;
        CHECK_FALSE(UnigramTokenizer::fromJsonText(j.dump(), "x.json").hasValue());
    }
    SECTION("a vocabulary entry that is not [piece, score]") {
        j["model"]["vocab"][7] = "t";
        auto t = UnigramTokenizer::fromJsonText(j.dump(), "x.json");
        REQUIRE_FALSE(t.hasValue());
        CHECK_THAT(t.error(), Catch::Contains("x.json"));
    }
}
