// RoBERTa on BERT's graph: generated tiny checkpoints in Hugging Face's RoBERTa layout (roberta.*,
// lm_head.*, classifier.dense/out_proj) with a byte-level BPE tokenizer.json, against the plain
// reference (which numbers positions from pad_token_id + 1 itself).
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "inference/text_model.h"
#include "tokenizer/bpe_tokenizer.h"
#include "reference_bert.h"
#include "reference_checks.h"
#include "temp_dir.h"

using namespace ascope;
using namespace ascope::test;

TEST_CASE("A tiny RobertaForMaskedLM matches the plain reference, <mask> typed as RoBERTa's tokenizer reads it",
          "[core][roberta]") {
    TinyBertSpec spec;
    spec.family = "roberta";
    SECTION("float32, its own decoder") {}
    SECTION("decoder tied to the word embeddings (left out, as save_pretrained does), float16") {
        spec.tiedDecoder = true;
        spec.dtype = DType::F16;
        spec.seed = 21;
    }
    TempDir dir;
    const TinyBert tiny = writeTinyBert(dir.path().string(), spec);
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    const auto& tok = (*model)->tokenizer();
    REQUIRE(tok.kind() == "BPE");
    REQUIRE(tok.maskToken() == "<mask>");
    REQUIRE((*model)->maxTokens() == spec.maxPositions);  // max_position_embeddings less padding id + 1

    TextRunOptions options;
    options.topK = tiny.config.vocabSize;
    options.keepHiddenStates = true;
    auto result = (*model)->analyse("the cat sat on the <mask>. a dog ran <mask>", options);
    REQUIRE(result.hasValue());
    const auto& tokens = result->tokens;
    REQUIRE(tokens.front().text == "<s>");
    REQUIRE(tokens.back().text == "</s>");
    std::vector<int> masks;
    for (std::size_t i = 0; i < tokens.size(); ++i)
        if (tok.isMask(tokens[i])) masks.push_back(static_cast<int>(i));
    REQUIRE(masks.size() == 2);
    // <mask> has lstrip: the space before it belongs to it, so the word before is whole ("Ġthe").
    REQUIRE(tokens[static_cast<std::size_t>(masks[0] - 1)].text == "\xC4\xA0the");
    REQUIRE(labelOf(tokens[static_cast<std::size_t>(masks[0] - 1)]) == std::string(kWordStartMarker) + "the");

    const auto ref = referenceBert(tiny, idsOf(tokens), masks);
    requireAttentionMatches(*result, ref, static_cast<int>(tokens.size()));
    REQUIRE(result->predictions.size() == 2);
    for (std::size_t m = 0; m < masks.size(); ++m)
        for (const auto& c : result->predictions[m].top) {
            REQUIRE(c.probability == Approx(ref.maskProbabilities[m][static_cast<std::size_t>(c.id)]).margin(1e-4));
            REQUIRE(c.token == tok.tokenOf(c.id));
        }
}

TEST_CASE("RoBERTa's padding tokens sit at the padding position and leave the real tokens' results unchanged",
          "[core][roberta]") {
    TinyBertSpec spec;
    spec.family = "roberta";
    spec.seed = 23;
    TempDir dir;
    const TinyBert tiny = writeTinyBert(dir.path().string(), spec);
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    const auto tokens = (*model)->tokenizer().encode("a big red dog");
    TextRunOptions padded;
    padded.attentionMask.padding = 3;
    auto result = (*model)->analyseTokens("a big red dog", tokens, padded);
    REQUIRE(result.hasValue());
    REQUIRE(result->tokens.size() == tokens.size() + 3);
    REQUIRE(result->tokens.back().id == 1);  // <pad>
    // The reference without the pads: their keys are masked out, so the real rows agree.
    const auto ref = referenceBert(tiny, idsOf(tokens), {});
    for (int l = 0; l < spec.layers; ++l)
        for (int h = 0; h < spec.heads; ++h)
            for (std::size_t i = 0; i < tokens.size(); ++i)
                for (std::size_t j = 0; j < tokens.size(); ++j)
                    REQUIRE(result->attention.at(l, h, static_cast<int>(i), static_cast<int>(j)) ==
                            Approx(ref.attention[l][h][i][j]).margin(1e-4));
    // Too long: the limit counts positions after the offset.
    std::string longText;
    for (int i = 0; i < spec.maxPositions; ++i) longText += "dog ";
    auto tooLong = (*model)->analyse(longText);
    REQUIRE_FALSE(tooLong.hasValue());
    REQUIRE_THAT(tooLong.error(), Catch::Contains("less the padding offset 2"));
}

