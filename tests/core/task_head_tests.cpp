#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "analysis/entity_groups.h"
#include "inference/text_model.h"
#include "reference_bert.h"
#include "reference_checks.h"
#include "temp_dir.h"

using namespace ascope;
using namespace ascope::test;

namespace {
TokenLabel tagged(const std::string& label, float score) { return {{label, 0, score}, {}}; }
Token word(const std::string& text, std::size_t begin, std::size_t end) { return {text, 5, begin, end, false}; }
Token added(const std::string& text) { return {text, 2, 0, 0, true}; }
}  // namespace

TEST_CASE("A tiny BertForSequenceClassification gives the plain reference's label probabilities, highest first",
          "[core][task]") {
    TinyBertSpec spec;
    spec.task = "sequence";
    std::string expectedFunction = "softmax";
    SECTION("two labels, softmax") {}
    SECTION("three labels in float16, softmax") {
        spec.labels = {"negative", "neutral", "positive"};
        spec.dtype = DType::F16;
        spec.seed = 21;
    }
    SECTION("multi-label: a sigmoid per label") {
        spec.labels = {"toxic", "funny", "long", "question"};
        spec.problemType = "multi_label_classification";
        spec.seed = 22;
        expectedFunction = "sigmoid";
    }
    SECTION("one output (regression): a sigmoid, as Hugging Face's pipeline") {
        spec.labels = {"LABEL_0"};
        spec.seed = 23;
        expectedFunction = "sigmoid";
    }
    SECTION("no id2label: Hugging Face's LABEL_i names") {
        spec.labels = {};
        spec.labelCount = 3;
        spec.seed = 24;
    }
    SECTION("DistilBertForSequenceClassification: pre_classifier with ReLU") {
        spec.family = "distilbert";
        spec.seed = 25;
    }
    TempDir dir;
    const TinyBert tiny = writeTinyBert(dir.path().string(), spec);
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    CHECK((*model)->task() == TextTask::SentenceLabels);
    CHECK_FALSE((*model)->hasMlmHead());
    auto result = (*model)->analyse("the big dog ran in the sun [MASK] .");
    REQUIRE(result.hasValue());
    CHECK(result->task == TextTask::SentenceLabels);
    CHECK(result->predictions.empty());  // a [MASK] means nothing to a classifier
    const auto ref = referenceBert(tiny, idsOf(*result), {});
    requireAttentionMatches(*result, ref);

    const std::size_t n = ref.sequenceLogits.size();
    std::vector<float> expected = ref.sequenceLogits;
    if (expectedFunction == "sigmoid") {
        for (auto& v : expected) v = static_cast<float>(1 / (1 + std::exp(-static_cast<double>(v))));
    } else {
        referenceSoftmax(expected);
    }
    REQUIRE(result->labels.size() == n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& l = result->labels[i];
        CHECK(l.score == Approx(expected[static_cast<std::size_t>(l.id)]).margin(1e-5));
        CHECK(l.label == (spec.labels.empty() ? "LABEL_" + std::to_string(l.id) : spec.labels[static_cast<std::size_t>(l.id)]));
        if (i > 0) CHECK(result->labels[i - 1].score >= l.score);
    }
}

TEST_CASE("A tiny BertForTokenClassification labels every token as the plain reference does", "[core][task]") {
    TinyBertSpec spec;
    spec.task = "tokens";
    spec.labels = {"O", "B-PER", "I-PER", "B-LOC", "I-LOC"};
    spec.layers = 3;
    spec.seed = 31;
    SECTION("BERT") {}
    SECTION("DistilBERT") {
        spec.family = "distilbert";
        spec.seed = 32;
    }
    TempDir dir;
    const TinyBert tiny = writeTinyBert(dir.path().string(), spec);
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    CHECK((*model)->task() == TextTask::TokenLabels);
    auto result = (*model)->analyse("the shiny red house is in the sky");
    REQUIRE(result.hasValue());
    const auto ref = referenceBert(tiny, idsOf(*result), {});
    requireAttentionMatches(*result, ref);
    REQUIRE(result->tokenLabels.size() == result->tokens.size());
    for (std::size_t t = 0; t < result->tokens.size(); ++t) {
        auto probs = ref.tokenLogits[t];
        referenceSoftmax(probs);
        const auto& tl = result->tokenLabels[t];
        REQUIRE(tl.scores.size() == spec.labels.size());
        for (std::size_t k = 0; k < probs.size(); ++k) CHECK(tl.scores[k] == Approx(probs[k]).margin(1e-5));
        const auto best = static_cast<std::size_t>(std::max_element(probs.begin(), probs.end()) - probs.begin());
        CHECK(tl.best.id == static_cast<int>(best));
        CHECK(tl.best.label == spec.labels[best]);
        CHECK(tl.best.score == Approx(probs[best]).margin(1e-5));
    }
}

