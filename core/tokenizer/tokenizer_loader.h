#pragma once
// Picks and reads a model folder's tokenizer: WordPiece from vocab.txt (+ tokenizer_config.json)
// or from tokenizer.json, byte-level BPE from tokenizer.json. A tokenizer.json of a kind this
// build cannot run (SentencePiece Unigram, ...) is refused by name.
#include <memory>
#include <string>

#include "checkpoint/model_config.h"
#include "tokenizer/text_tokenizer.h"
#include "util/expected.h"

namespace ascope {

Expected<std::unique_ptr<TextTokenizer>> loadTokenizer(const std::string& dir, const ModelConfig& config);

// The "model.type" of a tokenizer.json ("WordPiece", "BPE", "Unigram", ...), or an error when the
// file cannot be read as one. Older files without a type: "BPE" when they have merges.
Expected<std::string> tokenizerJsonKind(const std::string& path);

}  // namespace ascope