TEST_CASE("A tiny RobertaForSequenceClassification (classifier.dense, out_proj) gives the reference's label scores",
          "[core][roberta][task]") {
    TinyBertSpec spec;
    spec.family = "roberta";
    spec.task = "sequence";
    spec.labels = {"negative", "neutral", "positive"};
    spec.seed = 25;
    TempDir dir;
    const TinyBert tiny = writeTinyBert(dir.path().string(), spec);
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    REQUIRE((*model)->task() == TextTask::SentenceLabels);
    auto result = (*model)->analyse("the sky is red");
    REQUIRE(result.hasValue());
    const auto ref = referenceBert(tiny, idsOf(result->tokens), {});
    requireAttentionMatches(*result, ref, static_cast<int>(result->tokens.size()));
    double norm = 0, top = -1e9;
    for (float l : ref.sequenceLogits) top = std::max<double>(top, l);
    for (float l : ref.sequenceLogits) norm += std::exp(l - top);
    REQUIRE(result->labels.size() == 3);
    for (const auto& l : result->labels) {
        REQUIRE(l.label == spec.labels[static_cast<std::size_t>(l.id)]);
        REQUIRE(l.score == Approx(std::exp(ref.sequenceLogits[static_cast<std::size_t>(l.id)] - top) / norm).margin(1e-4));
    }
}

TEST_CASE("A tiny RobertaForTokenClassification labels every token as the reference does", "[core][roberta][task]") {
    TinyBertSpec spec;
    spec.family = "roberta";
    spec.task = "tokens";
    spec.labels = {"O", "B-PER", "I-PER"};
    spec.seed = 27;
    TempDir dir;
    const TinyBert tiny = writeTinyBert(dir.path().string(), spec);
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    REQUIRE((*model)->task() == TextTask::TokenLabels);
    auto result = (*model)->analyse("a cat sat on the mat");
    REQUIRE(result.hasValue());
    const auto ref = referenceBert(tiny, idsOf(result->tokens), {});
    REQUIRE(result->tokenLabels.size() == result->tokens.size());
    for (std::size_t t = 0; t < result->tokens.size(); ++t) {
        auto row = ref.tokenLogits[t];
        referenceSoftmax(row);
        const auto best = static_cast<std::size_t>(std::max_element(row.begin(), row.end()) - row.begin());
        REQUIRE(result->tokenLabels[t].best.label == spec.labels[best]);
        REQUIRE(result->tokenLabels[t].best.score == Approx(row[best]).margin(1e-4));
    }
}

TEST_CASE("A RoBERTa sentence pair is <s> A </s></s> B </s>, B's half in segment 1", "[core][roberta]") {
    TinyBertSpec spec;
    spec.family = "roberta";
    spec.seed = 29;
    TempDir dir;
    const TinyBert tiny = writeTinyBert(dir.path().string(), spec);
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    auto result = (*model)->analysePair("the cat", "a dog");
    REQUIRE(result.hasValue());
    std::vector<std::string> texts;
    std::vector<int> segments;
    for (const auto& t : result->tokens) {
        texts.push_back(t.text);
        segments.push_back(t.segment);
    }
    REQUIRE(texts == std::vector<std::string>{"<s>", "the", "\xC4\xA0" "cat", "</s>", "</s>", "a", "\xC4\xA0" "dog", "</s>"});
    REQUIRE(segments == std::vector<int>{0, 0, 0, 0, 1, 1, 1, 1});
    // One token type: the model adds the same type embedding everywhere, as the reference does.
    const auto ref = referenceBert(tiny, idsOf(result->tokens), {});
    requireAttentionMatches(*result, ref, static_cast<int>(result->tokens.size()));
    // Spans index "the cat\na dog".
    REQUIRE(result->text == "the cat\na dog");
    REQUIRE(result->tokens[6].byteBegin == 10);
    REQUIRE(result->tokens[6].byteEnd == 13);
}

