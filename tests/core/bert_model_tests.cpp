#include <catch2/catch.hpp>
#include <map>

#include "inference/text_model.h"
#include "reference_bert.h"
#include "temp_dir.h"
#include "util/large_block_allocator.h"

using namespace ascope;
using namespace ascope::test;

namespace {
const char* kTwoMasks = "the cat sat on the [MASK] . a dog ran in the [MASK] ,";

void compareWithReference(const TinyBertSpec& spec, const std::string& sentence = kTwoMasks, std::size_t maskCount = 2) {
    TempDir dir;
    const TinyBert tiny = writeTinyBert(dir.path().string(), spec);
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    TextRunOptions options;
    options.topK = tiny.config.vocabSize;
    // With the hidden states kept every row of the last layer is computed; without them (as the app
    // runs) only the rows the head reads are, and everything shown must be the same.
    for (const bool keepHidden : {true, false}) {
        INFO("hidden states kept " << keepHidden);
        options.keepHiddenStates = keepHidden;
        auto result = (*model)->analyse(sentence, options);
        REQUIRE(result.hasValue());

        std::vector<int> ids, masks;
        for (std::size_t i = 0; i < result->tokens.size(); ++i) {
            ids.push_back(result->tokens[i].id);
            if (result->tokens[i].text == "[MASK]") masks.push_back(static_cast<int>(i));
        }
        REQUIRE(masks.size() == maskCount);
        const auto ref = referenceBert(tiny, ids, masks);
        const auto& att = result->attention;
        REQUIRE(att.layers == spec.layers);
        REQUIRE(att.heads == spec.heads);
        REQUIRE(att.queries == static_cast<int>(ids.size()));
        for (int l = 0; l < att.layers; ++l)
            for (int h = 0; h < att.heads; ++h)
                for (int i = 0; i < att.queries; ++i)
                    for (int j = 0; j < att.keys; ++j) REQUIRE(att.at(l, h, i, j) == Approx(ref.attention[l][h][i][j]).margin(1e-4));

        const auto& hs = result->hiddenStates;
        REQUIRE(hs.values.empty() != keepHidden);
        if (keepHidden) {
            REQUIRE(hs.layers == spec.layers);
            const std::size_t last = static_cast<std::size_t>(spec.layers) * hs.tokens * hs.hidden;
            for (int t = 0; t < hs.tokens; ++t)
                for (int d = 0; d < hs.hidden; ++d)
                    REQUIRE(hs.values[last + static_cast<std::size_t>(t) * hs.hidden + d] == Approx(ref.lastHidden[t][d]).margin(1e-4));
        }

        if (!spec.mlmHead) {
            REQUIRE(result->predictions.empty());
            continue;
        }
        REQUIRE(result->predictions.size() == masks.size());
        for (std::size_t m = 0; m < masks.size(); ++m) {
            const auto& p = result->predictions[m];
            REQUIRE(p.position == masks[m]);
            REQUIRE(static_cast<int>(p.top.size()) == tiny.config.vocabSize);
            for (std::size_t k = 1; k < p.top.size(); ++k) REQUIRE(p.top[k - 1].probability >= p.top[k].probability);
            for (const auto& c : p.top) REQUIRE(c.probability == Approx(ref.maskProbabilities[m][c.id]).margin(1e-4));
        }
    }
}
}  // namespace

