#include "tokenizer/bpe_tokenizer.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utf8proc.h>

#include "util/json_fields.h"
#include "util/utf8.h"

namespace ascope {

namespace {
enum class CharClass { Letter, Number, Space, Other };

// Unicode White_Space, which the regular expression's \s matches.
bool isSpace(char32_t c) {
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

CharClass classOf(char32_t c) {
    if (isSpace(c)) return CharClass::Space;
    switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: return CharClass::Letter;
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO: return CharClass::Number;
    default: return CharClass::Other;
    }
}

std::array<std::string, 256> makeByteSymbols() {
    // GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the others for 256 + n.
    std::array<std::string, 256> out;
    int next = 0;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
        utf8::append(out[static_cast<std::size_t>(b)], static_cast<char32_t>(printable ? b : 256 + next++));
    }
    return out;
}

Error invalid(const std::string& source, const std::string& what) {
    return makeError(ErrorKind::InvalidInput, source + ": " + what);
}
}  // namespace

const std::string& BpeTokenizer::byteSymbol(unsigned char b) {
    static const auto symbols = makeByteSymbols();
    return symbols[b];
}

bool BpeTokenizer::decodeByteSymbols(const std::string& symbols, std::string& bytes) {
    static const auto byteOf = [] {
        std::unordered_map<char32_t, unsigned char> m;
        for (int b = 0; b < 256; ++b) m[utf8::decode(byteSymbol(static_cast<unsigned char>(b))).front().value] = static_cast<unsigned char>(b);
        return m;
    }();
    bytes.clear();
    for (const auto& cp : utf8::decode(symbols)) {
        const auto it = byteOf.find(cp.value);
        if (it == byteOf.end()) return false;
        bytes.push_back(static_cast<char>(it->second));
    }
    return true;
}

std::string BpeTokenizer::labelOfEntry(const std::string& token) const {
    for (const auto& a : m_added)
        if (a.content == token) return {};  // <s>, <mask>, ...: written as they are
    std::string bytes;
    if (!decodeByteSymbols(token, bytes) || bytes.empty()) return {};
    std::string label;
    std::size_t from = 0;
    if (bytes[0] == ' ') {  // a word start
        label = kWordStartMarker;
        from = 1;
    }
    // Readable text, with line breaks and tabs as symbols and a broken character's bytes in hex.
    for (const auto& cp : utf8::decode(std::string_view(bytes).substr(from))) {
        if (cp.value == U'\n') label += "\u21B5";      // ↵
        else if (cp.value == U'\r') label += "\u240D";  // ␍
        else if (cp.value == U'\t') label += "\u21E5";  // ⇥
        else if (cp.value == U' ') label += kWordStartMarker;
        else if (cp.value == 0xFFFD && bytes.compare(from + cp.byteBegin, 3, "\xEF\xBF\xBD") != 0) {
            for (std::size_t b = cp.byteBegin; b < cp.byteEnd; ++b) {
                char hex[8];
                std::snprintf(hex, sizeof hex, "<%02X>", static_cast<unsigned char>(bytes[from + b]));
                label += hex;
            }
        } else {
            utf8::append(label, cp.value);
        }
    }
    return label == token ? std::string() : label;
}

Expected<BpeTokenizer> BpeTokenizer::fromFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return makeError(ErrorKind::Io, path + ": cannot open");
    std::stringstream ss;
    ss << in.rdbuf();
    return fromJsonText(ss.str(), path);
}

Expected<BpeTokenizer> BpeTokenizer::fromJsonText(const std::string& text, const std::string& source) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        return invalid(source, std::string("invalid JSON (") + e.what() + ")");
    }
    return fromJson(j, source);
}

