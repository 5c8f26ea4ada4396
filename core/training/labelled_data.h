#pragma once
// Labelled data for fine-tuning (torch-free, so front ends can check a file before training):
// sentences with a label (TSV `text<TAB>label`, or CSV with a header naming a `text` (or
// `sentence`) column and a `label` column), and words with tags in CoNLL style (one
// `token<TAB>tag` per line, or whitespace-separated with the tag last; a blank line between
// sentences; `-DOCSTART-` lines ignored).
#include <string>
#include <vector>

#include "util/expected.h"

namespace ascope {

struct LabelledSentence {
    std::string text;
    std::string label;
};

struct TaggedSentence {
    std::vector<std::string> words;
    std::vector<std::string> tags;  // one per word
};

// CSV when the file name ends in .csv; TSV otherwise (a first line "text<TAB>label" is a header).
Expected<std::vector<LabelledSentence>> readLabelledSentences(const std::string& path);
Expected<std::vector<TaggedSentence>> readTaggedSentences(const std::string& path);

// One CSV record's fields (RFC 4180 quotes: "a ""b""" is a "b"); used by readLabelledSentences.
std::vector<std::string> splitCsvRecord(const std::string& line);

// The sorted distinct labels; for tags, "O" first (the usual id 0).
std::vector<std::string> labelSet(const std::vector<std::string>& labels, bool outsideFirst);

}  // namespace ascope
