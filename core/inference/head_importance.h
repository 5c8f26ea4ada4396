#pragma once
// Head importance: for each [MASK], how much the probability of the model's answer drops when
// one head alone is switched off (head_mask 0), on top of whatever mask and ablation the run
// already has. A sentence classifier's answer is its top label; a token classifier's, the tag of
// each token tagged as part of an entity (not "O"). Plain C++ data, no torch types.
#include <cstddef>
#include <vector>

#include "inference/text_analysis.h"

namespace ascope {

struct HeadImportance {
    // What the answers are: [MASK] predictions, the sentence's label, or tokens' entity tags.
    enum class Target { Masks, Sentence, Tokens };
    Target target = Target::Masks;
    struct Mask {
        int position = 0;                 // index into the tokens (0, the first token, for a sentence label)
        TokenPrediction answer;           // the top-1 token with every tested head on
        std::vector<float> probability;   // [layers][heads]: the answer's probability with that head off
        float drop(int layer, int head, int headsPerLayer) const {
            return answer.probability - probability[static_cast<std::size_t>(layer) * headsPerLayer + head];
        }
    };
    int layers = 0, heads = 0;
    std::vector<Mask> masks;               // one per [MASK], in order
    std::vector<unsigned char> alreadyOff;  // [layers][heads]: 1 where the run had the head off already (drop 0)
    int forwards = 0;                      // batched layer passes run (for the benchmark)
};

}  // namespace ascope
