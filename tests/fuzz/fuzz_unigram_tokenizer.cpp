// libFuzzer target: SentencePiece Unigram with its normalisers. First byte: with the top bit set
// the rest is a precompiled charsmap's bytes (applied to a fixed text); with bit 6 set it is a
// tokenizer.json; otherwise it is text for a fixed small tokenizer whose charsmap is built here (a
// line break splits a pair).
#include <cstdint>
#include <string>

#include "tokenizer/precompiled_charsmap.h"
#include "tokenizer/unigram_tokenizer.h"

namespace {
std::string fixedJson() {
    const std::string bytes = ascope::PrecompiledCharsmap::buildBytes(
        {{"\xEF\xBD\x86", "f"}, {"\xE2\x80\xA6", "..."}, {"e\xCC\x81", "\xC3\xA9"}, {"\xC2\xA0", " "}, {"x", ""}});
    return std::string(R"({"added_tokens": [{"id": 0, "content": "<s>", "special": true}, {"id": 2, "content": "</s>", "special": true},
      {"id": 5, "content": "<mask>", "lstrip": true, "special": true}],
     "normalizer": {"type": "Sequence", "normalizers": [{"type": "Precompiled", "precompiled_charsmap": ")") +
           ascope::encodeBase64(bytes) + R"("}, {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
       {"type": "NFKD"}, {"type": "StripAccents"}, {"type": "Lowercase"}, {"type": "Strip"}]},
     "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "WhitespaceSplit"}, {"type": "Metaspace", "replacement": "▁"}]},
     "post_processor": {"type": "TemplateProcessing",
       "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
       "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "</s>", "type_id": 1}}]},
     "model": {"type": "Unigram", "unk_id": 3, "byte_fallback": true, "vocab": [["<s>", 0], ["<pad>", 0], ["</s>", 0], ["<unk>", 0],
       ["▁", -2], ["<mask>", 0], ["▁the", -3], ["t", -4], ["h", -4], ["e", -4], ["a", -4], ["▁a", -3.5], ["<0x41>", -9], ["<0xC3>", -9]]}})";
}

void check(const std::vector<ascope::Token>& tokens, std::size_t textSize) {
    for (const auto& t : tokens)
        if (t.byteEnd < t.byteBegin || t.byteEnd > textSize) __builtin_trap();  // spans stay inside the text
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
    if (data[0] & 0x80) {
        auto map = ascope::PrecompiledCharsmap::fromBytes(rest, "fuzz");
        if (map) (void)map->normalize("the caf\xC3\xA9 e\xCC\x81 \xEF\xBD\x86 \xF0\x9F\x99\x82 <mask>");
        return 0;
    }
    if (data[0] & 0x40) {
        auto tokenizer = ascope::UnigramTokenizer::fromJsonText(rest, "fuzz");
        if (tokenizer) {
            const std::string text = "the <mask> caf\xC3\xA9  x\n";
            check(tokenizer->encode(text), text.size());
        }
        return 0;
    }
    static const auto tokenizer = *ascope::UnigramTokenizer::fromJsonText(fixedJson(), "fixed");
    check(tokenizer.encode(rest), rest.size());
    const auto split = rest.find('\n');
    if (split != std::string::npos) {
        const std::string a = rest.substr(0, split), b = rest.substr(split + 1);
        check(tokenizer.encodePair(a, b), ascope::TextTokenizer::pairText(a, b).size());
    }
    return 0;
}
