#pragma once
// The normalizer of a tokenizer.json (a Sequence of Precompiled, Replace, NFD/NFKD/NFC/NFKC,
// Lowercase, StripAccents, Strip, Prepend), applied with every output byte remembering the byte
// span of the original text it came from, so tokens keep their offsets.
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/expected.h"

namespace ascope {

// Normalised text: `text`'s byte i came from original bytes spans[i].
struct AlignedText {
    std::string text;
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    static AlignedText of(std::string_view original, std::size_t offset = 0);
    // Appends `piece`, every byte of it from original span [begin, end).
    void append(std::string_view piece, std::size_t begin, std::size_t end);
};

class TextNormalizer {
public:
    class Step;
    TextNormalizer();
    ~TextNormalizer();
    TextNormalizer(TextNormalizer&&) noexcept;
    TextNormalizer& operator=(TextNormalizer&&) noexcept;
    TextNormalizer(const TextNormalizer&);
    TextNormalizer& operator=(const TextNormalizer&);

    // From a tokenizer.json's "normalizer" value, as JSON text ("null": no normalisation).
    // Unsupported kinds are refused by name.
    static Expected<TextNormalizer> fromJsonText(const std::string& json, const std::string& source);
    // The same from tokenizer.json's "normalizer" value, already parsed.
    static Expected<TextNormalizer> fromJson(const nlohmann::json& normalizer, const std::string& source);
    AlignedText apply(AlignedText text) const;
    bool empty() const { return m_steps.empty(); }

private:
    std::vector<std::shared_ptr<const Step>> m_steps;
};

}  // namespace ascope
