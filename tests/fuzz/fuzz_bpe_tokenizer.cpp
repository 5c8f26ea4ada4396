// libFuzzer target: the byte-level BPE tokenizer (RoBERTa's) on arbitrary bytes, its readable
// labels, sentence pairs, and tokenizer.json parsing. With the first byte's top bit set the rest is
// a tokenizer.json; otherwise it is text for a fixed small tokenizer (a line break splits a pair).
#include <cstdint>
#include <string>

#include "tokenizer/bpe_tokenizer.h"

namespace {
const char* kTokenizerJson = R"({"added_tokens": [
  {"id": 0, "content": "<s>", "lstrip": false, "rstrip": false, "special": true},
  {"id": 1, "content": "<pad>", "lstrip": false, "rstrip": false, "special": true},
  {"id": 2, "content": "</s>", "lstrip": false, "rstrip": false, "special": true},
  {"id": 3, "content": "<unk>", "lstrip": false, "rstrip": false, "special": true},
  {"id": 4, "content": "<mask>", "lstrip": true, "rstrip": false, "special": true}],
 "normalizer": null, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false},
 "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0]},
 "model": {"type": "BPE", "vocab": {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "<mask>": 4, "t": 5, "h": 6, "e": 7,
   "th": 8, "the": 9, "Ġ": 10, "Ġt": 11, "Ġth": 12, "Ġthe": 13, "Ã": 14, "©": 15, "Ã©": 16, "a": 17, "Ċ": 18},
   "merges": ["t h", "th e", "Ġ t", "Ġt h", "Ġth e", "Ã ©"]}})";

void check(const std::vector<ascope::Token>& tokens, std::size_t textSize, const ascope::BpeTokenizer& tokenizer) {
    for (const auto& t : tokens) {
        if (t.byteEnd < t.byteBegin || t.byteEnd > textSize) __builtin_trap();  // spans stay inside the text
        (void)tokenizer.labelOfEntry(t.text);
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
    if (data[0] & 0x80) {
        auto tokenizer = ascope::BpeTokenizer::fromJsonText(rest, "fuzz");
        if (tokenizer) {
            const std::string text = "the <mask> caf\xC3\xA9\n";
            check(tokenizer->encode(text), text.size(), *tokenizer);
        }
        return 0;
    }
    static const auto tokenizer = *ascope::BpeTokenizer::fromJsonText(kTokenizerJson, "fixed");
    check(tokenizer.encode(rest), rest.size(), tokenizer);
    const auto split = rest.find('\n');
    if (split != std::string::npos) {
        const std::string a = rest.substr(0, split), b = rest.substr(split + 1);
        check(tokenizer.encodePair(a, b), ascope::TextTokenizer::pairText(a, b).size(), tokenizer);
    }
    return 0;
}
