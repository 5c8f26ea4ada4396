#pragma once
// A deliberately plain BERT: nested loops over std::vector, no LibTorch, written straight from
// the paper and Hugging Face's modeling_bert.py. The tests compare the core against it.
#include <functional>
#include <vector>

#include "tiny_bert_fixture.h"

namespace ascope::test {

using Matrix = std::vector<std::vector<float>>;  // [rows][cols]

struct ReferenceOutput {
    std::vector<std::vector<Matrix>> attention;  // [layer][head][query][key]
    Matrix lastHidden;                           // [token][hidden]
    Matrix maskProbabilities;                    // [mask][vocab], softmax of the MLM logits
    std::vector<float> sequenceLogits;           // the sequence classifier's logits (pooler + classifier)
    Matrix tokenLogits;                          // [token][label], the token classifier's logits
};

// The plain building blocks both references use.
// y[i][o] = sum_k x[i][k] * W[o][k] + b[o]   (W stored [out][in], as torch.nn.Linear)
Matrix referenceLinear(const Matrix& x, const Weight& w, const Weight& b);
void referenceLayerNorm(Matrix& x, const Weight& gain, const Weight& bias, double eps);
void referenceSoftmax(std::vector<float>& row);

// Controls inside attention, written the plain way: disallowed keys are left out of the softmax
// (a row with no allowed key spreads evenly over all keys), and a head's probabilities are
// multiplied by its scale after the softmax.
struct ReferenceControls {
    std::function<bool(int layer, int head, int query, int key)> allowed;  // unset: all allowed
    std::function<float(int layer, int head)> headScale;                   // unset: 1
};
// Softmax of `scores` over the keys `allowed` permits (see ReferenceControls).
void referenceMaskedSoftmax(std::vector<float>& scores, const std::function<bool(int key)>& allowed);

// typeIds: each token's token type (sentence A 0, B 1); empty: all 0.
ReferenceOutput referenceBert(const TinyBert& model, const std::vector<int>& ids, const std::vector<int>& maskPositions,
                              const ReferenceControls& controls = {}, const std::vector<int>& typeIds = {});

}  // namespace ascope::test
