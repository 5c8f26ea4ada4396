// One head's arithmetic (the trace), predictions layer by layer (the logit lens) and head
// importance, each against an independent computation: the plain reference BERT, or separate
// unbatched forwards.
#include <catch2/catch.hpp>
#include <cmath>

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
    explicit Fixture(TinyBertSpec spec = {}) : tiny(writeTinyBert(dir.file("m"), spec)) {}
    TempDir dir;
    TinyBert tiny;
    std::unique_ptr<TextModel> model = std::move(TextModel::load(tiny.dir).value());
};

TinyBertSpec threeLayers() {
    TinyBertSpec spec;
    spec.layers = 3;
    return spec;
}

}  // namespace

TEST_CASE("The step-by-step numbers of a head are the model's own: softmax row and weighted sum", "[core][trace]") {
    TinyBertSpec spec;
    std::string sentence = kSentence;
    SECTION("a short sentence") {}
    SECTION("259 tokens, which the layers run as 260 rows (one of padding) that must not show") {
        spec.maxPositions = 512;
        sentence.clear();
        for (int i = 0; i < 257; ++i) sentence += i == 100 ? "[MASK] " : (i % 3 ? "cat " : "sat ");
    }
    Fixture f(spec);
    TextRunOptions options;
    options.traceAttention = true;
    options.keepHiddenStates = true;
    options.attentionMask.mode = AttentionMaskSpec::Mode::Causal;
    auto a = f.model->analyse(sentence, options);
    REQUIRE(a.hasValue());
    const auto& t = a->trace;
    REQUIRE(t.layers == 2);
    REQUIRE(t.tokens == static_cast<int>(a->tokens.size()));
    REQUIRE(t.heads == 4);
    const int d = t.headDim();
    for (int l = 0; l < t.layers; ++l)
        for (int h = 0; h < t.heads; ++h)
            for (int i = 0; i < t.tokens; ++i) {
                // softmax((q . k) / sqrt(d) + mask) over the keys, computed here in double.
                std::vector<double> scores(static_cast<std::size_t>(t.tokens));
                double top = -1e300;
                for (int j = 0; j < t.tokens; ++j) {
                    double s = 0;
                    for (int x = 0; x < d; ++x) s += double(t.q(l, i, h)[x]) * t.k(l, j, h)[x];
                    scores[static_cast<std::size_t>(j)] = j <= i ? s / std::sqrt(double(d)) : -1e300;
                    top = std::max(top, scores[static_cast<std::size_t>(j)]);
                }
                double sum = 0;
                for (auto& s : scores) sum += (s = s < -1e299 ? 0.0 : std::exp(s - top));
                std::vector<double> out(static_cast<std::size_t>(d), 0.0);
                for (int j = 0; j < t.tokens; ++j) {
                    const double p = scores[static_cast<std::size_t>(j)] / sum;
                    REQUIRE(a->attention.at(l, h, i, j) == Approx(p).margin(1e-5));
                    for (int x = 0; x < d; ++x) out[static_cast<std::size_t>(x)] += p * t.v(l, j, h)[x];
                }
                for (int x = 0; x < d; ++x) REQUIRE(t.out(l, i, h)[x] == Approx(out[static_cast<std::size_t>(x)]).margin(1e-4));
            }
    // The query and key are the layer's projections of its input, unscaled: x W^T + b.
    const auto& hs = a->hiddenStates;
    for (int l = 0; l < t.layers; ++l) {
        Matrix x(static_cast<std::size_t>(hs.tokens));
        for (int i = 0; i < hs.tokens; ++i)
            x[static_cast<std::size_t>(i)].assign(hs.values.begin() + (static_cast<std::ptrdiff_t>(l) * hs.tokens + i) * hs.hidden,
                                                  hs.values.begin() + (static_cast<std::ptrdiff_t>(l) * hs.tokens + i + 1) * hs.hidden);
        const std::string p = "encoder.layer." + std::to_string(l) + ".attention.self.";
        const auto q = referenceLinear(x, f.tiny.w(p + "query.weight"), f.tiny.w(p + "query.bias"));
        const auto k = referenceLinear(x, f.tiny.w(p + "key.weight"), f.tiny.w(p + "key.bias"));
        for (int i = 0; i < t.tokens; ++i)
            for (int c = 0; c < t.hidden; ++c) {
                REQUIRE(t.query[t.index(l, i, 0, c)] == Approx(q[static_cast<std::size_t>(i)][static_cast<std::size_t>(c)]).margin(1e-4));
                REQUIRE(t.key[t.index(l, i, 0, c)] == Approx(k[static_cast<std::size_t>(i)][static_cast<std::size_t>(c)]).margin(1e-4));
            }
    }
}

TEST_CASE("Predictions layer by layer equal the prediction at the last layer and a shallower reference before it",
          "[core][lens]") {
    Fixture f(threeLayers());
    TextRunOptions options;
    options.topK = 4;
    options.predictByLayer = true;
    auto a = f.model->analyse(kSentence, options);
    REQUIRE(a.hasValue());
    REQUIRE(a->layerPredictions.size() == 1);
    const auto& lens = a->layerPredictions[0];
    REQUIRE(lens.layers.size() == 4);  // embeddings + 3 layers
    const auto& last = lens.layers.back();
    REQUIRE(last.top.size() == a->predictions[0].top.size());
    for (std::size_t k = 0; k < last.top.size(); ++k) {
        CHECK(last.top[k].id == a->predictions[0].top[k].id);
        CHECK(last.top[k].probability == a->predictions[0].top[k].probability);
    }
    CHECK(last.finalRank == 0);
    CHECK(lens.finalToken.id == a->predictions[0].top[0].id);
    // After layer l: the MLM head on the output of a model cut after l + 1 layers.
    for (int l = 1; l < 3; ++l) {
        TinyBert shallow = f.tiny;
        shallow.config.numLayers = l;
        const auto ref = referenceBert(shallow, idsOf(*a), {lens.position});
        const auto& probs = ref.maskProbabilities[0];
        const auto& at = lens.layers[static_cast<std::size_t>(l)];
        for (const auto& p : at.top) CHECK(p.probability == Approx(probs[static_cast<std::size_t>(p.id)]).margin(1e-4));
        int rank = 0;
        for (float p : probs) rank += p > probs[static_cast<std::size_t>(lens.finalToken.id)] ? 1 : 0;
        CHECK(at.finalRank == rank);
        CHECK(at.finalProbability == Approx(probs[static_cast<std::size_t>(lens.finalToken.id)]).margin(1e-4));
    }
}

