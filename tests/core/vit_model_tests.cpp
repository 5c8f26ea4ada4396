#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "inference/image_model.h"
#include "inference/text_model.h"
#include "reference_vit.h"
#include "temp_dir.h"

using namespace ascope;
using namespace ascope::test;

TEST_CASE("A tiny random ViT and DeiT match the plain reference in every attention matrix and class probability",
          "[core][vit]") {
    TinyVitSpec spec;
    SECTION("ViT with [CLS]") {}
    SECTION("DeiT with distillation token and two classifiers") {
        spec.deit = true;
        spec.seed = 22;
    }
    SECTION("ViT with 16 x 16 patches: 257 tokens, which the layers run as 260 rows (three of padding)") {
        spec.imageSize = 64;
        spec.seed = 23;
    }
    SECTION("a bare ViTModel without a classifier: attention alone") {
        spec.classifier = false;
        spec.seed = 24;
    }
    TempDir dir;
    const auto tiny = writeTinyVit(dir.file("v"), spec);
    auto model = ImageModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    CHECK((*model)->prefixTokens() == (spec.deit ? 2 : 1));
    const auto picture = testPicture(37, 23, 5);  // odd size: exercises resizing
    ImageRunOptions options;
    options.topK = spec.classes;
    auto result = (*model)->analyse(picture, options);
    REQUIRE(result.hasValue());
    auto pixels = preprocessImage(picture, (*model)->preprocessor());
    REQUIRE(pixels.hasValue());
    const auto ref = referenceVit(tiny, *pixels);

    const auto& a = result->attention;
    const int grid = spec.imageSize / spec.patchSize, tokens = (spec.deit ? 2 : 1) + grid * grid;
    REQUIRE(a.queries == tokens);
    REQUIRE(result->gridRows == grid);
    REQUIRE(result->tokenLabels().size() == static_cast<std::size_t>(tokens));
    double worst = 0;  // the largest difference from the reference over every attention weight
    for (int l = 0; l < a.layers; ++l)
        for (int h = 0; h < a.heads; ++h)
            for (int i = 0; i < tokens; ++i)
                for (int j = 0; j < tokens; ++j) worst = std::max(worst, std::abs(double(a.at(l, h, i, j)) - ref.attention[l][h][i][j]));
    CHECK(worst < 1e-4);
    if (!spec.classifier) {
        CHECK(result->top.empty());
        return;
    }
    REQUIRE(result->top.size() == static_cast<std::size_t>(spec.classes));
    for (const auto& p : result->top) {
        CHECK(p.probability == Approx(ref.probabilities[static_cast<std::size_t>(p.id)]).margin(1e-4));
        CHECK(p.label == "shape " + std::to_string(p.id));
    }
}

TEST_CASE("Image preprocessing resizes, crops and normalises as configured", "[core][vit]") {
    RgbImage flat{30, 20, std::vector<std::uint8_t>(30 * 20 * 3, 200)};
    PreprocessorConfig c;
    c.resizeWidth = c.resizeHeight = 8;
    auto px = preprocessImage(flat, c);
    REQUIRE(px.hasValue());
    REQUIRE(px->size() == 3u * 8 * 8);
    for (float v : *px) CHECK(v == Approx((200 / 255.0 - 0.5) / 0.5).margin(1e-6));  // a flat image stays flat

    // A checkerboard averages out when shrunk (antialiasing), instead of aliasing.
    RgbImage board{64, 64, std::vector<std::uint8_t>(64 * 64 * 3)};
    for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 64; ++x)
            for (int ch = 0; ch < 3; ++ch) board.pixels[(y * 64 + x) * 3 + ch] = ((x + y) % 2) ? 255 : 0;
    const auto small = resizeImage(board, 8, 8, 3);
    for (auto p : small.pixels) CHECK(std::abs(int(p) - 128) <= 8);

    c.shortestEdge = 10;
    c.doCenterCrop = true;
    c.cropWidth = c.cropHeight = 10;
    auto geo = preprocessGeometry(flat, c);
    REQUIRE(geo.hasValue());
    CHECK(geo->width == 10);
    CHECK(geo->height == 10);

    CHECK_FALSE(preprocessImage(RgbImage{0, 5, {}}, c).hasValue());
    CHECK_FALSE(preprocessImage(RgbImage{4, 4, std::vector<std::uint8_t>(5)}, c).hasValue());
}

TEST_CASE("Opening a ViT checkpoint in the wrong mode, or with a mismatched head, is refused", "[core][vit]") {
    TempDir dir;
    const auto tiny = writeTinyVit(dir.file("v"));
    auto asText = TextModel::load(tiny.dir);
    REQUIRE_FALSE(asText.hasValue());
    CHECK_THAT(asText.error(), Catch::Contains("image model"));
    auto config = nlohmann::json::parse(readText(dir.file("v/config.json")));
    config["id2label"] = {{"0", "a"}, {"1", "b"}};
    writeText(dir.file("v/config.json"), config.dump());
    auto wrong = ImageModel::load(tiny.dir);
    REQUIRE_FALSE(wrong.hasValue());
    CHECK_THAT(wrong.error(), Catch::Contains("5 classes") && Catch::Contains("id2label has 2"));
}
