// Attention masks inside scaled dot-product attention and switched-off heads, against the plain
// reference BERT run under the same controls.
#include <catch2/catch.hpp>
#include <fstream>

#include "inference/attention_controls.h"
#include "inference/image_model.h"
#include "inference/text_model.h"
#include "reference_bert.h"
#include "reference_checks.h"
#include "temp_dir.h"
#include "tiny_vit_fixture.h"

using namespace ascope;
using namespace ascope::test;

namespace {
const char* kSentence = "the cat sat on the [MASK] .";

struct Fixture {
    TempDir dir;
    TinyBert tiny = writeTinyBert(dir.file("m"));
    std::unique_ptr<TextModel> model = std::move(TextModel::load(tiny.dir).value());
};

// Every attention cell and every MLM probability equal the reference's under the same controls.
void requireMatchesReference(const Fixture& f, const TextAnalysis& a, const ReferenceControls& controls) {
    std::vector<int> masks;
    for (const auto& p : a.predictions) masks.push_back(p.position);
    const auto ref = referenceBert(f.tiny, idsOf(a), masks, controls);
    const auto& att = a.attention;
    for (int l = 0; l < att.layers; ++l)
        for (int h = 0; h < att.heads; ++h)
            for (int i = 0; i < att.queries; ++i)
                for (int j = 0; j < att.keys; ++j) REQUIRE(att.at(l, h, i, j) == Approx(ref.attention[l][h][i][j]).margin(1e-4));
    for (std::size_t m = 0; m < a.predictions.size(); ++m)
        for (const auto& c : a.predictions[m].top) REQUIRE(c.probability == Approx(ref.maskProbabilities[m][c.id]).margin(1e-4));
}

TextRunOptions allTokens(const Fixture& f) {
    TextRunOptions o;
    o.topK = f.tiny.config.vocabSize;
    return o;
}
}  // namespace

TEST_CASE("The causal mask gives exactly zero weight above the diagonal and equals a reference forward under it",
          "[core][mask]") {
    Fixture f;
    auto options = allTokens(f);
    options.attentionMask.mode = AttentionMaskSpec::Mode::Causal;
    auto a = f.model->analyse(kSentence, options);
    REQUIRE(a.hasValue());
    const auto& att = a->attention;
    for (int l = 0; l < att.layers; ++l)
        for (int h = 0; h < att.heads; ++h)
            for (int i = 0; i < att.queries; ++i)
                for (int j = i + 1; j < att.keys; ++j) REQUIRE(att.at(l, h, i, j) == 0.f);
    CHECK(a->controls.fullyMaskedRows.empty());
    CHECK_FALSE(a->controls.isAllowed(1, 2, 3, 4));
    CHECK(a->controls.isAllowed(1, 2, 4, 3));
    ReferenceControls causal;
    causal.allowed = [](int, int, int q, int k) { return k <= q; };
    requireMatchesReference(f, *a, causal);
    // The mask changes what the model predicts.
    auto plain = f.model->analyse(kSentence, allTokens(f));
    REQUIRE(plain.hasValue());
    CHECK(plain->predictions[0].top[0].probability != Approx(a->predictions[0].top[0].probability).margin(1e-6));
}

TEST_CASE("Blocking key j zeroes column j in every layer and head", "[core][mask]") {
    Fixture f;
    auto options = allTokens(f);
    options.attentionMask.mode = AttentionMaskSpec::Mode::Block;
    options.attentionMask.blockedKeys = {2, 4};
    auto a = f.model->analyse(kSentence, options);
    REQUIRE(a.hasValue());
    const auto& att = a->attention;
    for (int l = 0; l < att.layers; ++l)
        for (int h = 0; h < att.heads; ++h)
            for (int i = 0; i < att.queries; ++i) {
                REQUIRE(att.at(l, h, i, 2) == 0.f);
                REQUIRE(att.at(l, h, i, 4) == 0.f);
            }
    ReferenceControls block;
    block.allowed = [](int, int, int, int k) { return k != 2 && k != 4; };
    requireMatchesReference(f, *a, block);

    options.attentionMask.blockedKeys = {99};
    auto bad = f.model->analyse(kSentence, options);
    REQUIRE_FALSE(bad.hasValue());
    CHECK(bad.errorKind() == ErrorKind::InvalidInput);
    CHECK_THAT(bad.error(), Catch::Contains("99"));
}

