#pragma once
// UTF-8 decoding with byte offsets, so every token can point back into the user's text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ascope::utf8 {

struct CodePoint {
    char32_t value;
    std::size_t byteBegin;  // offset of the first byte in the source string
    std::size_t byteEnd;    // one past the last byte
};

// Decodes the whole string. Invalid sequences decode to U+FFFD covering the bad byte(s),
// so offsets always stay inside the source.
std::vector<CodePoint> decode(std::string_view text);

void append(std::string& out, char32_t cp);
std::string encode(const std::u32string& text);

}  // namespace ascope::utf8
