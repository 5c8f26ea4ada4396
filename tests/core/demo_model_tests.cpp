#include <catch2/catch.hpp>

#include <cstdio>

#include "analysis/patch_attention.h"
#include "inference/image_model.h"
#include "inference/text_model.h"
#include "training/shapes_dataset.h"
#include "util/resource_paths.h"

using namespace ascope;

namespace {
bool topFiveHas(const TextModel& model, const std::string& text, std::initializer_list<const char*> anyOf) {
    TextRunOptions options;
    options.topK = 5;
    auto r = model.analyse(text, options);
    REQUIRE(r.hasValue());
    REQUIRE(r->predictions.size() == 1);
    std::string seen;
    for (const auto& c : r->predictions[0].top) {
        seen += c.token + " ";
        for (const char* want : anyOf)
            if (c.token == want) return true;
    }
    WARN(text << " -> " << seen);
    return false;
}
}  // namespace

TEST_CASE("The shipped demo BERT gives sensible top-5 predictions for the teaching presets", "[core][demo]") {
    const std::string dir = builtinModelDir("demo-bert");
    REQUIRE_FALSE(dir.empty());
    auto model = TextModel::load(dir);
    REQUIRE(model.hasValue());
    const auto& m = **model;
    CHECK(topFiveHas(m, "The [MASK] is shining brightly in the sky.", {"sun", "moon", "stars"}));
    CHECK(topFiveHas(m, "The [MASK] jumped over the lazy dog.", {"fox", "cat", "dog", "horse", "rabbit", "brown", "quick"}));
    CHECK(topFiveHas(m, "The weather today is [MASK].", {"sunny", "cold", "warm", "hot", "rainy", "nice", "beautiful"}));
    CHECK(topFiveHas(m, "I love to [MASK] in the park.", {"play", "walk", "run", "read", "sing", "dance", "swim"}));
    CHECK(topFiveHas(m, "The capital of France is [MASK].", {"paris"}));
    CHECK(topFiveHas(m, "The doctor works at the [MASK].", {"hospital"}));
    CHECK(topFiveHas(m, "The opposite of hot is [MASK].", {"cold"}));
    CHECK(topFiveHas(m, "The dog [MASK] at night.", {"barks", "howls"}));
    CHECK(topFiveHas(m, "She went to the store to buy some [MASK].", {"bread", "milk", "eggs", "apples", "cheese", "fruit", "coffee", "tea", "juice", "rice", "meat", "fish", "sugar", "butter", "soup", "chocolate", "water", "vegetables"}));
    CHECK(topFiveHas(m, "There are seven days in a [MASK].", {"week"}));
}

TEST_CASE("The shipped demo ViT recognises freshly generated shapes and its [CLS] attention lies on the shape",
          "[core][demo][vit]") {
    const std::string dir = builtinModelDir("demo-vit");
    REQUIRE_FALSE(dir.empty());
    auto model = ImageModel::load(dir);
    REQUIRE(model.hasValue());
    const auto& c = (*model)->config();
    const int size = c.imageSize, patch = c.patchSize, grid = size / patch;
    // A data-set seed the trainer never used (it trains on seed 1 and evaluates on a derived one).
    const unsigned seed = 20261124;
    const int count = 1000;
    int correct = 0;
    double onShape = 0, shapeArea = 0;
    for (int i = 0; i < count; ++i) {
        const auto sample = renderShapeSample(seed, static_cast<unsigned long long>(i), size);
        auto r = (*model)->analyse(sample.image);
        REQUIRE(r.hasValue());
        if (r->top.at(0).id == sample.label) ++correct;
        // The overlay's default view: [CLS] row of the last layer, mean over heads.
        PatchHeatRequest request;
        request.layer = c.numLayers - 1;
        request.normalise = false;
        const auto heat = patchHeat(*r, request);
        REQUIRE(static_cast<int>(heat.size()) == grid * grid);
        double total = 0, shape = 0;
        int shapePatches = 0;
        for (int p = 0; p < grid * grid; ++p) {
            double covered = 0;
            for (int y = 0; y < patch; ++y)
                for (int x = 0; x < patch; ++x)
                    covered += sample.coverage[static_cast<std::size_t>((p / grid) * patch + y) * size + (p % grid) * patch + x];
            total += heat[p];
            if (covered > 0) {
                shape += heat[p];
                ++shapePatches;
            }
        }
        onShape += shape / total;
        shapeArea += static_cast<double>(shapePatches) / (grid * grid);
    }
    const double accuracy = static_cast<double>(correct) / count;
    std::printf("demo ViT: %.1f%% of %d fresh shapes right; [CLS] attention on the shape's patches %.1f%% "
                "(they are %.1f%% of the image)\n",
                100 * accuracy, count, 100 * onShape / count, 100 * shapeArea / count);
    CHECK(accuracy >= 0.95);
    CHECK(onShape >= 2 * shapeArea);
}
