// Head importance for task models: how much the sentence's label, or each entity token's tag,
// loses when one head alone is switched off, checked against one separate ablated run per head.
#include <catch2/catch.hpp>
#include <cmath>

#include "inference/head_importance.h"
#include "inference/text_model.h"
#include "temp_dir.h"
#include "tiny_bert_fixture.h"

using namespace ascope;
using namespace ascope::test;

namespace {
float labelScore(const TextAnalysis& a, int id) {
    for (const auto& l : a.labels)
        if (l.id == id) return l.score;
    FAIL("label not scored");
    return 0.f;
}
}  // namespace

TEST_CASE("Head importance of a sentence classifier equals one separate ablated run per head", "[core][importance][task]") {
    // DistilBERT's pre_classifier (ReLU) and BERT's pooler (tanh), three labels, a pair with token types.
    for (const std::string family : {"bert", "distilbert"}) {
        INFO(family);
        TempDir dir;
        TinyBertSpec spec;
        spec.family = family;
        spec.task = "sequence";
        spec.layers = 3;
        spec.labels = {"NEGATIVE", "NEUTRAL", "POSITIVE"};
        writeTinyBert(dir.file("m"), spec);
        auto model = TextModel::load(dir.file("m"));
        REQUIRE(model.hasValue());
        const auto tokens = (*model)->tokenizer().encodePair("the cat sat on the mat", "a dog");
        TextRunOptions options;
        options.ablate = {{2, 1}};
        auto importance = (*model)->headImportance(tokens, options);
        REQUIRE(importance.hasValue());
        CHECK(importance->target == HeadImportance::Target::Sentence);
        REQUIRE(importance->masks.size() == 1);
        const auto& answer = importance->masks[0];
        auto base = (*model)->analyseTokens("", tokens, options);
        REQUIRE(base.hasValue());
        CHECK(answer.position == 0);
        CHECK(answer.answer.id == base->labels.front().id);
        CHECK(answer.answer.token == base->labels.front().label);
        CHECK(answer.answer.probability == Approx(base->labels.front().score).margin(1e-6));
        bool anyDrop = false;
        for (int l = 0; l < 3; ++l)
            for (int h = 0; h < 4; ++h) {
                TextRunOptions one = options;
                one.ablate.push_back({l, h});
                auto ablated = (*model)->analyseTokens("", tokens, one);
                REQUIRE(ablated.hasValue());
                CHECK(answer.probability[static_cast<std::size_t>(l) * 4 + h] ==
                      Approx(labelScore(*ablated, answer.answer.id)).margin(1e-5));
                anyDrop = anyDrop || std::abs(answer.drop(l, h, 4)) > 1e-5;
            }
        CHECK(anyDrop);
        CHECK(answer.drop(2, 1, 4) == 0.f);  // already off
    }
}

TEST_CASE("Head importance of a token classifier covers each token tagged as an entity", "[core][importance][task]") {
    TempDir dir;
    TinyBertSpec spec;
    spec.task = "tokens";
    spec.labels = {"O", "B-PER", "I-PER", "B-LOC", "I-LOC"};
    spec.seed = 11;
    writeTinyBert(dir.file("m"), spec);
    auto model = TextModel::load(dir.file("m"));
    REQUIRE(model.hasValue());
    const auto tokens = (*model)->tokenizer().encode("the shiny cat sat on the mat in the sun");
    auto importance = (*model)->headImportance(tokens, {});
    REQUIRE(importance.hasValue());
    CHECK(importance->target == HeadImportance::Target::Tokens);
    auto base = (*model)->analyseTokens("", tokens, {});
    REQUIRE(base.hasValue());
    // Exactly the text tokens whose best tag is not O, in order, each with its tag.
    std::vector<int> expected;
    for (std::size_t i = 1; i + 1 < tokens.size(); ++i)
        if (base->tokenLabels[i].best.label != "O") expected.push_back(static_cast<int>(i));
    REQUIRE_FALSE(expected.empty());
    REQUIRE(importance->masks.size() == expected.size());
    for (std::size_t k = 0; k < expected.size(); ++k) {
        const auto& answer = importance->masks[k];
        CHECK(answer.position == expected[k]);
        const auto& tag = base->tokenLabels[static_cast<std::size_t>(expected[k])].best;
        CHECK(answer.answer.token == tag.label);
        CHECK(answer.answer.probability == Approx(tag.score).margin(1e-6));
    }
    for (int l = 0; l < 2; ++l)
        for (int h = 0; h < 4; ++h) {
            TextRunOptions one;
            one.ablate.push_back({l, h});
            auto ablated = (*model)->analyseTokens("", tokens, one);
            REQUIRE(ablated.hasValue());
            for (const auto& answer : importance->masks)
                CHECK(answer.probability[static_cast<std::size_t>(l) * 4 + h] ==
                      Approx(ablated->tokenLabels[static_cast<std::size_t>(answer.position)].scores[static_cast<std::size_t>(answer.answer.id)])
                          .margin(1e-5));
        }
}
