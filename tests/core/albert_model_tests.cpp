// ALBERT on BERT's graph: generated tiny checkpoints in Hugging Face's ALBERT layout (albert.*,
// encoder.albert_layer_groups.G.albert_layers.0.*, predictions.*; narrower embeddings mapped to the
// hidden size; layers sharing their group's weights) with a SentencePiece Unigram tokenizer.json,
// against the plain reference (which reads the group weights and the mapping itself).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "checkpoint/albert_layout.h"
#include "checkpoint/model_config.h"
#include "inference/text_model.h"
#include "reference_bert.h"
#include "reference_checks.h"
#include "temp_dir.h"

using namespace ascope;
using namespace ascope::test;

TEST_CASE("ALBERT's tensor names map onto BERT's", "[core][albert]") {
    CHECK(bertNameOfAlbert("albert.embeddings.word_embeddings.weight") == "bert.embeddings.word_embeddings.weight");
    CHECK(bertNameOfAlbert("albert.encoder.embedding_hidden_mapping_in.weight") ==
          "bert.embeddings.embedding_hidden_mapping_in.weight");
    const std::string layer = "albert.encoder.albert_layer_groups.1.albert_layers.0.";
    CHECK(bertNameOfAlbert(layer + "attention.query.bias") == "bert.encoder.layer.1.attention.self.query.bias");
    CHECK(bertNameOfAlbert(layer + "attention.dense.weight") == "bert.encoder.layer.1.attention.output.dense.weight");
    CHECK(bertNameOfAlbert(layer + "attention.LayerNorm.weight") == "bert.encoder.layer.1.attention.output.LayerNorm.weight");
    CHECK(bertNameOfAlbert(layer + "ffn.weight") == "bert.encoder.layer.1.intermediate.dense.weight");
    CHECK(bertNameOfAlbert(layer + "ffn_output.bias") == "bert.encoder.layer.1.output.dense.bias");
    CHECK(bertNameOfAlbert(layer + "full_layer_layer_norm.bias") == "bert.encoder.layer.1.output.LayerNorm.bias");
    CHECK(bertNameOfAlbert("albert.pooler.weight") == "bert.pooler.dense.weight");
    CHECK(bertNameOfAlbert("predictions.dense.weight") == "cls.predictions.transform.dense.weight");
    CHECK(bertNameOfAlbert("predictions.LayerNorm.bias") == "cls.predictions.transform.LayerNorm.bias");
    CHECK(bertNameOfAlbert("predictions.decoder.weight") == "cls.predictions.decoder.weight");
    CHECK(bertNameOfAlbert("predictions.bias") == "cls.predictions.bias");
    CHECK(bertNameOfAlbert("classifier.weight") == "classifier.weight");
    // AlbertModel (no prefix) and names it does not know.
    CHECK(bertNameOfAlbert("encoder.albert_layer_groups.0.albert_layers.0.ffn.bias") == "encoder.layer.0.intermediate.dense.bias");
    CHECK(bertNameOfAlbert("albert.encoder.albert_layer_groups.0.albert_layers.1.ffn.bias") ==
          "albert.encoder.albert_layer_groups.0.albert_layers.1.ffn.bias");
    CHECK(bertNameOfAlbert("something.else") == "something.else");
}

TEST_CASE("A tiny AlbertForMaskedLM with shared layers matches the plain reference", "[core][albert]") {
    TinyBertSpec spec;
    spec.family = "albert";
    spec.activation = "gelu_new";
    spec.layers = 4;
    SECTION("one group: every layer the same weights") { spec.groups = 1; }
    SECTION("two groups (layers 0-1 and 2-3), decoder tied to the word embeddings, float16") {
        spec.groups = 2;
        spec.tiedDecoder = true;
        spec.dtype = DType::F16;
        spec.seed = 31;
    }
    TempDir dir;
    const TinyBert tiny = writeTinyBert(dir.path().string(), spec);
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    const auto& tok = (*model)->tokenizer();
    REQUIRE(tok.kind() == "Unigram");
    REQUIRE(tok.maskToken() == "[MASK]");
    REQUIRE((*model)->config().embeddingWidth() == spec.embedding);
    // The positional view reads embedding-wide rows.
    REQUIRE((*model)->positionEmbeddings().size() == static_cast<std::size_t>(spec.maxPositions * spec.embedding));

    TextRunOptions options;
    options.topK = tiny.config.vocabSize;
    for (const char* sentence : {"I love to [MASK] in the park.", "J'aime [MASK] dans le parc."}) {
        auto result = (*model)->analyse(sentence, options);
        REQUIRE(result.hasValue());
        const auto& tokens = result->tokens;
        REQUIRE(tokens.front().text == "[CLS]");
        REQUIRE(tokens.back().text == "[SEP]");
        std::vector<int> masks;
        for (std::size_t i = 0; i < tokens.size(); ++i)
            if (tok.isMask(tokens[i])) masks.push_back(static_cast<int>(i));
        REQUIRE(masks.size() == 1);
        const auto ref = referenceBert(tiny, idsOf(tokens), masks);
        REQUIRE(result->attention.layers == 4);
        requireAttentionMatches(*result, ref);
        REQUIRE(result->predictions.size() == 1);
        for (const auto& c : result->predictions[0].top)
            REQUIRE(c.probability == Approx(ref.maskProbabilities[0][static_cast<std::size_t>(c.id)]).margin(1e-4));
    }
}

