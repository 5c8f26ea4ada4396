#pragma once
// Writes a tiny, seeded, random BERT checkpoint as a Hugging Face folder (config.json,
// vocab.txt, tokenizer_config.json, model.safetensors) and keeps its weights for the reference.
#include <map>
#include <random>
#include <string>
#include <vector>

#include "checkpoint/model_config.h"
#include "checkpoint/tensor_view.h"

namespace ascope::test {

struct TinyBertSpec {
    int hidden = 16;
    int layers = 2;
    int heads = 4;
    int intermediate = 32;
    int maxPositions = 24;
    std::string activation = "gelu";
    bool mlmHead = true;
    bool tiedDecoder = false;  // leave out cls.predictions.decoder.weight
    std::string prefix = "bert.";
    // "distilbert": the same graph written in DistilBERT's layout (config keys, tensor names, no
    // token-type embeddings; the prefix becomes "distilbert.").
    // "xlm-roberta": the same with model_type xlm-roberta and tinyUnigramTokenizerJson.
    // "roberta": RoBERTa's layout (roberta.*, lm_head.*, classifier.dense/out_proj), one token type,
    // position ids offset by pad_token_id + 1 (maxPositions + 2 rows), and a byte-level BPE
    // tokenizer.json (tinyRobertaTokenizerJson) instead of vocab.txt.
    // "albert": ALBERT's layout (albert.*, encoder.albert_layer_groups.G.albert_layers.0.*,
    // predictions.*), embeddings `embedding` wide mapped to `hidden` by embedding_hidden_mapping_in,
    // `groups` layer groups whose weights the layers share (layer i runs group i / (layers /
    // groups)), and tinyAlbertTokenizerJson.
    std::string family = "bert";
    int embedding = 8;  // ALBERT's embedding_size
    int groups = 1;     // ALBERT's num_hidden_groups
    // A task head instead of the MLM head: "sequence" (pooler + classifier, as
    // BertForSequenceClassification) or "tokens" (classifier on every token).
    std::string task;
    std::vector<std::string> labels = {"NEGATIVE", "POSITIVE"};  // id2label (empty: none written)
    int labelCount = 0;        // classifier rows; 0: labels.size()
    std::string problemType;   // config.json's problem_type
    DType dtype = DType::F32;  // F32, F16 or BF16 (values are exact in all three)
    unsigned seed = 7;
    int shards = 1;            // > 1 writes model.safetensors.index.json and shards
};

struct Weight {
    std::vector<std::int64_t> shape;
    std::vector<float> values;
};

struct TinyBert {
    std::string dir;
    ModelConfig config;
    std::vector<std::string> vocab;
    std::map<std::string, Weight> weights;  // Hugging Face names, without the "bert." prefix for the encoder
    const Weight& w(const std::string& name) const { return weights.at(name); }
};

// Seeded random weights whose values are exact in F32, F16 and BF16 (at most 8 significant bits):
// k / 256 with |k| <= 64, and 1 + k / 128 for gains (offset 1).
class ExactRandomWeights {
public:
    explicit ExactRandomWeights(unsigned seed) : m_rng(seed) {}
    Weight make(std::vector<std::int64_t> shape, float offset = 0.f);

private:
    std::mt19937 m_rng;
};

std::vector<std::string> tinyVocab();
// A byte-level BPE tokenizer.json as RoBERTa's: <s> <pad> </s> <unk> <mask> (ids 0-4, <mask> with
// lstrip), the 256 byte symbols, and merges that build a few whole words with and without 'Ġ'.
std::string tinyRobertaTokenizerJson(std::vector<std::string>* vocabOut = nullptr);
// A SentencePiece Unigram tokenizer.json as XLM-R's: <s> <pad> </s> <unk> (ids 0-3), 61 pieces with
// log probabilities (English, French and German words of the course's fill-mask slide), <mask> last
// (lstrip); a Precompiled normaliser whose charsmap (built here) maps fullwidth 'ｆ' and 'Ａ', '…',
// 'ﬁ', the no-break space, and 'e' + combining acute to what NFKC gives, then runs of spaces to one;
// Metaspace (prepend always, split); the template <s> A </s> / <s> A </s> </s> B </s>.
std::string tinyUnigramTokenizerJson(std::vector<std::string>* vocabOut = nullptr);
// tinyUnigramTokenizerJson with ALBERT's special tokens: [CLS] and [SEP] for <s> and </s>, [MASK]
// for <mask>, and the template [CLS] A [SEP] / [CLS] A [SEP] B [SEP] (B with type id 1).
std::string tinyAlbertTokenizerJson(std::vector<std::string>* vocabOut = nullptr);
TinyBert writeTinyBert(const std::string& dir, const TinyBertSpec& spec = {});

// Bits of float values that are exactly representable (as all fixture values are).
std::vector<std::uint8_t> encodeAs(DType dtype, const std::vector<float>& values);

}  // namespace ascope::test