TEST_CASE("A tiny random BERT matches the plain reference in every attention matrix and MLM probability",
          "[core][bert]") {
    TinyBertSpec spec;
    SECTION("float32, erf gelu, BertForMaskedLM names") {}
    SECTION("float16 weights with gelu_new") {
        spec.dtype = DType::F16;
        spec.activation = "gelu_new";
        spec.seed = 11;
    }
    SECTION("bfloat16 weights with relu, three layers, two heads") {
        spec.dtype = DType::BF16;
        spec.activation = "relu";
        spec.layers = 3;
        spec.heads = 2;
        spec.seed = 12;
    }
    SECTION("decoder tied to the word embeddings") {
        spec.tiedDecoder = true;
        spec.seed = 13;
    }
    SECTION("bare BertModel without prefix or head") {
        spec.mlmHead = false;
        spec.prefix = "";
        spec.seed = 14;
    }
    SECTION("sharded checkpoint with an index") {
        spec.shards = 3;
        spec.seed = 15;
    }
    SECTION("DistilBertForMaskedLM: DistilBERT's config keys and tensor names, no token types") {
        spec.family = "distilbert";
        spec.seed = 17;
    }
    SECTION("DistilBERT with a tied projector, float16") {
        spec.family = "distilbert";
        spec.tiedDecoder = true;
        spec.dtype = DType::F16;
        spec.seed = 18;
    }
    INFO("dtype " << dtypeName(spec.dtype) << ", act " << spec.activation << ", layers " << spec.layers << ", seed " << spec.seed);
    compareWithReference(spec);
}

TEST_CASE("At the longest lengths a run writing into the previous result's memory matches the plain reference",
          "[core][bert][long]") {
    // 512 positions: every layer's attention (2 layers x 4 heads x 512 x 512) is large enough to reuse
    // the memory a dropped result leaves behind, so stale values would show against the reference.
    TinyBertSpec spec;
    spec.maxPositions = 512;
    spec.seed = 21;
    auto words = [](int count, int shift) {
        static const char* pool[] = {"the", "cat", "sat", "on", "mat", "dog", "ran", "big", "red", "tree", "sky", "."};
        std::string s;
        for (int i = 0; i < count; ++i) s += (i == count / 3 ? std::string("[MASK]") : pool[(i * 7 + shift) % 12]) + " ";
        return s;
    };
    int length = 512;
    SECTION("512 tokens, the most this model takes") {}
    SECTION("511 tokens, an odd length") { length = 511; }
    SECTION("301 tokens, which the layers run as 304 rows (three of padding)") { length = 301; }
    {
        TempDir dir;
        auto model = TextModel::load(writeTinyBert(dir.path().string(), spec).dir);
        REQUIRE(model);
        auto earlier = (*model)->analyse(words(length - 2, 5));  // another text of the same length, then dropped
        REQUIRE(earlier);
        REQUIRE(earlier->tokens.size() == static_cast<std::size_t>(length));
    }
    REQUIRE(large_blocks::holdsSpare());  // the dropped result's memory waits for the next run
    compareWithReference(spec, words(length - 2, 0), 1);
}

TEST_CASE("A tiny BERT with silu and a single [MASK] (one decoder row) matches the plain reference", "[core][bert]") {
    TinyBertSpec spec;
    spec.activation = "silu";
    spec.seed = 16;
    compareWithReference(spec, "a dog ran in the [MASK] , the cat sat .", 1);
}

TEST_CASE("A tiny BERT with many [MASK]s (the decoder read once for up to eight) matches the plain reference",
          "[core][bert]") {
    // Four and eight masks are the matrix-vector kernel's two steps (4 and 2 rows at a time with AVX-512,
    // 2 and 1 with AVX2); six lies between them; nine go through oneDNN's product.
    const char* sentences[] = {"[MASK] cat sat [MASK] the mat . [MASK] dog ran in [MASK] park ,",
                               "[MASK] cat [MASK] on the [MASK] . a [MASK] ran [MASK] the [MASK] ,",
                               "[MASK] [MASK] sat on [MASK] [MASK] . [MASK] dog [MASK] in [MASK] [MASK] ,",
                               "[MASK] [MASK] [MASK] on [MASK] [MASK] . [MASK] dog [MASK] in [MASK] [MASK] ,"};
    const std::size_t counts[] = {4, 6, 8, 9};
    TinyBertSpec spec;
    spec.seed = 24;
    for (int i = 0; i < 4; ++i) {
        INFO(counts[i] << " masks");
        compareWithReference(spec, sentences[i], counts[i]);
    }
}

