#pragma once
// Internal (includes torch): what a TextModel holds, and the input checks its runs share.
#include "util/core_internal.h"

#include <mutex>

#include "inference/text_model.h"
#include "models/bert.h"

namespace ascope {

struct TextModel::Impl {
    std::string dir;
    ModelConfig config;
    std::unique_ptr<BertTokenizer> tokenizer;
    LoadedBert bert;
    mutable std::mutex mutex;  // one forward at a time

    // The ids of `tokens` plus `padding` [PAD] tokens appended to them, or why they cannot run.
    Expected<std::vector<int64_t>> inputIds(std::vector<Token>& tokens, const std::string& text, int padding) const;
    // Indices of the [MASK] tokens among the first `real` tokens.
    std::vector<int64_t> maskPositions(const std::vector<Token>& tokens, int real) const;
    // The top `k` of `probs` ([vocab]) as predictions.
    std::vector<TokenPrediction> topOf(const torch::Tensor& probs, int k) const;
};

}  // namespace ascope
