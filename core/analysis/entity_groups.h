#pragma once
// Named-entity spans from a token classifier's per-token labels, grouped as Hugging Face's
// token-classification pipeline does with aggregation_strategy="simple": special tokens are
// skipped, each token takes its best label, consecutive tokens join a group while their entity
// type (the label without its "B-"/"I-" prefix) stays the same and the token is not a "B-", the
// group's score is the mean of its tokens' scores, and groups labelled "O" are dropped.
#include <cstddef>
#include <string>
#include <vector>

#include "inference/text_analysis.h"

namespace ascope {

struct EntitySpan {
    std::string label;            // the entity type: "PER" for B-PER/I-PER tags
    std::string text;             // the original text from the first token's start to the last one's end,
                                  // without the spaces at its ends (SentencePiece spans begin at a word's space)
    std::size_t byteBegin = 0, byteEnd = 0;  // in the UTF-8 text
    float score = 0.f;            // mean of the tokens' best-label scores
    int firstToken = 0, lastToken = 0;  // indices into the analysis' tokens, inclusive
};

// "PER" for "B-PER", "I-PER" and "PER"; `isBegin` tells a "B-" tag.
std::string entityType(const std::string& label, bool* isBegin = nullptr);

// Tokens that carry a label of their own: not the [CLS]/[SEP]/[PAD] the tokenizer added (they have no span).
bool isLabelledToken(const Token& token);

std::vector<EntitySpan> groupEntities(const std::string& text, const std::vector<Token>& tokens,
                                      const std::vector<TokenLabel>& labels);

// The number of Unicode code points in text[0, byteOffset): Python's string offsets, which
// Hugging Face's pipelines report.
std::size_t codePointOffset(const std::string& text, std::size_t byteOffset);

}  // namespace ascope
