#pragma once
// Labelled files for the fine-tuning tests: tasks a tiny model learns in a few seconds.
#include <string>

#include "temp_dir.h"
#include "training/fine_tuner.h"

namespace ascope::test {

// 160 sentences (TSV with a header) whose label is which animal they name: "feline" or "canine".
std::string writeAnimalSentences(const TempDir& dir, const std::string& name = "data.tsv");
// 90 CoNLL sentences: animals are B-ANIMAL (every third one a "shiny" animal, B- then I-),
// places B-PLACE, the rest O; a -DOCSTART- line first.
std::string writeAnimalTags(const TempDir& dir);
// Settings that fine-tune a tiny model on those files in seconds: 4 epochs of batches of 8 at
// lr 3e-3, no dropout, a fifth held out.
FineTuneConfig tinyFineTune(const std::string& model, const std::string& data, const std::string& out);

}  // namespace ascope::test
