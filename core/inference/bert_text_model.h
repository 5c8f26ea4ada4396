#pragma once
// Internal (includes torch): the engine's TextModel, a BERT on LibTorch and oneDNN, and the input
// checks its runs share.
#include "util/core_internal.h"

#include <mutex>

#include "inference/text_model.h"
#include "models/bert.h"

namespace ascope {

struct ImportanceRun;

class BertTextModel final : public TextModel {
public:
    BertTextModel(std::string dir, ModelConfig config, std::unique_ptr<TextTokenizer> tokenizer, LoadedBert bert);

    Expected<TextAnalysis> analyseTokens(std::string text, std::vector<Token> tokens,
                                         const TextRunOptions& options) const override;
    Expected<HeadImportance> headImportance(std::vector<Token> tokens, const TextRunOptions& options,
                                            const std::function<bool(int, int)>& onProgress) const override;
    const ModelConfig& config() const override { return m_config; }
    const TextTokenizer& tokenizer() const override { return *m_tokenizer; }
    const std::string& directory() const override { return m_dir; }
    bool hasMlmHead() const override { return static_cast<bool>(m_bert.head); }
    TextTask task() const override;
    std::vector<float> positionEmbeddings() const override;

private:
    // A prediction of vocabulary entry `id` with its readable label.
    TokenPrediction predictionOf(int id, float probability) const;
    // The ids of `tokens` plus `padding` [PAD] tokens appended to them, or why they cannot run.
    Expected<std::vector<int64_t>> inputIds(std::vector<Token>& tokens, const std::string& text, int padding) const;
    // The token type ids of `tokens` ([1, n]), or an undefined tensor when all are 0 or the model has
    // no token types (DistilBERT) or only one.
    torch::Tensor tokenTypes(const std::vector<Token>& tokens) const;
    // Indices of the [MASK] tokens among the first `real` tokens.
    std::vector<int64_t> maskIndices(const std::vector<Token>& tokens, int real) const;
    // The top `k` of `probs` ([vocab]) as predictions.
    std::vector<TokenPrediction> topOf(const torch::Tensor& probs, int k) const;
    // headImportance's sweeps once the full forward has run (head_importance.cpp): for the [MASK]
    // predictions at maskPositions, or for a sequence or token classifier's labels (tokens padded
    // already, the first `real` of them the text's). Called under m_mutex.
    Expected<HeadImportance> maskedLmHeadImportance(const std::vector<int64_t>& maskPositions, const ImportanceRun& run) const;
    Expected<HeadImportance> classifierHeadImportance(const std::vector<Token>& tokens, int real, const ImportanceRun& run) const;
    // The rows of the last layer's output the task head reads (BertModelImpl::forward's outputRows):
    // the [MASK]s, the first token, none (a bare encoder) or, undefined, all of them.
    torch::Tensor rowsRead(const std::vector<int64_t>& maskPositions) const;
    // The classifier head's labels for the first `real` rows of lastHidden ([seq, hidden]; a
    // sequence classifier reads its first row alone).
    void classify(const torch::Tensor& lastHidden, int real, TextAnalysis& result) const;

    std::string m_dir;
    ModelConfig m_config;
    std::unique_ptr<TextTokenizer> m_tokenizer;
    mutable LoadedBert m_bert;   // the modules' forward is not const; m_mutex serialises it
    mutable std::mutex m_mutex;  // one forward at a time
};

// The engine's loader behind TextModel::load (the folder's config and tokenizer checked already).
Expected<std::unique_ptr<TextModel>> loadBertTextModel(const std::string& dir, const ModelConfig& config,
                                                       std::unique_ptr<TextTokenizer> tokenizer);

}  // namespace ascope