TEST_CASE("Text longer than max_position_embeddings is refused with a clear message", "[core][bert]") {
    TempDir dir;
    TinyBertSpec spec;
    spec.maxPositions = 8;
    const auto tiny = writeTinyBert(dir.path().string(), spec);
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    REQUIRE((*model)->analyse("the cat sat").hasValue());
    auto r = (*model)->analyse("the cat sat on the mat and the dog ran");
    REQUIRE_FALSE(r.hasValue());
    CHECK_THAT(r.error(), Catch::Contains("at most 8"));
}

TEST_CASE("A run can be cancelled between layers", "[core][bert]") {
    TempDir dir;
    const auto tiny = writeTinyBert(dir.path().string());
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    int seen = 0;
    TextRunOptions options;
    options.onLayer = [&](int layer, int layers) {
        ++seen;
        CHECK(layers == 2);
        return layer < 0;  // cancel after the first layer
    };
    auto r = (*model)->analyse("the cat", options);
    REQUIRE_FALSE(r.hasValue());
    CHECK(r.errorKind() == ErrorKind::Cancelled);
    CHECK(seen == 1);
}

TEST_CASE("Position embeddings are exposed as loaded", "[core][bert]") {
    TempDir dir;
    const auto tiny = writeTinyBert(dir.path().string());
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    CHECK((*model)->positionEmbeddings() == tiny.w("embeddings.position_embeddings.weight").values);
}

TEST_CASE("A sentence pair runs as [CLS] A [SEP] B [SEP] with token types 0 and 1, as the plain reference",
          "[core][bert][pair]") {
    TempDir dir;
    TinyBertSpec spec;
    spec.seed = 19;
    const auto tiny = writeTinyBert(dir.path().string(), spec);
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    auto r = (*model)->analysePair("the cat sat on the [MASK] .", "a dog ran in the sun");
    REQUIRE(r.hasValue());
    CHECK(r->text == "the cat sat on the [MASK] .\na dog ran in the sun");
    std::vector<int> ids, types, masks;
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < r->tokens.size(); ++i) {
        const auto& t = r->tokens[i];
        ids.push_back(t.id);
        types.push_back(t.segment);
        texts.push_back(t.text);
        if (t.text == "[MASK]") masks.push_back(static_cast<int>(i));
        if (!t.special) CHECK(r->text.substr(t.byteBegin, t.byteEnd - t.byteBegin) == t.text);  // spans index the pair's text
    }
    REQUIRE(texts.size() == 16);
    CHECK(texts[8] == "[SEP]");
    CHECK(texts[15] == "[SEP]");
    CHECK(types == std::vector<int>{0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1});
    const auto ref = referenceBert(tiny, ids, masks, {}, types);
    for (int l = 0; l < r->attention.layers; ++l)
        for (int h = 0; h < r->attention.heads; ++h)
            for (int i = 0; i < r->attention.queries; ++i)
                for (int j = 0; j < r->attention.keys; ++j)
                    REQUIRE(r->attention.at(l, h, i, j) == Approx(ref.attention[l][h][i][j]).margin(1e-4));
    REQUIRE(r->predictions.size() == 1);
    for (const auto& c : r->predictions[0].top) CHECK(c.probability == Approx(ref.maskProbabilities[0][c.id]).margin(1e-4));
    // Sentence B's token type matters: the same ids as one segment give other attention.
    const auto single = referenceBert(tiny, ids, masks);
    CHECK(std::abs(single.attention[0][0][1][1] - ref.attention[0][0][1][1]) > 1e-6);
    // An empty B is one sentence.
    auto alone = (*model)->analysePair("the cat sat", "");
    REQUIRE(alone.hasValue());
    CHECK(alone->tokens.size() == 5);
}
