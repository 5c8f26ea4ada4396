#pragma once
// The fields of a Hugging Face config.json (and tokenizer_config.json / preprocessor_config.json)
// that Attention Scope uses, validated.
#include <map>
#include <string>
#include <vector>

#include "util/expected.h"

namespace ascope {

struct ModelConfig {
    std::string modelType;  // "bert", "vit", "deit", ...
    std::vector<std::string> architectures;
    int vocabSize = 0;
    int hiddenSize = 0;
    int numLayers = 0;
    int numHeads = 0;
    int intermediateSize = 0;
    std::string hiddenAct = "gelu";
    double layerNormEps = 1e-12;
    int maxPositionEmbeddings = 512;
    int typeVocabSize = 2;
    int padTokenId = 0;
    std::map<int, std::string> id2label;
    // The sequence classifier's pooler activation: BERT's tanh, DistilBERT's pre_classifier ReLU.
    std::string poolerActivation = "tanh";
    // Task heads: "single_label_classification", "multi_label_classification", "regression" or "".
    std::string problemType;
    // Vision models.
    int imageSize = 0;
    int patchSize = 0;
    int numChannels = 3;
    bool qkvBias = true;
    // ALBERT: factorised embeddings (embedding_size, mapped to hidden_size) and layers that share
    // the weights of num_hidden_groups groups of inner_group_num layers each.
    int embeddingSize = 0;  // 0: hiddenSize
    int numHiddenGroups = 1;
    int innerGroupNum = 1;

    int headDim() const { return numHeads > 0 ? hiddenSize / numHeads : 0; }
    bool isVision() const { return modelType == "vit" || modelType == "deit"; }
    // RoBERTa's graph is BERT's; its position ids start after the padding id (padTokenId + 1).
    bool isAlbert() const { return modelType == "albert"; }
    // The width of the token, position and type embeddings (ALBERT's embedding_size, else hidden).
    int embeddingWidth() const { return embeddingSize > 0 ? embeddingSize : hiddenSize; }
    bool isRobertaFamily() const { return modelType == "roberta" || modelType == "xlm-roberta" || modelType == "camembert"; }
    // BERT's graph under BERT's, DistilBERT's, ALBERT's or RoBERTa's names (checkpoint/distilbert_layout.h, roberta_layout.h).
    bool isBertFamily() const {
        return modelType.empty() || modelType == "bert" || modelType == "distilbert" || isAlbert() || isRobertaFamily();
    }
    // The position id of the first token: 0, or RoBERTa's padTokenId + 1.
    int positionOffset() const { return isRobertaFamily() ? padTokenId + 1 : 0; }
    // The longest input in tokens (including the start and end tokens).
    int maxTokens() const { return maxPositionEmbeddings - positionOffset(); }
    // True when an entry of `architectures` ends with `suffix` ("ForSequenceClassification").
    bool hasArchitecture(const std::string& suffix) const;
    // The name of label `id`: id2label's, or Hugging Face's default "LABEL_<id>".
    std::string labelName(int id) const;

    static Expected<ModelConfig> fromFile(const std::string& path);
    static Expected<ModelConfig> fromJsonText(const std::string& text, const std::string& sourceName);
    std::string toJsonText() const;  // a Hugging Face style config.json
};

struct TokenizerConfig {
    bool doLowerCase = true;
    // Hugging Face's strip_accents: unset follows do_lower_case.
    enum class StripAccents { Unset, Yes, No } stripAccents = StripAccents::Unset;
    bool tokenizeChineseChars = true;

    bool shouldStripAccents() const {
        return stripAccents == StripAccents::Unset ? doLowerCase : stripAccents == StripAccents::Yes;
    }
    // Missing file: defaults (uncased BERT). Present but broken: an error.
    static Expected<TokenizerConfig> fromFolder(const std::string& dir);
};

}  // namespace ascope
