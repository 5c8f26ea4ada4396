#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "inference/image_model.h"
#include "inference/text_model.h"
#include "temp_dir.h"
#include "training/mlm_trainer.h"
#include "training/shapes_dataset.h"
#include "training/vit_trainer.h"
#include "training/vocab_builder.h"

using namespace ascope;
using namespace ascope::test;

namespace {
std::string writeCorpus(const TempDir& dir) {
    const char* animals[] = {"cat", "dog", "bird", "fish"};
    const char* places[] = {"garden", "house", "park", "river"};
    std::string text;
    for (int i = 0; i < 400; ++i)
        text += std::string("the ") + animals[i % 4] + " is in the " + places[(i / 4) % 4] + " today .\n";
    writeText(dir.file("corpus.txt"), text);
    return dir.file("corpus.txt");
}

MlmTrainConfig tinyConfig(const std::string& corpus, const std::string& out) {
    MlmTrainConfig c;
    c.corpusPath = corpus;
    c.outDir = out;
    c.layers = 2;
    c.hidden = 32;
    c.heads = 2;
    c.intermediate = 64;
    c.maxPositions = 32;
    c.vocabSize = 100;
    c.steps = 40;
    c.batchTokens = 512;
    c.learningRate = 3e-3;
    c.dropout = 0.0;
    c.checkpointEvery = 20;
    return c;
}

VitTrainConfig tinyVitConfig(const std::string& out) {
    VitTrainConfig c;
    c.outDir = out;
    c.imageSize = 32;
    c.patchSize = 8;
    c.layers = 1;
    c.hidden = 32;
    c.heads = 2;
    c.intermediate = 64;
    c.steps = 150;
    c.batchSize = 32;
    c.learningRate = 3e-3;
    c.checkpointEvery = 60;
    return c;
}
}  // namespace

TEST_CASE("The vocabulary builder covers every character and the frequent words", "[core][training]") {
    TokenizerConfig config;
    const auto v = buildWordPieceVocab({"The cat sat.", "the cat ran", "a dog sat", "zebra"}, 60, config);
    CHECK(v.idOf("[PAD]") == 0);
    CHECK(v.idOf("[MASK]") == 4);
    CHECK(v.idOf("cat") >= 0);
    CHECK(v.idOf("sat") >= 0);
    CHECK(v.idOf("##a") >= 0);
    CHECK(v.size() <= 60);
}

TEST_CASE("MLM training lowers the loss, is deterministic, and writes a model TextModel opens", "[core][training]") {
    TempDir dir;
    const auto corpus = writeCorpus(dir);
    std::vector<double> losses;
    auto steps = trainMaskedLm(tinyConfig(corpus, dir.file("a")), [&](const TrainProgress& p) {
        losses.push_back(p.loss);
        CHECK(p.totalSteps == 40);
        return true;
    });
    REQUIRE(steps.hasValue());
    CHECK(*steps == 40);
    REQUIRE(losses.size() == 40);
    CHECK(losses.back() < losses.front() * 0.7);

    auto model = TextModel::load(dir.file("a"));
    REQUIRE(model.hasValue());
    auto r = (*model)->analyse("the cat is in the [MASK] today .");
    REQUIRE(r.hasValue());
    REQUIRE(r->predictions.size() == 1);

    // Same seed, same bytes.
    REQUIRE(trainMaskedLm(tinyConfig(corpus, dir.file("b")), {}).hasValue());
    CHECK(readText(dir.file("a/model.safetensors")) == readText(dir.file("b/model.safetensors")));
    CHECK(readText(dir.file("a/vocab.txt")) == readText(dir.file("b/vocab.txt")));

    auto eval = evaluateMaskedLm(dir.file("a"), corpus, 0.1, 50, 3);
    REQUIRE(eval.hasValue());
    CHECK(eval->maskedTokens > 0);
    CHECK(eval->top5 >= eval->top1);
}

TEST_CASE("MLM training stopped and resumed gives the same bytes as an uninterrupted run", "[core][training]") {
    TempDir dir;
    const auto corpus = writeCorpus(dir);
    auto config = tinyConfig(corpus, dir.file("m"));
    config.dropout = 0.1;  // the dropout generator must be restored too
    auto uninterrupted = config;
    uninterrupted.outDir = dir.file("u");
    REQUIRE(trainMaskedLm(uninterrupted, {}).hasValue());

    // Stopped between checkpoints (every 20 steps), mid-epoch.
    auto stopped = trainMaskedLm(config, [](const TrainProgress& p) { return p.step < 25; });
    REQUIRE(stopped.hasValue());
    CHECK(*stopped == 25);
    CHECK(std::filesystem::exists(dir.file("m/model.safetensors")));
    CHECK_THAT(readText(dir.file("m/trainer_state.json")), Catch::Contains("25"));
    // Opening a model draws from LibTorch's global generator; the trainer must not depend on it.
    REQUIRE(TextModel::load(dir.file("m")).hasValue());

    config.resume = true;
    int first = -1;
    auto resumed = trainMaskedLm(config, [&](const TrainProgress& p) {
        if (first < 0) first = p.step;
        return true;
    });
    REQUIRE(resumed.hasValue());
    CHECK(first == 26);
    CHECK(*resumed == 40);
    CHECK(readText(dir.file("m/model.safetensors")) == readText(dir.file("u/model.safetensors")));
}

