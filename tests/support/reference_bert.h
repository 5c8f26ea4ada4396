#pragma once
// A deliberately plain BERT: nested loops over std::vector, no LibTorch, written straight from
// the paper and Hugging Face's modeling_bert.py. The tests compare the core against it.
#include <vector>

#include "tiny_bert_fixture.h"

namespace ascope::test {

using Matrix = std::vector<std::vector<float>>;  // [rows][cols]

struct ReferenceOutput {
    std::vector<std::vector<Matrix>> attention;  // [layer][head][query][key]
    Matrix lastHidden;                           // [token][hidden]
    Matrix maskProbabilities;                    // [mask][vocab], softmax of the MLM logits
};

ReferenceOutput referenceBert(const TinyBert& model, const std::vector<int>& ids, const std::vector<int>& maskPositions);

}  // namespace ascope::test
