#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "analysis/entity_groups.h"
#include "inference/text_model.h"
#include "labelled_data_fixture.h"
#include "temp_dir.h"
#include "tiny_bert_fixture.h"
#include "training/fine_tuner.h"
#include "training/labelled_data.h"
#include "util/resource_paths.h"

using namespace ascope;
using namespace ascope::test;

TEST_CASE("Labelled data is read from TSV, CSV and CoNLL, and bad lines are named", "[core][finetune][data]") {
    TempDir dir;
    writeText(dir.file("a.tsv"), "text\tlabel\nit was good\tpos\n\nit was\tbad\tneg\r\n");
    auto tsv = readLabelledSentences(dir.file("a.tsv"));
    REQUIRE(tsv.hasValue());
    REQUIRE(tsv->size() == 2);
    CHECK((*tsv)[1].text == "it was\tbad");  // the label is after the last tab
    CHECK((*tsv)[1].label == "neg");
    writeText(dir.file("b.csv"), "id,Sentence,label\n1,\"a, \"\"quoted\"\" one\",yes\n2,plain,no\n");
    auto csv = readLabelledSentences(dir.file("b.csv"));
    REQUIRE(csv.hasValue());
    REQUIRE(csv->size() == 2);
    CHECK((*csv)[0].text == "a, \"quoted\" one");
    CHECK((*csv)[0].label == "yes");
    writeText(dir.file("c.conll"), "-DOCSTART- -X- O O\n\nEU B-ORG\nrejects O\n\nPeter\tB-PER\nBlackburn\tI-PER\n");
    auto conll = readTaggedSentences(dir.file("c.conll"));
    REQUIRE(conll.hasValue());
    REQUIRE(conll->size() == 2);
    CHECK((*conll)[0].words == std::vector<std::string>{"EU", "rejects"});
    CHECK((*conll)[1].tags == std::vector<std::string>{"B-PER", "I-PER"});
    CHECK(labelSet({"B-PER", "O", "I-PER", "B-ORG"}, true) == std::vector<std::string>{"O", "B-ORG", "B-PER", "I-PER"});

    writeText(dir.file("bad.tsv"), "fine\tx\nno tab here\n");
    auto bad = readLabelledSentences(dir.file("bad.tsv"));
    REQUIRE_FALSE(bad.hasValue());
    CHECK_THAT(bad.error(), Catch::Contains("bad.tsv:2") && Catch::Contains("text<TAB>label"));
    writeText(dir.file("bad.csv"), "words,label\nx,y\n");
    CHECK_THAT(readLabelledSentences(dir.file("bad.csv")).error(), Catch::Contains("'text'"));
    writeText(dir.file("bad.conll"), "word\n");
    CHECK_THAT(readTaggedSentences(dir.file("bad.conll")).error(), Catch::Contains("bad.conll:1"));
    CHECK_THAT(readLabelledSentences(dir.file("missing.tsv")).error(), Catch::Contains("cannot open"));
}

TEST_CASE("Fine-tuning a tiny BERT for sentence labels learns them and writes a classifier TextModel opens",
          "[core][finetune]") {
    TempDir dir;
    writeTinyBert(dir.file("base"));
    const auto data = writeAnimalSentences(dir);
    auto config = tinyFineTune(dir.file("base"), data, dir.file("out"));
    double lastValidation = -1;
    auto report = fineTune(config, [&](const TrainProgress& p) {
        lastValidation = p.validationAccuracy;
        return true;
    });
    REQUIRE(report.hasValue());
    CHECK(report->trainExamples == 128);
    CHECK(report->heldOutExamples == 32);
    CHECK(report->steps == 4 * 16);
    CHECK(lastValidation >= 0.0);  // validated after each finished epoch
    INFO("held-out accuracy " << report->heldOutAccuracy);
    CHECK(report->heldOutAccuracy >= 0.9);
    REQUIRE(report->labels.size() == 2);
    CHECK(report->labels[0].label == "canine");
    CHECK(report->labels[0].support + report->labels[1].support == 32);

    auto model = TextModel::load(dir.file("out"));
    REQUIRE(model.hasValue());
    CHECK((*model)->task() == TextTask::SentenceLabels);
    CHECK((*model)->config().id2label == std::map<int, std::string>{{0, "canine"}, {1, "feline"}});
    // The saved model agrees with the report: re-classify the held-out share through TextModel.
    auto cat = (*model)->analyse("the small cat sat on the tree .");
    auto dog = (*model)->analyse("the small dog sat on the tree .");
    REQUIRE(cat.hasValue());
    REQUIRE(dog.hasValue());
    CHECK(cat->labels[0].label == "feline");
    CHECK(dog->labels[0].label == "canine");
    const auto json = nlohmann::json::parse(readText(dir.file("out/fine_tune_report.json")));
    CHECK(json["held_out_accuracy"].get<double>() == Approx(report->heldOutAccuracy));
}