TEST_CASE("Custom cells apply to their layer and head only, and a row with no allowed key is reported and uniform",
          "[core][mask]") {
    Fixture f;
    auto plain = f.model->analyse(kSentence, allTokens(f));
    REQUIRE(plain.hasValue());
    const int n = static_cast<int>(plain->tokens.size());
    AttentionMaskSpec::Cells cells{1, 2, std::vector<std::uint8_t>(static_cast<std::size_t>(n) * n, 1)};
    for (int k = 0; k < n; ++k) cells.allowed[static_cast<std::size_t>(3) * n + k] = 0;  // row 3: nothing allowed
    cells.allowed[static_cast<std::size_t>(5) * n + 1] = 0;                              // one painted cell
    auto options = allTokens(f);
    options.attentionMask.mode = AttentionMaskSpec::Mode::Custom;
    options.attentionMask.custom = {cells};
    auto a = f.model->analyse(kSentence, options);
    REQUIRE(a.hasValue());
    REQUIRE(a->controls.fullyMaskedRows.size() == 1);
    CHECK(a->controls.fullyMaskedRows[0].layer == 1);
    CHECK(a->controls.fullyMaskedRows[0].head == 2);
    CHECK(a->controls.fullyMaskedRows[0].query == 3);
    for (int k = 0; k < n; ++k) CHECK(a->attention.at(1, 2, 3, k) == Approx(1.0 / n).margin(1e-6));
    CHECK(a->attention.at(1, 2, 5, 1) == 0.f);
    // Layer 0 comes before the mask: unchanged to the last bit.
    for (int h = 0; h < a->attention.heads; ++h)
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) REQUIRE(a->attention.at(0, h, i, j) == plain->attention.at(0, h, i, j));
    ReferenceControls custom;
    custom.allowed = [&](int l, int h, int q, int k) {
        return !(l == 1 && h == 2) || cells.allowed[static_cast<std::size_t>(q) * n + k] != 0;
    };
    requireMatchesReference(f, *a, custom);

    options.attentionMask.custom[0].allowed.pop_back();
    auto bad = f.model->analyse(kSentence, options);
    REQUIRE_FALSE(bad.hasValue());
    CHECK_THAT(bad.error(), Catch::Contains("cells"));
}

TEST_CASE("Pad tokens with attention_mask 0 leave the real tokens' results unchanged", "[core][mask]") {
    Fixture f;
    auto plain = f.model->analyse(kSentence, allTokens(f));
    REQUIRE(plain.hasValue());
    auto options = allTokens(f);
    options.attentionMask.padding = 4;
    auto padded = f.model->analyse(kSentence, options);
    REQUIRE(padded.hasValue());
    const int n = static_cast<int>(plain->tokens.size());
    REQUIRE(static_cast<int>(padded->tokens.size()) == n + 4);
    CHECK(padded->tokens.back().text == "[PAD]");
    CHECK(padded->controls.paddingTokens == 4);
    const auto& a = padded->attention;
    for (int l = 0; l < a.layers; ++l)
        for (int h = 0; h < a.heads; ++h)
            for (int i = 0; i < n; ++i) {
                for (int j = 0; j < n; ++j) REQUIRE(a.at(l, h, i, j) == Approx(plain->attention.at(l, h, i, j)).margin(1e-5));
                for (int j = n; j < n + 4; ++j) REQUIRE(a.at(l, h, i, j) == 0.f);
            }
    REQUIRE(padded->predictions.size() == 1);
    CHECK(padded->predictions[0].top[0].id == plain->predictions[0].top[0].id);
    CHECK(padded->predictions[0].top[0].probability == Approx(plain->predictions[0].top[0].probability).margin(1e-5));

    options.attentionMask.padding = 30;  // past the 24 positions
    auto tooLong = f.model->analyse(kSentence, options);
    REQUIRE_FALSE(tooLong.hasValue());
    CHECK_THAT(tooLong.error(), Catch::Contains("pad tokens"));
}

TEST_CASE("An ablated head reads all zero, and ablating a whole layer leaves only its output projection's bias",
          "[core][mask]") {
    Fixture f;
    auto options = allTokens(f);
    options.ablate = {{0, -1}, {1, 3}};
    auto a = f.model->analyse(kSentence, options);
    REQUIRE(a.hasValue());
    CHECK(a->controls.isAblated(0, 2));
    CHECK(a->controls.isAblated(1, 3));
    CHECK_FALSE(a->controls.isAblated(1, 0));
    const auto& att = a->attention;
    for (int i = 0; i < att.queries; ++i)
        for (int j = 0; j < att.keys; ++j) {
            for (int h = 0; h < att.heads; ++h) REQUIRE(att.at(0, h, i, j) == 0.f);
            REQUIRE(att.at(1, 3, i, j) == 0.f);
        }
    // The reference computes the context from the scaled probabilities: zero context, so the
    // attention block adds its output bias only.
    ReferenceControls ablated;
    ablated.headScale = [](int l, int h) { return l == 0 || (l == 1 && h == 3) ? 0.f : 1.f; };
    requireMatchesReference(f, *a, ablated);

    options.ablate = {{2, 0}};
    auto bad = f.model->analyse(kSentence, options);
    REQUIRE_FALSE(bad.hasValue());
    CHECK_THAT(bad.error(), Catch::Contains("layer 2 does not exist"));
}

