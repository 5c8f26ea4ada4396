#include "tokenizer/text_normalizer.h"

#include <nlohmann/json.hpp>
#include <utf8proc.h>

#include "tokenizer/precompiled_charsmap.h"
#include "tokenizer/unicode_rules.h"
#include "util/utf8.h"

namespace ascope {

AlignedText AlignedText::of(std::string_view original, std::size_t offset) {
    AlignedText a;
    a.text = std::string(original);
    a.spans.reserve(original.size());
    for (const auto& cp : utf8::decode(original))
        for (std::size_t b = cp.byteBegin; b < cp.byteEnd; ++b) a.spans.emplace_back(offset + cp.byteBegin, offset + cp.byteEnd);
    return a;
}

void AlignedText::append(std::string_view piece, std::size_t begin, std::size_t end) {
    text.append(piece);
    spans.insert(spans.end(), piece.size(), {begin, end});
}

class TextNormalizer::Step {
public:
    virtual ~Step() = default;
    virtual AlignedText apply(const AlignedText& in) const = 0;
};

namespace {
using json = nlohmann::json;

// Runs `map` on each code point of `in` (or, with `graphemes`, on each extended grapheme cluster),
// the output of a unit taking that unit's original span.
template <typename Map>
AlignedText mapUnits(const AlignedText& in, bool graphemes, Map map) {
    AlignedText out;
    const auto cps = utf8::decode(in.text);
    std::size_t i = 0;
    while (i < cps.size()) {
        std::size_t j = i + 1;
        utf8proc_int32_t state = 0;
        if (graphemes)
            while (j < cps.size() && !utf8proc_grapheme_break_stateful(static_cast<utf8proc_int32_t>(cps[j - 1].value),
                                                                       static_cast<utf8proc_int32_t>(cps[j].value), &state))
                ++j;
        const std::size_t b = cps[i].byteBegin, e = cps[j - 1].byteEnd;
        const auto begin = in.spans[b].first, end = in.spans[e - 1].second;
        out.append(map(std::string_view(in.text).substr(b, e - b)), begin, end);
        i = j;
    }
    return out;
}

std::string utf8procMap(std::string_view s, int options) {
    utf8proc_uint8_t* result = nullptr;
    const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()),
                                &result, static_cast<utf8proc_option_t>(options));
    std::string out = n >= 0 ? std::string(reinterpret_cast<char*>(result), static_cast<std::size_t>(n)) : std::string(s);
    std::free(result);
    return out;
}

struct PrecompiledStep final : TextNormalizer::Step {
    PrecompiledCharsmap map;
    explicit PrecompiledStep(PrecompiledCharsmap m) : map(std::move(m)) {}
    AlignedText apply(const AlignedText& in) const override {
        std::vector<std::pair<std::size_t, std::size_t>> chunks;  // per output byte: the input chunk
        const std::string text = map.normalize(in.text, &chunks);
        AlignedText out;
        out.text = text;
        for (const auto& [b, e] : chunks) out.spans.emplace_back(in.spans[b].first, in.spans[e - 1].second);
        return out;
    }
};

struct ReplaceStep final : TextNormalizer::Step {
    std::string pattern, content;
    bool spaceRun = false;  // the regex " {2,}" (XLM-R's): runs of two or more spaces
    AlignedText apply(const AlignedText& in) const override {
        AlignedText out;
        std::size_t i = 0;
        while (i < in.text.size()) {
            std::size_t len = 0;
            if (spaceRun) {
                while (i + len < in.text.size() && in.text[i + len] == ' ') ++len;
                if (len < 2) len = 0;
            } else if (!pattern.empty() && in.text.compare(i, pattern.size(), pattern) == 0) {
                len = pattern.size();
            }
            if (len == 0) {
                out.append(std::string_view(in.text).substr(i, 1), in.spans[i].first, in.spans[i].second);
                ++i;
                continue;
            }
            out.append(content, in.spans[i].first, in.spans[i + len - 1].second);
            i += len;
        }
        return out;
    }
};

struct UnicodeStep final : TextNormalizer::Step {
    enum Kind { Nfd, Nfkd, Nfc, Nfkc, Lowercase, StripAccents } kind;
    explicit UnicodeStep(Kind k) : kind(k) {}
    AlignedText apply(const AlignedText& in) const override {
        switch (kind) {
        case Nfd: return mapUnits(in, false, [](std::string_view s) { return utf8procMap(s, UTF8PROC_STABLE | UTF8PROC_DECOMPOSE); });
        case Nfkd:
            return mapUnits(in, false, [](std::string_view s) { return utf8procMap(s, UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT); });
        case Nfc: return mapUnits(in, true, [](std::string_view s) { return utf8procMap(s, UTF8PROC_STABLE | UTF8PROC_COMPOSE); });
        case Nfkc:
            return mapUnits(in, true, [](std::string_view s) { return utf8procMap(s, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT); });
        case Lowercase:
            return mapUnits(in, false, [](std::string_view s) {
                return utf8::encode(unicode::toLower(utf8::decode(s).front().value, false));
            });
        case StripAccents:  // drops the non-spacing marks (as Hugging Face's, after an NFD/NFKD step)
            return mapUnits(in, false, [](std::string_view s) {
                const char32_t c = utf8::decode(s).front().value;
                return utf8proc_category(static_cast<utf8proc_int32_t>(c)) == UTF8PROC_CATEGORY_MN ? std::string() : std::string(s);
            });
        }
        return in;
    }
};

