#pragma once
// A deliberately plain ViT forward (loops over std::vector, no LibTorch) for the tests.
#include <vector>

#include "reference_bert.h"
#include "tiny_vit_fixture.h"

namespace ascope::test {

struct ReferenceVitOutput {
    std::vector<std::vector<Matrix>> attention;  // [layer][head][query][key]
    std::vector<float> probabilities;            // softmax over the classes
};

// pixels: [3][size][size] already preprocessed.
ReferenceVitOutput referenceVit(const TinyVit& model, const std::vector<float>& pixels);

}  // namespace ascope::test