TEST_CASE("Tiny ALBERT sequence and token classifiers match the plain reference, pairs with token type 1",
          "[core][albert]") {
    TinyBertSpec spec;
    spec.family = "albert";
    spec.layers = 2;
    spec.groups = 2;
    spec.labels = {"O", "B-PER", "I-PER"};
    SECTION("sequence") { spec.task = "sequence"; }
    SECTION("tokens") { spec.task = "tokens"; }
    TempDir dir;
    const TinyBert tiny = writeTinyBert(dir.path().string(), spec);
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    auto result = (*model)->analysePair("I love the park.", "Ich liebe es.");
    REQUIRE(result.hasValue());
    std::vector<int> types;
    for (const auto& t : result->tokens) types.push_back(t.segment);
    REQUIRE(types.back() == 1);  // [CLS] A [SEP] B [SEP], B with type 1
    REQUIRE(result->tokens[static_cast<std::size_t>(std::find(types.begin(), types.end(), 1) - types.begin() - 1)].text == "[SEP]");
    const auto ref = referenceBert(tiny, idsOf(result->tokens), {}, {}, types);
    requireAttentionMatches(*result, ref);
    if (spec.task == "sequence") {
        REQUIRE(result->labels.size() == 3);
        std::vector<float> probs(ref.sequenceLogits.begin(), ref.sequenceLogits.end());
        referenceSoftmax(probs);
        for (const auto& l : result->labels) REQUIRE(l.score == Approx(probs[static_cast<std::size_t>(l.id)]).margin(1e-4));
    } else {
        REQUIRE(result->tokenLabels.size() == result->tokens.size());
        for (std::size_t i = 0; i < result->tokens.size(); ++i) {
            std::vector<float> probs = ref.tokenLogits[i];
            referenceSoftmax(probs);
            REQUIRE(result->tokenLabels[i].best.score == Approx(*std::max_element(probs.begin(), probs.end())).margin(1e-4));
        }
    }
}

TEST_CASE("ALBERT configs the graph cannot run are refused with the reason", "[core][albert][errors]") {
    const std::string base = R"({"model_type": "albert", "vocab_size": 30, "hidden_size": 16, "num_attention_heads": 4,
                                 "intermediate_size": 32, "embedding_size": 8)";
    auto c = ModelConfig::fromJsonText(base + R"(, "num_hidden_layers": 3, "num_hidden_groups": 2})", "config.json");
    REQUIRE_FALSE(c.hasValue());
    CHECK_THAT(c.error(), Catch::Contains("not a multiple of num_hidden_groups 2"));
    c = ModelConfig::fromJsonText(base + R"(, "num_hidden_layers": 4, "inner_group_num": 2})", "config.json");
    REQUIRE_FALSE(c.hasValue());
    CHECK(c.errorKind() == ErrorKind::Unsupported);
    CHECK_THAT(c.error(), Catch::Contains("inner_group_num 2"));
    c = ModelConfig::fromJsonText(base + R"(, "num_hidden_layers": 4})", "config.json");
    REQUIRE(c.hasValue());
    CHECK(c->hiddenAct == "gelu_new");  // ALBERT's default
    CHECK(c->numHiddenGroups == 1);

    // A checkpoint without its group's weights names what is missing.
    // A checkpoint with fewer layer groups than config.json says names the missing tensors.
    TinyBertSpec spec;
    spec.family = "albert";
    TempDir other;
    writeTinyBert(other.path().string(), spec);
    auto cfg = ModelConfig::fromFile((other.path() / "config.json").string());
    REQUIRE(cfg.hasValue());
    cfg->numHiddenGroups = 2;
    std::ofstream((other.path() / "config.json").string()) << cfg->toJsonText();
    auto missing = TextModel::load(other.path().string());
    REQUIRE_FALSE(missing.hasValue());
    CHECK_THAT(missing.error(), Catch::Contains("encoder.layer.1"));
}
