// Fine-tuning the BERT family's other members: the result is saved in the family's own layout
// (what Hugging Face's RobertaForSequenceClassification, DistilBertForTokenClassification, ...
// read) and opens in TextModel; the tokenizers' word starts and spans label the right tokens.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "analysis/entity_groups.h"
#include "checkpoint/checkpoint_tensors.h"
#include "inference/text_model.h"
#include "labelled_data_fixture.h"
#include "temp_dir.h"
#include "tiny_bert_fixture.h"
#include "training/fine_tuner.h"

using namespace ascope;
using namespace ascope::test;

namespace {
TinyBertSpec familySpec(const std::string& family) {
    TinyBertSpec spec;
    spec.family = family;
    if (family == "albert") {  // two shared groups over four layers: group G is saved as albert_layer_groups.G
        spec.layers = 4;
        spec.groups = 2;
    }
    return spec;
}

// The names Hugging Face gives a new task head, written out per family.
std::set<std::string> headNames(const std::string& family, bool sequence) {
    if (!sequence) return {"classifier.weight", "classifier.bias"};
    if (family == "roberta" || family == "xlm-roberta")
        return {"classifier.dense.weight", "classifier.dense.bias", "classifier.out_proj.weight", "classifier.out_proj.bias"};
    if (family == "distilbert") return {"pre_classifier.weight", "pre_classifier.bias", "classifier.weight", "classifier.bias"};
    if (family == "albert") return {"albert.pooler.weight", "albert.pooler.bias", "classifier.weight", "classifier.bias"};
    return {"bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight", "classifier.bias"};
}

bool isMlmHead(const std::string& name) {
    for (const char* head : {"cls.", "lm_head.", "predictions.", "vocab_transform.", "vocab_layer_norm.", "vocab_projector."})
        if (name.rfind(head, 0) == 0) return true;
    return false;
}

std::vector<float> valuesOf(const CheckpointTensors& tensors, const std::string& name) {
    std::vector<float> out;
    const auto* view = tensors.find(name);
    REQUIRE(view != nullptr);
    REQUIRE(toFloat32(*view, out));
    return out;
}
}  // namespace

TEST_CASE("Fine-tuning DistilBERT, RoBERTa, XLM-R and ALBERT saves the encoder under the family's own names",
          "[core][finetune][families]") {
    const auto family = GENERATE(as<std::string>{}, "distilbert", "roberta", "xlm-roberta", "albert");
    const bool sequence = GENERATE(true, false);
    INFO(family << (sequence ? " sentence labels" : " token labels"));
    TempDir dir;
    writeTinyBert(dir.file("base"), familySpec(family));
    auto config = tinyFineTune(dir.file("base"), sequence ? writeAnimalSentences(dir) : writeAnimalTags(dir), dir.file("out"));
    config.task = sequence ? FineTuneTask::Sentence : FineTuneTask::Tokens;
    config.epochs = 1;
    config.learningRate = 1e-10;  // the encoder comes back as it was read, to within rounding
    config.weightDecay = 0;
    REQUIRE(fineTune(config, {}).hasValue());

    const auto json = nlohmann::json::parse(readText(dir.file("out/config.json")));
    const std::map<std::string, std::string> stems = {
        {"distilbert", "DistilBert"}, {"roberta", "Roberta"}, {"xlm-roberta", "XLMRoberta"}, {"albert", "Albert"}};
    CHECK(json["architectures"][0] == stems.at(family) + (sequence ? "ForSequenceClassification" : "ForTokenClassification"));
    CHECK(json["model_type"] == family);
    CHECK(json["id2label"]["0"] == (sequence ? "canine" : "O"));
    CHECK(json["label2id"][sequence ? "feline" : "B-PLACE"].is_number());
    if (family == "albert") CHECK(json["num_hidden_groups"] == 2);

    auto source = CheckpointTensors::openFolder(dir.file("base"));
    auto saved = CheckpointTensors::openFolder(dir.file("out"));
    REQUIRE(source.hasValue());
    REQUIRE(saved.hasValue());
    std::set<std::string> expected = headNames(family, sequence);
    for (const auto& name : source->names())
        if (!isMlmHead(name)) {
            expected.insert(name);
            const auto before = valuesOf(*source, name), after = valuesOf(*saved, name);
            REQUIRE(before.size() == after.size());
            float worst = 0;
            for (std::size_t i = 0; i < before.size(); ++i) worst = std::max(worst, std::abs(before[i] - after[i]));
            INFO(name);
            CHECK(worst < 1e-6f);
        }
    const auto names = saved->names();
    CHECK(std::set<std::string>(names.begin(), names.end()) == expected);

    auto model = TextModel::load(dir.file("out"));
    REQUIRE(model.hasValue());
    CHECK((*model)->task() == (sequence ? TextTask::SentenceLabels : TextTask::TokenLabels));
    CHECK((*model)->config().modelType == family);
}

