#pragma once
// Labelled files for the fine-tuning tests: tasks a tiny model learns in a few seconds.
#include <string>

#include "temp_dir.h"

namespace ascope::test {

// 160 sentences (TSV with a header) whose label is which animal they name: "feline" or "canine".
std::string writeAnimalSentences(const TempDir& dir, const std::string& name = "data.tsv");
// 90 CoNLL sentences: animals are B-ANIMAL (every third one a "shiny" animal, B- then I-),
// places B-PLACE, the rest O; a -DOCSTART- line first.
std::string writeAnimalTags(const TempDir& dir);

}  // namespace ascope::test