struct StripStep final : TextNormalizer::Step {
    bool left = true, right = true;
    AlignedText apply(const AlignedText& in) const override {
        const auto cps = utf8::decode(in.text);
        std::size_t first = 0, last = cps.size();
        while (left && first < last && unicode::isWhitespace(cps[first].value)) ++first;
        while (right && last > first && unicode::isWhitespace(cps[last - 1].value)) --last;
        AlignedText out;
        if (first == last) return out;
        const std::size_t b = cps[first].byteBegin, e = cps[last - 1].byteEnd;
        out.text = in.text.substr(b, e - b);
        out.spans.assign(in.spans.begin() + static_cast<std::ptrdiff_t>(b), in.spans.begin() + static_cast<std::ptrdiff_t>(e));
        return out;
    }
};

struct PrependStep final : TextNormalizer::Step {
    std::string prefix;
    AlignedText apply(const AlignedText& in) const override {
        if (in.text.empty()) return in;
        AlignedText out;
        out.append(prefix, in.spans[0].first, in.spans[0].first);  // inserted: an empty span where the text starts
        out.text += in.text;
        out.spans.insert(out.spans.end(), in.spans.begin(), in.spans.end());
        return out;
    }
};

Status addSteps(const json& j, std::vector<std::shared_ptr<const TextNormalizer::Step>>& steps, const std::string& source) {
    if (j.is_null()) return Status::ok();
    if (!j.is_object()) return makeError(ErrorKind::InvalidInput, source + ": normalizer is not an object");
    const std::string type = j.value("type", std::string());
    if (type == "Sequence") {
        for (const auto& n : j.at("normalizers"))
            if (auto st = addSteps(n, steps, source); !st) return st;
        return Status::ok();
    }
    if (type == "Precompiled") {
        const auto& map = j.at("precompiled_charsmap");
        if (map.is_null()) return Status::ok();
        auto charsmap = PrecompiledCharsmap::fromBase64(map.get<std::string>(), source);
        if (!charsmap) return charsmap.errorValue();
        steps.push_back(std::make_shared<PrecompiledStep>(std::move(*charsmap)));
        return Status::ok();
    }
    if (type == "Replace") {
        auto step = std::make_shared<ReplaceStep>();
        const auto& pattern = j.at("pattern");
        step->content = j.at("content").get<std::string>();
        if (pattern.contains("String")) {
            step->pattern = pattern["String"].get<std::string>();
        } else if (pattern.contains("Regex") && pattern["Regex"].get<std::string>() == " {2,}") {
            step->spaceRun = true;
        } else {
            return makeError(ErrorKind::Unsupported, source + ": normalizer Replace with pattern " + pattern.dump() +
                             " is not supported (a string, or the regex \" {2,}\")");
        }
        steps.push_back(step);
        return Status::ok();
    }
    static const std::pair<const char*, UnicodeStep::Kind> kUnicode[] = {
        {"NFD", UnicodeStep::Nfd}, {"NFKD", UnicodeStep::Nfkd}, {"NFC", UnicodeStep::Nfc},
        {"NFKC", UnicodeStep::Nfkc}, {"Lowercase", UnicodeStep::Lowercase}, {"StripAccents", UnicodeStep::StripAccents}};
    for (const auto& [name, kind] : kUnicode)
        if (type == name) {
            steps.push_back(std::make_shared<UnicodeStep>(kind));
            return Status::ok();
        }
    if (type == "Strip") {
        auto step = std::make_shared<StripStep>();
        step->left = j.value("strip_left", true);
        step->right = j.value("strip_right", true);
        steps.push_back(step);
        return Status::ok();
    }
    if (type == "Prepend") {
        auto step = std::make_shared<PrependStep>();
        step->prefix = j.at("prepend").get<std::string>();
        steps.push_back(step);
        return Status::ok();
    }
    return makeError(ErrorKind::Unsupported, source + ": normalizer '" + type + "' is not supported");
}
}  // namespace

TextNormalizer::TextNormalizer() = default;
TextNormalizer::~TextNormalizer() = default;
TextNormalizer::TextNormalizer(TextNormalizer&&) noexcept = default;
TextNormalizer& TextNormalizer::operator=(TextNormalizer&&) noexcept = default;
TextNormalizer::TextNormalizer(const TextNormalizer&) = default;
TextNormalizer& TextNormalizer::operator=(const TextNormalizer&) = default;

Expected<TextNormalizer> TextNormalizer::fromJsonText(const std::string& text, const std::string& source) {
    json j;
    try {
        j = json::parse(text);
    } catch (const std::exception& e) {
        return makeError(ErrorKind::InvalidInput, source + ": invalid normalizer JSON (" + e.what() + ")");
    }
    return fromJson(j, source);
}

Expected<TextNormalizer> TextNormalizer::fromJson(const json& normalizer, const std::string& source) {
    TextNormalizer n;
    try {
        if (auto st = addSteps(normalizer, n.m_steps, source); !st) return st.errorValue();
    } catch (const std::exception& e) {
        return makeError(ErrorKind::InvalidInput, source + ": unexpected normalizer value (" + e.what() + ")");
    }
    return n;
}

AlignedText TextNormalizer::apply(AlignedText text) const {
    for (const auto& step : m_steps) text = step->apply(text);
    return text;
}

}  // namespace ascope