TEST_CASE("A DistilBERT, RoBERTa, XLM-R or ALBERT fine-tuned for sentence labels learns them, and TextModel agrees",
          "[core][finetune][families]") {
    const auto family = GENERATE(as<std::string>{}, "distilbert", "roberta", "xlm-roberta", "albert");
    INFO(family);
    TempDir dir;
    writeTinyBert(dir.file("base"), familySpec(family));
    auto config = tinyFineTune(dir.file("base"), writeAnimalSentences(dir), dir.file("out"));
    config.epochs = 10;  // from a fresh pooler (pre_classifier, classifier.dense) on random tiny encoders
    auto report = fineTune(config, {});
    REQUIRE(report.hasValue());
    INFO("held-out accuracy " << report->heldOutAccuracy);
    CHECK(report->heldOutAccuracy >= 0.9);
    auto model = TextModel::load(dir.file("out"));
    REQUIRE(model.hasValue());
    // The saved classifier (DistilBERT's ReLU pre_classifier, RoBERTa's dense + out_proj) labels
    // every sentence of the file as training left it.
    int right = 0, total = 0;
    for (const char* animal : {"cat", "dog"})
        for (const char* color : {"big", "small", "red", "blue"})
            for (const char* thing : {"house", "tree", "sun", "sky", "mat"}) {
                auto r = (*model)->analyse(std::string("the ") + color + " " + animal + " sat on the " + thing + " .");
                REQUIRE(r.hasValue());
                ++total;
                right += r->labels[0].label == (std::string(animal) == "cat" ? "feline" : "canine");
            }
    INFO(right << " of " << total);
    CHECK(right >= total * 9 / 10);
}

TEST_CASE("A RoBERTa or XLM-R fine-tuned for token labels tags every piece of a word from its span",
          "[core][finetune][families]") {
    const auto family = GENERATE(as<std::string>{}, "roberta", "xlm-roberta");
    INFO(family);
    TempDir dir;
    writeTinyBert(dir.file("base"), familySpec(family));
    auto config = tinyFineTune(dir.file("base"), writeAnimalTags(dir), dir.file("out"));
    config.task = FineTuneTask::Tokens;
    config.epochs = 12;
    auto report = fineTune(config, {});
    REQUIRE(report.hasValue());
    INFO("held-out token accuracy " << report->heldOutAccuracy);
    CHECK(report->heldOutAccuracy >= 0.9);
    auto model = TextModel::load(dir.file("out"));
    REQUIRE(model.hasValue());
    auto r = (*model)->analyse("the shiny dog sat on the house");
    REQUIRE(r.hasValue());
    const auto entities = groupEntities(r->text, r->tokens, r->tokenLabels);
    REQUIRE(entities.size() == 2);
    CHECK(entities[0].label == "ANIMAL");
    CHECK(entities[0].text == "shiny dog");  // several pieces (bytes or unknown letters), one entity
    CHECK(entities[1].label == "PLACE");
    CHECK(entities[1].text == "house");
}