TEST_CASE("Broken task checkpoints are refused with a message naming what is wrong", "[core][task][errors]") {
    TempDir dir;
    TinyBertSpec spec;
    spec.task = "sequence";
    std::string expected;
    SECTION("id2label does not match the classifier's rows") {
        spec.labelCount = 3;  // two names, three rows
        expected = "id2label has 2 labels but the classifier has 3";
    }
    SECTION("the classifier is missing") {
        writeTinyBert(dir.path().string(), spec);
        TinyBertSpec mlm;
        mlm.seed = 3;
        TempDir other;
        writeTinyBert(other.path().string(), mlm);  // an MLM checkpoint under a classifier's config.json
        std::filesystem::copy_file(dir.file("config.json"), other.file("config.json"),
                                   std::filesystem::copy_options::overwrite_existing);
        auto model = TextModel::load(other.path().string());
        REQUIRE_FALSE(model.hasValue());
        CHECK_THAT(model.error(), Catch::Contains("no classifier head") && Catch::Contains("classifier.weight"));
        return;
    }
    SECTION("problem_type is unknown") {
        spec.problemType = "ranking";
        expected = "problem_type 'ranking'";
    }
    writeTinyBert(dir.path().string(), spec);
    auto model = TextModel::load(dir.path().string());
    REQUIRE_FALSE(model.hasValue());
    CHECK_THAT(model.error(), Catch::Contains(expected));
}

TEST_CASE("Entity spans are grouped as Hugging Face's aggregation_strategy simple", "[core][task][entities]") {
    //                0123456789012345678901234
    std::string text = "ann smith met bob in oslo";
    std::vector<Token> tokens = {added("[CLS]"),         word("ann", 0, 3),   word("smith", 4, 9), word("met", 10, 13),
                                 word("bob", 14, 17),    word("in", 18, 20),  word("os", 21, 23),  word("##lo", 23, 25),
                                 added("[SEP]")};
    std::vector<TokenLabel> labels = {tagged("I-LOC", 0.9f), tagged("B-PER", 0.8f), tagged("I-PER", 0.6f),
                                      tagged("O", 0.99f),    tagged("B-PER", 0.7f), tagged("O", 0.9f),
                                      tagged("B-LOC", 0.5f), tagged("I-LOC", 0.7f), tagged("B-PER", 0.9f)};
    SECTION("B- then I- of one type join; O and the added [CLS]/[SEP] are left out") {
        const auto e = groupEntities(text, tokens, labels);
        REQUIRE(e.size() == 3);
        CHECK(e[0].label == "PER");
        CHECK(e[0].text == "ann smith");
        CHECK(e[0].score == Approx(0.7f));
        CHECK(e[0].firstToken == 1);
        CHECK(e[0].lastToken == 2);
        CHECK(e[1].text == "bob");
        CHECK(e[2].label == "LOC");
        CHECK(e[2].text == "oslo");
        CHECK(e[2].byteBegin == 21);
        CHECK(e[2].byteEnd == 25);
    }
    SECTION("a second B- starts a new entity; an I- of another type does too") {
        labels[2] = tagged("B-PER", 0.6f);
        labels[7] = tagged("I-PER", 0.7f);
        const auto e = groupEntities(text, tokens, labels);
        REQUIRE(e.size() == 5);
        CHECK(e[0].text == "ann");
        CHECK(e[1].text == "smith");
        CHECK(e[3].text == "os");
        CHECK(e[4].label == "PER");
        CHECK(e[4].text == "lo");
    }
    SECTION("labels without B-/I- continue while the label stays the same") {
        for (auto& l : labels) l.best.label = l.best.label == "O" ? "O" : "THING";
        const auto e = groupEntities(text, tokens, labels);
        REQUIRE(e.size() == 3);
        CHECK(e[0].text == "ann smith");
        CHECK(e[2].text == "oslo");
    }
}

TEST_CASE("Offsets in code points count each UTF-8 character once", "[core][task][entities]") {
    const std::string text = "caf\xC3\xA9 \xE6\x97\xA5 x";  // "café 日 x"
    CHECK(codePointOffset(text, 0) == 0);
    CHECK(codePointOffset(text, 5) == 4);   // after é (2 bytes)
    CHECK(codePointOffset(text, 9) == 6);   // after 日 (3 bytes) and a space
    CHECK(codePointOffset(text, 100) == 8);
    bool begin = false;
    CHECK(entityType("B-MISC", &begin) == "MISC");
    CHECK(begin);
    CHECK(entityType("I-ORG", &begin) == "ORG");
    CHECK_FALSE(begin);
    CHECK(entityType("B-", &begin) == "B-");
}