TEST_CASE("Head importance batched layer by layer equals one separate ablated forward per head", "[core][importance]") {
    Fixture f(threeLayers());
    const auto tokens = f.model->tokenizer().encode("the [MASK] sat on the [MASK] .");
    TextRunOptions options;
    options.attentionMask.mode = AttentionMaskSpec::Mode::Causal;
    options.ablate = {{1, 2}};
    int calls = 0, lastDone = 0, lastTotal = 0;
    auto importance = f.model->headImportance(tokens, options, [&](int done, int total) {
        ++calls;
        CHECK(done > lastDone);
        lastDone = done;
        lastTotal = total;
        return true;
    });
    REQUIRE(importance.hasValue());
    CHECK(lastDone == lastTotal);
    CHECK(calls == lastTotal);
    REQUIRE(importance->masks.size() == 2);
    CHECK(importance->alreadyOff[1 * 4 + 2] == 1);
    const int vocab = f.tiny.config.vocabSize;
    auto probabilityOf = [&](const TextAnalysis& a, std::size_t mask, int id) {
        for (const auto& p : a.predictions[mask].top)
            if (p.id == id) return p.probability;
        FAIL("token not among the predictions");
        return 0.f;
    };
    TextRunOptions all = options;
    all.topK = vocab;
    auto base = f.model->analyseTokens("", tokens, all);
    REQUIRE(base.hasValue());
    for (std::size_t m = 0; m < 2; ++m) {
        const auto& mask = importance->masks[m];
        CHECK(mask.answer.id == base->predictions[m].top[0].id);
        CHECK(mask.answer.probability == Approx(base->predictions[m].top[0].probability).margin(1e-6));
    }
    bool anyDrop = false;
    for (int l = 0; l < 3; ++l)
        for (int h = 0; h < 4; ++h) {
            TextRunOptions one = all;
            one.ablate.push_back({l, h});
            auto ablated = f.model->analyseTokens("", tokens, one);
            REQUIRE(ablated.hasValue());
            for (std::size_t m = 0; m < 2; ++m) {
                const auto& mask = importance->masks[m];
                const float expected = probabilityOf(*ablated, m, mask.answer.id);
                REQUIRE(mask.probability[static_cast<std::size_t>(l) * 4 + h] == Approx(expected).margin(1e-5));
                anyDrop = anyDrop || std::abs(mask.drop(l, h, 4)) > 1e-4;
            }
        }
    CHECK(anyDrop);
    CHECK(importance->masks[0].drop(1, 2, 4) == 0.f);  // already off: nothing more to switch off
}

TEST_CASE("Head importance refuses a text without [MASK] and stops when cancelled", "[core][importance]") {
    Fixture f;
    auto none = f.model->headImportance(f.model->tokenizer().encode("the cat sat ."), {});
    REQUIRE_FALSE(none.hasValue());
    CHECK(none.errorKind() == ErrorKind::InvalidInput);
    CHECK_THAT(none.error(), Catch::Contains("[MASK]"));
    auto cancelled = f.model->headImportance(f.model->tokenizer().encode(kSentence), {}, [](int done, int) { return done < 3; });
    REQUIRE_FALSE(cancelled.hasValue());
    CHECK(cancelled.errorKind() == ErrorKind::Cancelled);
}

TEST_CASE("ViT head importance for the top class equals one separate ablated forward per head, also for DeiT",
          "[core][importance][vit]") {
    for (bool deit : {false, true}) {
        TempDir dir;
        TinyVitSpec spec;
        spec.layers = 3;
        spec.deit = deit;
        writeTinyVit(dir.file("v"), spec);
        auto model = ImageModel::load(dir.file("v"));
        REQUIRE(model.hasValue());
        const auto picture = testPicture(20, 18, 5);
        ImageRunOptions options;
        options.topK = spec.classes;
        options.attentionMask.mode = AttentionMaskSpec::Mode::Block;
        options.attentionMask.blockedKeys = {3};
        auto importance = (*model)->headImportance(picture, options);
        REQUIRE(importance.hasValue());
        REQUIRE(importance->masks.size() == 1);
        const auto& top = importance->masks[0];
        auto base = (*model)->analyse(picture, options);
        REQUIRE(base.hasValue());
        CHECK(top.answer.id == base->top[0].id);
        CHECK(top.answer.probability == Approx(base->top[0].probability).margin(1e-6));
        for (int l = 0; l < spec.layers; ++l)
            for (int h = 0; h < spec.heads; ++h) {
                ImageRunOptions one = options;
                one.ablate = {{l, h}};
                auto ablated = (*model)->analyse(picture, one);
                REQUIRE(ablated.hasValue());
                float expected = -1.f;
                for (const auto& c : ablated->top)
                    if (c.id == top.answer.id) expected = c.probability;
                REQUIRE(top.probability[static_cast<std::size_t>(l) * spec.heads + h] == Approx(expected).margin(1e-5));
            }
    }
}