Expected<BpeTokenizer> BpeTokenizer::fromJson(const nlohmann::json& j, const std::string& source) {
    if (!j.is_object() || !j.contains("model") || !j.at("model").is_object()) return invalid(source, "no 'model' object");
    BpeTokenizer t;
    try {
        const auto& model = j.at("model");
        // Older tokenizer.json files leave the type out; a model with merges is BPE.
        const std::string type = model.value("type", std::string(model.contains("merges") ? "BPE" : ""));
        if (type != "BPE") return makeError(ErrorKind::Unsupported, source + ": tokenizer model '" + type + "' is not byte-level BPE");
        const auto& pre = j.value("pre_tokenizer", nlohmann::json());
        if (!pre.is_object() || pre.value("type", std::string()) != "ByteLevel")
            return makeError(ErrorKind::Unsupported, source + ": only the ByteLevel pre-tokenizer is supported with BPE");
        t.m_addPrefixSpace = pre.value("add_prefix_space", false);
        if (!j.value("normalizer", nlohmann::json()).is_null())
            return makeError(ErrorKind::Unsupported, source + ": a normalizer before byte-level BPE is not supported");
        const auto& vocab = model.at("vocab");
        if (!vocab.is_object() || vocab.empty()) return invalid(source, "model.vocab is empty");
        for (auto it = vocab.begin(); it != vocab.end(); ++it) {
            const int id = jsonInt(*it, 0, 10'000'000);
            if (id < 0 || id > 10'000'000) return invalid(source, "vocabulary id out of range");
            t.m_ids[it.key()] = id;
            if (static_cast<std::size_t>(id) >= t.m_tokens.size()) t.m_tokens.resize(static_cast<std::size_t>(id) + 1);
            t.m_tokens[static_cast<std::size_t>(id)] = it.key();
        }
        int rank = 0;
        for (const auto& m : model.at("merges")) {
            std::pair<std::string, std::string> pair;
            if (m.is_string()) {  // "a b"
                const auto s = m.get<std::string>();
                const auto space = s.find(' ');
                if (space == std::string::npos) return invalid(source, "merge '" + s + "' is not two symbols");
                pair = {s.substr(0, space), s.substr(space + 1)};
            } else if (m.is_array() && m.size() == 2) {  // ["a", "b"]
                pair = {m[0].get<std::string>(), m[1].get<std::string>()};
            } else {
                return invalid(source, "a merge is neither \"a b\" nor [\"a\", \"b\"]");
            }
            t.m_ranks.emplace(std::move(pair), rank++);
        }
        for (const auto& a : j.value("added_tokens", nlohmann::json::array())) {
            AddedToken added{a.at("content").get<std::string>(), jsonInt(a.at("id"), 0, 10'000'000), a.value("lstrip", false),
                             a.value("rstrip", false), a.value("special", false)};
            if (added.content.empty()) continue;
            if (static_cast<std::size_t>(added.id) >= t.m_tokens.size()) t.m_tokens.resize(static_cast<std::size_t>(added.id) + 1);
            t.m_tokens[static_cast<std::size_t>(added.id)] = added.content;
            t.m_ids[added.content] = added.id;
            t.m_added.push_back(std::move(added));
        }
        const auto& post = j.value("post_processor", nlohmann::json());
        if (post.is_object() && post.value("type", std::string()) == "RobertaProcessing") {
            t.m_postProcess = true;
            t.m_cls = {post.at("cls").at(0).get<std::string>(), jsonInt(post.at("cls").at(1), 0, 10'000'000)};
            t.m_sep = {post.at("sep").at(0).get<std::string>(), jsonInt(post.at("sep").at(1), 0, 10'000'000)};
        } else if (!post.is_null()) {
            return makeError(ErrorKind::Unsupported, source + ": post-processor '" + post.value("type", std::string()) +
                             "' is not supported with BPE (RobertaProcessing)");
        }
    } catch (const std::exception& e) {
        return invalid(source, std::string("unexpected value (") + e.what() + ")");
    }
    t.m_mask = t.idOf("<mask>");
    t.m_pad = t.idOf("<pad>");
    t.m_unk = t.idOf("<unk>");
    if (!t.m_postProcess) {  // no post-processor: RoBERTa's start and end tokens where the vocabulary has them
        t.m_cls.second = t.idOf(t.m_cls.first);
        t.m_sep.second = t.idOf(t.m_sep.first);
    }
    return t;
}

int BpeTokenizer::idOf(const std::string& token) const {
    auto it = m_ids.find(token);
    return it == m_ids.end() ? -1 : it->second;
}

const std::string& BpeTokenizer::tokenOf(int id) const {
    static const std::string none;
    return id >= 0 && static_cast<std::size_t>(id) < m_tokens.size() ? m_tokens[static_cast<std::size_t>(id)] : none;
}

std::vector<std::pair<std::size_t, std::size_t>> BpeTokenizer::splitWords(std::string_view text) {
    // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+, the first alternative that matches.
    const auto cps = utf8::decode(text);
    const std::size_t n = cps.size();
    std::vector<std::pair<std::size_t, std::size_t>> out;
    auto emit = [&](std::size_t from, std::size_t to) { out.emplace_back(cps[from].byteBegin, cps[to - 1].byteEnd); };
    auto at = [&](std::size_t k) { return k < n ? cps[k].value : U'\0'; };
    std::size_t i = 0;
    while (i < n) {
        const char32_t c = cps[i].value;
        if (c == U'\'') {
            const char32_t a = at(i + 1), b = at(i + 2);
            std::size_t len = 0;
            if (a == U's' || a == U't' || a == U'm' || a == U'd') len = 2;
            else if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l')) len = 3;
            if (len) {
                emit(i, i + len);
                i += len;
                continue;
            }
        }
        bool matched = false;
        for (CharClass want : {CharClass::Letter, CharClass::Number, CharClass::Other}) {
            std::size_t start = i;
            if (c == U' ' && i + 1 < n && classOf(cps[i + 1].value) == want) start = i + 1;
            if (classOf(cps[start].value) != want) continue;
            std::size_t k = start;
            while (k < n && classOf(cps[k].value) == want) ++k;
            emit(i, k);
            i = k;
            matched = true;
            break;
        }
        if (matched) continue;
        std::size_t k = i;  // whitespace
        while (k < n && classOf(cps[k].value) == CharClass::Space) ++k;
        if (k < n && k - i > 1) k -= 1;  // \s+(?!\S): leave the last one to the word after it
        emit(i, k);
        i = k;
    }
    return out;
}

