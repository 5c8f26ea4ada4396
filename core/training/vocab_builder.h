#pragma once
// Learns a WordPiece vocabulary from a corpus: the special tokens, every character seen (as a
// word start and as a "##" continuation), the most frequent whole words, and the most useful
// "##" suffixes of the words left out, so greedy longest-match covers everything.
#include <string>
#include <vector>

#include "checkpoint/model_config.h"
#include "tokenizer/vocab.h"

namespace ascope {

Vocab buildWordPieceVocab(const std::vector<std::string>& lines, int targetSize, const TokenizerConfig& config);

}  // namespace ascope
