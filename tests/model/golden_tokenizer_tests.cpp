#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "shared_data.h"
#include "temp_dir.h"
#include "tokenizer/bert_tokenizer.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/tokenizer_loader.h"

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

TEST_CASE("WordPiece read from tokenizer.json alone reproduces every golden line of the uncased tokenizer",
          "[model][tokenizer]") {
    const std::string shared = test::sharedPath("tokenizers/bert-base-uncased");
    test::TempDir dir;
    std::filesystem::copy_file(shared + "/tokenizer.json", dir.path() / "tokenizer.json");  // no vocab.txt
    ModelConfig config;
    config.modelType = "bert";
    auto tokenizer = loadTokenizer(dir.path().string(), config);
    REQUIRE(tokenizer.hasValue());
    CHECK((*tokenizer)->kind() == "WordPiece");
    CHECK((*tokenizer)->vocabSize() == 30522);
    CHECK((*tokenizer)->maskToken() == "[MASK]");
    CHECK(checkGoldenLines(shared + "/golden.jsonl", [&](const std::string& text) { return (*tokenizer)->encode(text); }) >= 10);
}

TEST_CASE("A RoBERTa folder's tokenizer is its byte-level BPE, and every token's bytes are its span of the text",
          "[model][tokenizer][bpe]") {
    const std::string dir = test::sharedPath("tokenizers/roberta-base");
    ModelConfig config;
    config.modelType = "roberta";
    auto tokenizer = loadTokenizer(dir, config);
    REQUIRE(tokenizer.hasValue());
    CHECK((*tokenizer)->kind() == "BPE");
    CHECK((*tokenizer)->maskToken() == "<mask>");
    CHECK((*tokenizer)->clsId() == 0);
    CHECK((*tokenizer)->sepId() == 2);
    CHECK((*tokenizer)->padId() == 1);
    int checked = 0;
    checkGoldenLines(dir + "/golden.jsonl", [&](const std::string& text) {
        auto tokens = (*tokenizer)->encode(text);
        for (const auto& t : tokens) {
            if (t.special) continue;
            std::string bytes;
            REQUIRE(BpeTokenizer::decodeByteSymbols(t.text, bytes));
            const std::string span = text.substr(t.byteBegin, t.byteEnd - t.byteBegin);
            INFO("token " << t.text << " span '" << span << "' in: " << text);
            // The token's bytes are its span, with at most the leading space trim_offsets leaves out.
            REQUIRE(bytes.size() >= span.size());
            REQUIRE(bytes.size() - span.size() <= 1);
            REQUIRE(bytes.compare(bytes.size() - span.size(), span.size(), span) == 0);
            if (bytes.size() > span.size()) REQUIRE(bytes[0] == ' ');
            // A label never shows a byte symbol: a word start is the marker.
            if (bytes.size() > 1 && bytes[0] == ' ' && bytes[1] != ' ')
                REQUIRE(labelOf(t).rfind(kWordStartMarker, 0) == 0);
            ++checked;
        }
        return tokens;
    });
    CHECK(checked > 200);
    const auto hello = (*tokenizer)->encode("Hello world caf\xC3\xA9\n");
    std::vector<std::string> labels;
    for (const auto& t : hello) labels.push_back(labelOf(t));
    CHECK(labels == std::vector<std::string>{"<s>", "Hello", "\xC2\xB7world", "\xC2\xB7" "caf\xC3\xA9", "\xE2\x86\xB5", "</s>"});
}

TEST_CASE("Sentence pairs follow each tokenizer's convention with Hugging Face's ids", "[model][tokenizer]") {
    // Expected ids from transformers.js 4.3.1 (AutoTokenizer on these folders, text_pair).
    struct Pair {
        const char* a;
        const char* b;
        std::vector<int> roberta, bert, bertTypes;
    };
    const std::vector<Pair> pairs = {
        {"The cat sat on the mat.", "It was very happy.",
         {0, 133, 4758, 4005, 15, 5, 7821, 4, 2, 2, 243, 21, 182, 1372, 4, 2},
         {101, 1996, 4937, 2938, 2006, 1996, 13523, 1012, 102, 2009, 2001, 2200, 3407, 1012, 102},
         {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1}},
        {"Hello I'm a <mask> model.", "  Spaces  before and after  ",
         {0, 31414, 38, 437, 10, 50264, 1421, 4, 2, 2, 1437, 39926, 1437, 137, 8, 71, 1437, 1437, 2},
         {101, 7592, 1045, 1005, 1049, 1037, 1026, 7308, 1028, 2944, 1012, 102, 7258, 2077, 1998, 2044, 102},
         {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1}},
        {"J'aime <mask> dans le parc.", "Ich liebe es, im Park zu <mask>.",
         {0, 863, 108, 102, 4235, 50264, 385, 1253, 2084, 2242, 438, 4, 2, 2, 100, 611, 6105, 1610, 2714, 6, 4356, 861, 992, 257, 50264, 4, 2},
         {101, 1046, 1005, 6614, 2063, 1026, 7308, 1028, 18033, 3393, 27985, 1012, 102, 22564, 4682, 4783, 9686, 1010, 10047, 2380,
          16950, 1026, 7308, 1028, 1012, 102},
         {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
        {"na\xC3\xAFve caf\xC3\xA9", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE3\x83\x86\xE3\x82\xAD\xE3\x82\xB9\xE3\x83\x88 \xF0\x9F\x99\x82",
         {0, 2133, 48350, 26059, 2, 2, 47954, 8210, 44636, 11582, 48537, 17772, 48018, 49312, 49587, 49615, 45868, 2},
         {101, 15743, 7668, 102, 1864, 1876, 1950, 1671, 30239, 30227, 30233, 30240, 100, 102},
         {0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
    };
    ModelConfig robertaConfig, bertConfig;
    robertaConfig.modelType = "roberta";
    bertConfig.modelType = "bert";
    auto roberta = loadTokenizer(test::sharedPath("tokenizers/roberta-base"), robertaConfig);
    auto bert = loadTokenizer(test::sharedPath("tokenizers/bert-base-uncased"), bertConfig);
    REQUIRE(roberta.hasValue());
    REQUIRE(bert.hasValue());
    for (const auto& p : pairs) {
        INFO("pair: " << p.a << " | " << p.b);
        const std::string text = TextTokenizer::pairText(p.a, p.b);
        std::vector<int> ids, types;
        for (const auto& t : (*bert)->encodePair(p.a, p.b)) {
            ids.push_back(t.id);
            types.push_back(t.segment);
            CHECK(t.byteEnd <= text.size());
        }
        CHECK(ids == p.bert);
        CHECK(types == p.bertTypes);
        ids.clear();
        const auto tokens = (*roberta)->encodePair(p.a, p.b);
        for (const auto& t : tokens) {
            ids.push_back(t.id);
            CHECK(t.byteEnd <= text.size());
        }
        CHECK(ids == p.roberta);
        // B's half starts at its own </s>, right after A's.
        std::size_t firstB = 0;
        while (firstB < tokens.size() && tokens[firstB].segment == 0) ++firstB;
        REQUIRE(firstB >= 2);
        CHECK(tokens[firstB].id == 2);
        CHECK(tokens[firstB - 1].id == 2);
    }
}