TEST_CASE("Trainers refuse unusable settings before dividing by them, naming the parameter", "[core][training]") {
    TempDir dir;
    const auto corpus = writeCorpus(dir);
    auto mlm = tinyConfig(corpus, dir.file("m"));
    mlm.heads = 0;
    auto r = trainMaskedLm(mlm, {});
    REQUIRE_FALSE(r.hasValue());
    CHECK(r.errorKind() == ErrorKind::InvalidInput);
    CHECK_THAT(r.error(), Catch::Contains("number of heads"));
    CHECK_THAT(r.error(), !Catch::Contains("--"));
    mlm = tinyConfig(corpus, dir.file("m"));
    mlm.hidden = 33;
    CHECK_THAT(trainMaskedLm(mlm, {}).error(), Catch::Contains("hidden size (33)"));
    mlm = tinyConfig(corpus, dir.file("m"));
    mlm.checkpointEvery = 0;
    CHECK(trainMaskedLm(mlm, {}).errorKind() == ErrorKind::InvalidInput);
    CHECK_FALSE(std::filesystem::exists(dir.file("m")));  // refused before anything was written

    auto vit = tinyVitConfig(dir.file("v"));
    vit.patchSize = 0;
    auto v = trainVitShapes(vit, {});
    REQUIRE_FALSE(v.hasValue());
    CHECK_THAT(v.error(), Catch::Contains("patch size"));
    vit = tinyVitConfig(dir.file("v"));
    vit.batchSize = 0;
    CHECK(trainVitShapes(vit, {}).errorKind() == ErrorKind::InvalidInput);
}

TEST_CASE("Training refuses a missing corpus with a clear message", "[core][training]") {
    TempDir dir;
    auto r = trainMaskedLm(tinyConfig(dir.file("nope.txt"), dir.file("m")), {});
    REQUIRE_FALSE(r.hasValue());
    CHECK_THAT(r.error(), Catch::Contains("nope.txt"));
}

TEST_CASE("Shapes ViT training learns, is deterministic, stops and resumes, and writes a model ImageModel opens",
          "[core][training][vit]") {
    TempDir dir;
    std::vector<double> losses;
    auto steps = trainVitShapes(tinyVitConfig(dir.file("a")), [&](const TrainProgress& p) {
        losses.push_back(p.loss);
        CHECK(p.totalSteps == 150);
        return true;
    });
    REQUIRE(steps.hasValue());
    CHECK(*steps == 150);
    REQUIRE(losses.size() == 150);
    INFO("smoothed loss " << losses.front() << " -> " << losses.back());
    // Shapes take thousands of steps to learn (see the README); here the loss must at least fall
    // from its random start to the class prior (ln 6 = 1.79).
    CHECK(losses.back() < losses.front() - 0.01);
    CHECK(losses.back() < std::log(6.0) + 0.01);

    auto model = ImageModel::load(dir.file("a"));
    REQUIRE(model.hasValue());
    CHECK((*model)->config().id2label.size() == 6);
    CHECK((*model)->config().id2label.at(5) == "ring");
    CHECK((*model)->preprocessor().resizeWidth == 32);
    auto r = (*model)->analyse(renderShapeSample(3, 0, 40).image);  // any size: the preprocessor resizes
    REQUIRE(r.hasValue());
    CHECK(r->attention.queries == 1 + 16);

    REQUIRE(trainVitShapes(tinyVitConfig(dir.file("b")), {}).hasValue());
    CHECK(readText(dir.file("a/model.safetensors")) == readText(dir.file("b/model.safetensors")));

    auto config = tinyVitConfig(dir.file("c"));
    auto stopped = trainVitShapes(config, [](const TrainProgress& p) { return p.step < 70; });
    REQUIRE(stopped.hasValue());
    CHECK(*stopped == 70);
    CHECK_THAT(readText(dir.file("c/trainer_state.json")), Catch::Contains("70"));
    config.resume = true;
    int first = -1;
    auto resumed = trainVitShapes(config, [&](const TrainProgress& p) {
        if (first < 0) first = p.step;
        return true;
    });
    REQUIRE(resumed.hasValue());
    CHECK(first == 71);
    CHECK(*resumed == 150);
    CHECK(readText(dir.file("c/model.safetensors")) == readText(dir.file("a/model.safetensors")));
    auto accuracy = evaluateVitShapes(dir.file("c"), 50, 1);
    REQUIRE(accuracy.hasValue());
    CHECK(*accuracy >= 0.0);
    CHECK(*accuracy <= 1.0);
}
