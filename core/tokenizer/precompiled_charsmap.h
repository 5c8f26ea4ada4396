#pragma once
// SentencePiece's precompiled normaliser (the "Precompiled" normalizer of a tokenizer.json, as
// ALBERT and XLM-R ship it), read from the format's description: base64 of a little-endian uint32
// trie size in bytes, a darts-clone double-array trie of that size whose values are offsets into
// the rest, a blob of NUL-terminated replacement strings. Applied as Hugging Face's tokenizers
// apply it: per extended grapheme cluster (shorter than 6 bytes) and otherwise per character, a
// chunk with a trie match on its bytes is replaced by the string of its first (shortest) match.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.h"

namespace ascope {

class PrecompiledCharsmap {
public:
    static Expected<PrecompiledCharsmap> fromBase64(std::string_view base64, const std::string& source);
    static Expected<PrecompiledCharsmap> fromBytes(std::string_view bytes, const std::string& source);

    // The replacement of `chunk` (its shortest prefix found in the trie), or false when none.
    bool transform(std::string_view chunk, std::string& out) const;
    // Every chunk of `text` replaced; chunkSpans receives, per output byte, the byte span of the
    // input chunk it came from (so offsets survive normalisation).
    std::string normalize(std::string_view text, std::vector<std::pair<std::size_t, std::size_t>>* spans = nullptr) const;

    // The darts-clone array of a trie built for `entries` (key bytes -> value), for tests that need
    // a charsmap: keys must be non-empty and distinct.
    static std::vector<std::uint32_t> buildTrie(const std::vector<std::pair<std::string, std::uint32_t>>& entries);
    // A whole charsmap (what fromBytes reads: trie size, trie, NUL-terminated replacements) for
    // `rules` (key bytes -> replacement), for tests and fuzzers.
    static std::string buildBytes(const std::vector<std::pair<std::string, std::string>>& rules);

private:
    std::vector<std::uint32_t> m_units;
    std::string m_normalized;
};

// Standard base64 (RFC 4648, '=' padding optional); false on any other character.
bool decodeBase64(std::string_view in, std::string& out);
std::string encodeBase64(std::string_view in);

}  // namespace ascope
