#pragma once
// What each head does, in numbers (Clark et al. 2019, "What does BERT look at?"): the entropy of
// its attention, the mean distance it looks over, and the share of its attention that goes to
// [CLS], to [SEP], to the token itself, to the previous and the next token, and to punctuation.
// Every figure is the mean over the query rows of the head's [queries][keys] matrix.
#include <string>
#include <vector>

#include "inference/text_analysis.h"

namespace ascope {

// What a token is, for the shares: tokens are recognised by their text (BERT's [CLS]/[SEP] and
// RoBERTa's <s>/</s>; punctuation: every character an ASCII punctuation mark or a common
// Unicode one).
struct TokenRoles {
    std::vector<bool> cls, sep, punctuation;
};
TokenRoles tokenRolesOf(const std::vector<Token>& tokens);

struct HeadStatistics {
    int layer = 0, head = 0;
    double entropy = 0;       // nats; ln(keys) for uniform attention, 0 for attention on one token
    double meanDistance = 0;  // sum_j p_ij |i - j|, in tokens
    double cls = 0, sep = 0, self = 0, previous = 0, next = 0, punctuation = 0;  // shares, 0..1
};

// One entry per layer and head, layer-major. `roles` must have one entry per key.
std::vector<HeadStatistics> headStatistics(const AttentionStack& attention, const TokenRoles& roles);

}  // namespace ascope
