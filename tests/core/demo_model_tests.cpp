#include <catch2/catch.hpp>

#include "inference/text_model.h"
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