void BpeTokenizer::bpe(std::string_view text, std::size_t begin, std::size_t end, std::vector<Token>& out) const {
    struct Symbol {
        std::string text;
        std::size_t begin, end;
    };
    std::vector<Symbol> symbols;
    for (std::size_t b = begin; b < end; ++b)
        symbols.push_back({byteSymbol(static_cast<unsigned char>(text[b])), b, b + 1});
    while (symbols.size() > 1) {
        int best = std::numeric_limits<int>::max();
        for (std::size_t k = 0; k + 1 < symbols.size(); ++k) {
            auto it = m_ranks.find({symbols[k].text, symbols[k + 1].text});
            if (it != m_ranks.end() && it->second < best) best = it->second;
        }
        if (best == std::numeric_limits<int>::max()) break;
        std::vector<Symbol> merged;
        for (std::size_t k = 0; k < symbols.size(); ++k) {
            if (k + 1 < symbols.size()) {
                auto it = m_ranks.find({symbols[k].text, symbols[k + 1].text});
                if (it != m_ranks.end() && it->second == best) {
                    merged.push_back({symbols[k].text + symbols[k + 1].text, symbols[k].begin, symbols[k + 1].end});
                    ++k;
                    continue;
                }
            }
            merged.push_back(symbols[k]);
        }
        symbols = std::move(merged);
    }
    for (auto& s : symbols) {
        // trim_offsets, as Hugging Face's ByteLevel: a token's leading and trailing spaces are not
        // part of its span (a lone "Ġ" gets an empty span where its word starts), except the one
        // space add_prefix_space puts before the text.
        std::size_t from = s.begin, to = s.end;
        std::size_t leading = 0, trailing = 0;
        while (from + leading < to && text[from + leading] == ' ') ++leading;
        while (trailing < to - from && text[to - 1 - trailing] == ' ') ++trailing;
        if (leading == 1 && from == 0 && m_addPrefixSpace) leading = 0;
        from = std::min(from + leading, to);
        if (trailing > 0 && to >= trailing) to = std::max(to - trailing, from);
        int id = idOf(s.text);
        if (id < 0) id = m_unk;  // a byte-level vocabulary covers every byte; a partial one may not
        out.push_back(Token{s.text, id, from, to, id < 0 || id == m_unk, 0, labelOfEntry(s.text)});
    }
}

void BpeTokenizer::encodePlain(std::string_view text, std::size_t begin, std::size_t end, std::vector<Token>& out) const {
    for (const auto& [a, b] : splitWords(text.substr(begin, end - begin))) bpe(text, begin + a, begin + b, out);
}

std::vector<Token> BpeTokenizer::encode(std::string_view input, bool addSpecialTokens) const {
    std::string prefixed;
    std::string_view text = input;
    std::size_t shift = 0;  // bytes added in front (add_prefix_space)
    if (m_addPrefixSpace && !input.empty() && input.front() != ' ') {
        prefixed = " " + std::string(input);
        text = prefixed;
        shift = 1;
    }
    std::vector<Token> out;
    if (addSpecialTokens && m_postProcess) out.push_back(Token{m_cls.first, m_cls.second, 0, 0, true});
    splitAtAddedTokens(
        text, m_added, [&](std::size_t begin, std::size_t end) { encodePlain(text, begin, end, out); },
        [&](const AddedToken& a, std::size_t at) { out.push_back(Token{a.content, a.id, at, at + a.content.size(), a.special}); });
    if (addSpecialTokens && m_postProcess) out.push_back(Token{m_sep.first, m_sep.second, text.size(), text.size(), true});
    for (auto& t : out) {  // spans into the input as given
        t.byteBegin = t.byteBegin >= shift ? t.byteBegin - shift : 0;
        t.byteEnd = t.byteEnd >= shift ? t.byteEnd - shift : 0;
    }
    return out;
}

}  // namespace ascope

namespace ascope {

std::vector<Token> BpeTokenizer::encodePair(std::string_view a, std::string_view b) const {
    // RobertaProcessing: <s> A </s> </s> B </s>; B's half (its own </s> first) in segment 1.
    auto out = encode(a);
    const std::size_t shift = pairOffset(a);
    if (m_postProcess) out.push_back(Token{m_sep.first, m_sep.second, shift, shift, true, 1});
    appendSegmentB(out, encode(b, false), a);
    if (m_postProcess) out.push_back(Token{m_sep.first, m_sep.second, shift + b.size(), shift + b.size(), true, 1});
    return out;
}

}  // namespace ascope