TEST_CASE("ViT: a blocked patch gets no attention, an ablated head reads zero, custom cells hold", "[core][mask][vit]") {
    TempDir dir;
    writeTinyVit(dir.file("v"));
    auto model = ImageModel::load(dir.file("v"));
    REQUIRE(model.hasValue());
    const auto picture = testPicture(40, 30, 3);
    auto plain = (*model)->analyse(picture);
    REQUIRE(plain.hasValue());
    ImageRunOptions options;
    options.attentionMask.mode = AttentionMaskSpec::Mode::Block;
    options.attentionMask.blockedKeys = {1, 5};
    options.ablate = {{0, 1}};
    auto a = (*model)->analyse(picture, options);
    REQUIRE(a.hasValue());
    const auto& att = a->attention;
    for (int l = 0; l < att.layers; ++l)
        for (int h = 0; h < att.heads; ++h)
            for (int i = 0; i < att.queries; ++i) {
                double sum = 0;
                for (int j = 0; j < att.keys; ++j) sum += att.at(l, h, i, j);
                REQUIRE(att.at(l, h, i, 1) == 0.f);
                REQUIRE(att.at(l, h, i, 5) == 0.f);
                REQUIRE(sum == Approx(l == 0 && h == 1 ? 0.0 : 1.0).margin(1e-5));
            }
    CHECK(a->top[0].probability != Approx(plain->top[0].probability).margin(1e-7));
}

TEST_CASE("The command-line spellings of masks and ablations parse, and bad ones are refused", "[core][mask]") {
    CHECK(parseAttentionMaskArgument("none")->mode == AttentionMaskSpec::Mode::None);
    CHECK(parseAttentionMaskArgument("causal")->mode == AttentionMaskSpec::Mode::Causal);
    auto block = parseAttentionMaskArgument("block:1,3,12");
    REQUIRE(block.hasValue());
    CHECK(block->blockedKeys == std::vector<int>{1, 3, 12});
    CHECK_FALSE(parseAttentionMaskArgument("block:").hasValue());
    CHECK_FALSE(parseAttentionMaskArgument("block:1,x").hasValue());
    CHECK(parseAttentionMaskArgument("/no/such/mask.json").errorKind() == ErrorKind::Io);

    TempDir dir;
    writeText(dir.file("all.json"), "[[1,0],[1,1]]");
    auto all = parseAttentionMaskArgument(dir.file("all.json"));
    REQUIRE(all.hasValue());
    REQUIRE(all->custom.size() == 1);
    CHECK(all->custom[0].layer == -1);
    CHECK(all->custom[0].allowed == std::vector<std::uint8_t>{1, 0, 1, 1});
    writeText(dir.file("keyed.json"), R"({"1:2": [[0,1],[1,1]], "all": [[1,1],[1,1]], "0": [[1,0],[0,1]]})");
    auto keyed = parseAttentionMaskArgument(dir.file("keyed.json"));
    REQUIRE(keyed.hasValue());
    REQUIRE(keyed->custom.size() == 3);  // "all" first, then the layer, then the head
    CHECK(keyed->custom[0].layer == -1);
    CHECK(keyed->custom[1].layer == 0);
    CHECK(keyed->custom[1].head == -1);
    CHECK(keyed->custom[2].layer == 1);
    CHECK(keyed->custom[2].head == 2);
    for (const char* bad : {"[[1,0],[1]]", "[[1,2],[1,1]]", "[]", "{\"x:y\": [[1]]}", "{ not json"}) {
        writeText(dir.file("bad.json"), bad);
        INFO(bad);
        CHECK(parseAttentionMaskArgument(dir.file("bad.json")).errorKind() == ErrorKind::InvalidInput);
    }

    auto ablate = parseAblateArgument("0:3,2:*");
    REQUIRE(ablate.hasValue());
    REQUIRE(ablate->size() == 2);
    CHECK((*ablate)[0].layer == 0);
    CHECK((*ablate)[0].head == 3);
    CHECK((*ablate)[1].head == -1);
    for (const char* bad : {"", "3", "1:x", "-1:2", "1:2,"}) CHECK_FALSE(parseAblateArgument(bad).hasValue());
}