TEST_CASE("Fine-tuning for token labels tags word pieces and groups them into entities", "[core][finetune]") {
    TempDir dir;
    writeTinyBert(dir.file("base"));
    auto config = tinyFineTune(dir.file("base"), writeAnimalTags(dir), dir.file("out"));
    config.task = FineTuneTask::Tokens;
    config.epochs = 6;
    auto report = fineTune(config, {});
    REQUIRE(report.hasValue());
    INFO("held-out token accuracy " << report->heldOutAccuracy);
    CHECK(report->heldOutAccuracy >= 0.9);
    REQUIRE(report->labels.front().label == "O");
    auto model = TextModel::load(dir.file("out"));
    REQUIRE(model.hasValue());
    CHECK((*model)->task() == TextTask::TokenLabels);
    auto r = (*model)->analyse("the shiny dog sat on the house");
    REQUIRE(r.hasValue());
    const auto entities = groupEntities(r->text, r->tokens, r->tokenLabels);
    REQUIRE(entities.size() == 2);
    CHECK(entities[0].label == "ANIMAL");
    CHECK(entities[0].text == "shiny dog");  // shin ##y dog: three pieces, one entity
    CHECK(entities[1].label == "PLACE");
    CHECK(entities[1].text == "house");
}

TEST_CASE("Fine-tuning stopped and resumed gives the same bytes as an uninterrupted run", "[core][finetune]") {
    TempDir dir;
    writeTinyBert(dir.file("base"));
    const auto data = writeAnimalSentences(dir);
    auto config = tinyFineTune(dir.file("base"), data, dir.file("m"));
    config.dropout = 0.1;  // the dropout generator must be restored too
    config.epochs = 2;
    config.checkpointEvery = 5;
    auto uninterrupted = config;
    uninterrupted.outDir = dir.file("u");
    REQUIRE(fineTune(uninterrupted, {}).hasValue());
    auto stopped = fineTune(config, [](const TrainProgress& p) { return p.step < 18; });  // after the first epoch's validation
    REQUIRE(stopped.hasValue());
    CHECK(stopped->steps == 18);
    config.resume = true;
    auto resumed = fineTune(config, {});
    REQUIRE(resumed.hasValue());
    CHECK(resumed->steps == 32);
    CHECK(readText(dir.file("m/model.safetensors")) == readText(dir.file("u/model.safetensors")));
}

TEST_CASE("Fine-tuning refuses bad settings, data with one label, and a model that is not BERT", "[core][finetune][errors]") {
    TempDir dir;
    writeTinyBert(dir.file("base"));
    auto config = tinyFineTune(dir.file("base"), writeAnimalSentences(dir), dir.file("out"));
    auto bad = config;
    bad.epochs = 0;
    CHECK_THAT(fineTune(bad, {}).error(), Catch::Contains("epochs"));
    bad = config;
    bad.heldOutFraction = 0.9;
    CHECK_THAT(fineTune(bad, {}).error(), Catch::Contains("held-out"));
    writeText(dir.file("one.tsv"), "a cat\tx\na dog\tx\n");
    bad = config;
    bad.dataPath = dir.file("one.tsv");
    CHECK_THAT(fineTune(bad, {}).error(), Catch::Contains("at least two different labels"));
    std::filesystem::remove(dir.file("base/model.safetensors"));
    CHECK_FALSE(fineTune(config, {}).hasValue());
    writeText(dir.file("base/config.json"), R"({"model_type": "vit", "hidden_size": 16, "num_hidden_layers": 1,
        "num_attention_heads": 2})");
    CHECK_THAT(fineTune(config, {}).error(), Catch::Contains("model_type 'vit' cannot be fine-tuned"));
}

TEST_CASE("The shipped demo sentiment model labels its own held-out check sentences", "[core][demo][finetune]") {
    const std::string dir = builtinModelDir("demo-sentiment");
    REQUIRE_FALSE(dir.empty());
    auto model = TextModel::load(dir);
    REQUIRE(model.hasValue());
    REQUIRE((*model)->task() == TextTask::SentenceLabels);
    // Hand-written sentences outside the training templates (resources/data/sentiment-check.tsv).
    auto rows = readLabelledSentences(builtinDataFile("data/sentiment-check.tsv"));
    REQUIRE(rows.hasValue());
    int right = 0;
    for (const auto& row : *rows) {
        auto r = (*model)->analyse(row.text);
        REQUIRE(r.hasValue());
        if (r->labels.front().label == row.label) ++right;
        else WARN(row.text << " -> " << r->labels.front().label);
    }
    const double accuracy = static_cast<double>(right) / static_cast<double>(rows->size());
    std::printf("demo sentiment model: %d of %zu hand-written check sentences right (%.0f%%)\n", right, rows->size(),
                100 * accuracy);
    CHECK(accuracy >= 0.7);
}