TEST_CASE("Broken RoBERTa folders are refused with a message naming what is missing", "[core][roberta][errors]") {
    TinyBertSpec spec;
    spec.family = "roberta";
    TempDir dir;
    const TinyBert tiny = writeTinyBert(dir.path().string(), spec);
    const auto json = std::filesystem::path(tiny.dir) / "tokenizer.json";
    SECTION("no tokenizer.json") {
        std::filesystem::remove(json);
        auto model = TextModel::load(tiny.dir);
        REQUIRE_FALSE(model.hasValue());
        REQUIRE_THAT(model.error(), Catch::Contains("tokenizer.json is missing"));
    }
    SECTION("a Unigram tokenizer.json without a pre-tokenizer") {
        writeText(json.string(), R"({"model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0]]}})");
        auto model = TextModel::load(tiny.dir);
        REQUIRE_FALSE(model.hasValue());
        REQUIRE_THAT(model.error(), Catch::Contains("Unigram"));
    }
    SECTION("a truncated tokenizer.json") {
        writeText(json.string(), R"({"model": {"type": "BPE", "vocab": {"<s>": 0)");
        auto model = TextModel::load(tiny.dir);
        REQUIRE_FALSE(model.hasValue());
        REQUIRE_THAT(model.error(), Catch::Contains("tokenizer.json"));
    }
    SECTION("position embeddings shorter than config.json says") {
        // Rewrite the config as an XLM-RoBERTa with more positions than the checkpoint has.
        auto c = tiny.config;
        c.modelType = "xlm-roberta";
        c.maxPositionEmbeddings += 4;
        writeText((std::filesystem::path(tiny.dir) / "config.json").string(), c.toJsonText());
        auto model = TextModel::load(tiny.dir);
        REQUIRE_FALSE(model.hasValue());
        REQUIRE_THAT(model.error(), Catch::Contains("position_embeddings"));
    }
}

TEST_CASE("A tiny XLMRobertaForMaskedLM with a Unigram tokenizer runs the multilingual slide as the plain reference",
          "[core][roberta][unigram]") {
    TinyBertSpec spec;
    spec.family = "xlm-roberta";
    spec.seed = 31;
    TempDir dir;
    const TinyBert tiny = writeTinyBert(dir.path().string(), spec);
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    const auto& tok = (*model)->tokenizer();
    REQUIRE(tok.kind() == "Unigram");
    TextRunOptions options;
    options.topK = 5;
    for (const char* sentence : {"I love to <mask> in the park.", "J'aime <mask> dans le parc.", "Ich liebe es, im Park zu <mask>."}) {
        INFO(sentence);
        auto result = (*model)->analyse(sentence, options);
        REQUIRE(result.hasValue());
        std::vector<int> masks;
        for (std::size_t i = 0; i < result->tokens.size(); ++i)
            if (tok.isMask(result->tokens[i])) masks.push_back(static_cast<int>(i));
        REQUIRE(masks.size() == 1);
        const auto ref = referenceBert(tiny, idsOf(result->tokens), masks);
        requireAttentionMatches(*result, ref, static_cast<int>(result->tokens.size()));
        REQUIRE(result->predictions.size() == 1);
        for (const auto& c : result->predictions[0].top) {
            REQUIRE(c.probability == Approx(ref.maskProbabilities[0][static_cast<std::size_t>(c.id)]).margin(1e-4));
            if (c.token.rfind("\xE2\x96\x81", 0) == 0 && c.token.size() > 3) REQUIRE(labelOf(c).rfind(kWordStartMarker, 0) == 0);
        }
    }
}

TEST_CASE("An added token's lstrip takes whitespace only, never the last byte of a character before it", "[core][roberta][tokenizer]") {
    auto tok = BpeTokenizer::fromJsonText(tinyRobertaTokenizerJson(), "tiny");
    REQUIRE(tok.hasValue());
    // "à" is C3 A0, and A0 alone would read as a no-break space.
    const std::string text = "the \xC3\xA0<mask>";
    const auto tokens = tok->encode(text);
    std::string bytes, before;
    for (const auto& t : tokens) {
        if (t.special) continue;
        REQUIRE(BpeTokenizer::decodeByteSymbols(t.text, bytes));
        before += bytes;
    }
    CHECK(before == "the \xC3\xA0");
    REQUIRE(tokens[tokens.size() - 2].text == "<mask>");
    CHECK(tokens[tokens.size() - 2].byteBegin == 6);
}

TEST_CASE("RoBERTa's position embeddings are exposed from its first position on, after the padding offset", "[core][roberta]") {
    TinyBertSpec spec;
    spec.family = "roberta";
    TempDir dir;
    const TinyBert tiny = writeTinyBert(dir.path().string(), spec);
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    const auto rows = (*model)->positionEmbeddings();
    const auto hidden = static_cast<std::size_t>(spec.hidden);
    REQUIRE(rows.size() == static_cast<std::size_t>(spec.maxPositions) * hidden);  // 24 of the checkpoint's 26 rows
    const auto& stored = tiny.w("embeddings.position_embeddings.weight").values;
    for (std::size_t k = 0; k < rows.size(); ++k) REQUIRE(rows[k] == stored[2 * hidden + k]);  // rows 0 and 1 left out
}
