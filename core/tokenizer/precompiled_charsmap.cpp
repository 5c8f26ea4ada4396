#include "tokenizer/precompiled_charsmap.h"

#include <cstring>
#include <map>
#include <utf8proc.h>

#include "util/utf8.h"

namespace ascope {

namespace {
// darts-clone's unit layout.
bool hasLeaf(std::uint32_t unit) { return ((unit >> 8) & 1) == 1; }
std::uint32_t valueOf(std::uint32_t unit) { return unit & ((1u << 31) - 1); }
std::uint32_t labelOf(std::uint32_t unit) { return unit & ((1u << 31) | 0xFF); }
std::uint32_t offsetOf(std::uint32_t unit) { return (unit >> 10) << ((unit & (1u << 9)) >> 6); }
}  // namespace

bool decodeBase64(std::string_view in, std::string& out) {
    out.clear();
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : in) {
        int v;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
        else if (c >= '0' && c <= '9') v = c - '0' + 52;
        else if (c == '+') v = 62;
        else if (c == '/') v = 63;
        else if (c == '=') break;
        else return false;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    return true;
}

std::string encodeBase64(std::string_view in) {
    static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const std::uint32_t v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                                static_cast<unsigned char>(in[i + 2]);
        for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
    }
    if (i < in.size()) {
        std::uint32_t v = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

Expected<PrecompiledCharsmap> PrecompiledCharsmap::fromBase64(std::string_view base64, const std::string& source) {
    std::string bytes;
    if (!decodeBase64(base64, bytes))
        return makeError(ErrorKind::InvalidInput, source + ": precompiled_charsmap is not base64");
    return fromBytes(bytes, source);
}

Expected<PrecompiledCharsmap> PrecompiledCharsmap::fromBytes(std::string_view bytes, const std::string& source) {
    if (bytes.size() < 4) return makeError(ErrorKind::InvalidInput, source + ": precompiled_charsmap is too short");
    std::uint32_t trieBytes = 0;
    for (int k = 3; k >= 0; --k) trieBytes = (trieBytes << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(k)]);
    if (trieBytes % 4 != 0 || trieBytes > bytes.size() - 4)  // an empty trie maps nothing
        return makeError(ErrorKind::InvalidInput, source + ": precompiled_charsmap's trie size " + std::to_string(trieBytes) +
                         " does not fit its " + std::to_string(bytes.size()) + " bytes");
    PrecompiledCharsmap m;
    m.m_units.resize(trieBytes / 4);
    for (std::size_t u = 0; u < m.m_units.size(); ++u) {
        std::uint32_t v = 0;
        for (int k = 3; k >= 0; --k) v = (v << 8) | static_cast<unsigned char>(bytes[4 + u * 4 + static_cast<std::size_t>(k)]);
        m.m_units[u] = v;
    }
    m.m_normalized = std::string(bytes.substr(4 + trieBytes));
    return m;
}

bool PrecompiledCharsmap::transform(std::string_view chunk, std::string& out) const {
    // darts-clone's common prefix search, stopping at the first (shortest) match.
    std::size_t node = 0;
    if (m_units.empty()) return false;
    node ^= offsetOf(m_units[0]);
    for (char ch : chunk) {
        const auto label = static_cast<unsigned char>(ch);
        node ^= label;
        if (node >= m_units.size()) return false;
        const std::uint32_t unit = m_units[node];
        if (labelOf(unit) != label) return false;
        node ^= offsetOf(unit);
        if (node >= m_units.size()) return false;
        if (hasLeaf(unit)) {
            const std::size_t at = valueOf(m_units[node]);
            if (at >= m_normalized.size()) return false;  // a broken offset: leave the chunk as it is
            const auto end = m_normalized.find('\0', at);
            out.assign(m_normalized, at, end == std::string::npos ? std::string::npos : end - at);
            return true;
        }
    }
    return false;
}

std::string PrecompiledCharsmap::normalize(std::string_view text, std::vector<std::pair<std::size_t, std::size_t>>* spans) const {
    std::string out, replaced;
    if (spans) spans->clear();
    auto emit = [&](std::string_view piece, std::size_t begin, std::size_t end) {
        out.append(piece);
        if (spans) spans->insert(spans->end(), piece.size(), {begin, end});
    };
    const auto cps = utf8::decode(text);
    std::size_t i = 0;
    while (i < cps.size()) {
        // One extended grapheme cluster: cps[i, j).
        std::size_t j = i + 1;
        utf8proc_int32_t state = 0;
        while (j < cps.size() && !utf8proc_grapheme_break_stateful(static_cast<utf8proc_int32_t>(cps[j - 1].value),
                                                                   static_cast<utf8proc_int32_t>(cps[j].value), &state))
            ++j;
        const std::size_t begin = cps[i].byteBegin, end = cps[j - 1].byteEnd;
        if (end - begin < 6 && transform(text.substr(begin, end - begin), replaced)) {
            emit(replaced, begin, end);
        } else {
            for (std::size_t k = i; k < j; ++k) {
                const std::string_view ch = text.substr(cps[k].byteBegin, cps[k].byteEnd - cps[k].byteBegin);
                if (transform(ch, replaced)) emit(replaced, cps[k].byteBegin, cps[k].byteEnd);
                else emit(ch, cps[k].byteBegin, cps[k].byteEnd);
            }
        }
        i = j;
    }
    return out;
}

std::vector<std::uint32_t> PrecompiledCharsmap::buildTrie(const std::vector<std::pair<std::string, std::uint32_t>>& entries) {
    // A plain double-array construction: each node's children (and its leaf, label 0) are placed at
    // base ^ label for the smallest base whose slots are all free; offset = node ^ base.
    struct Node {
        std::map<unsigned char, std::size_t> children;
        bool leaf = false;
        std::uint32_t value = 0;
    };
    std::vector<Node> nodes(1);
    for (const auto& [key, value] : entries) {
        std::size_t n = 0;
        for (char ch : key) {
            const auto c = static_cast<unsigned char>(ch);
            auto it = nodes[n].children.find(c);
            if (it == nodes[n].children.end()) {
                nodes.push_back({});
                it = nodes[n].children.emplace(c, nodes.size() - 1).first;
            }
            n = it->second;
        }
        nodes[n].leaf = true;
        nodes[n].value = value;
    }
    std::vector<std::uint32_t> units(256, 0);
    std::vector<bool> used(256, false);
    used[0] = true;
    // (node index, its position in the array), breadth first.
    std::vector<std::pair<std::size_t, std::size_t>> queue = {{0, 0}};
    for (std::size_t q = 0; q < queue.size(); ++q) {
        const auto [n, pos] = queue[q];
        std::vector<unsigned> labels;
        if (nodes[n].leaf) labels.push_back(0);
        for (const auto& c : nodes[n].children) labels.push_back(c.first);
        if (labels.empty()) continue;
        std::size_t base = 1;
        for (;; ++base) {
            bool free = (base ^ pos) < (1u << 21);
            for (unsigned l : labels) free = free && !(((base ^ l) < used.size()) && used[base ^ l]);
            if (free) break;
        }
        const std::size_t need = (base | 0xFF) + 1;
        if (units.size() < need) {
            units.resize(need, 0);
            used.resize(need, false);
        }
        const std::uint32_t offset = static_cast<std::uint32_t>(base ^ pos);
        units[pos] |= (offset << 10) | (nodes[n].leaf ? (1u << 8) : 0u);
        for (unsigned l : labels) used[base ^ l] = true;
        if (nodes[n].leaf) units[base] = (1u << 31) | nodes[n].value;
        for (const auto& [c, child] : nodes[n].children) {
            units[base ^ c] |= c;
            queue.push_back({child, base ^ c});
        }
    }
    return units;
}

std::string PrecompiledCharsmap::buildBytes(const std::vector<std::pair<std::string, std::string>>& rules) {
    std::vector<std::pair<std::string, std::uint32_t>> entries;
    std::string replacements;
    for (const auto& [from, to] : rules) {
        entries.emplace_back(from, static_cast<std::uint32_t>(replacements.size()));
        replacements += to;
        replacements += '\0';
    }
    const auto units = buildTrie(entries);
    std::string bytes;
    const auto putU32 = [&bytes](std::uint32_t v) {
        for (int k = 0; k < 4; ++k) bytes += static_cast<char>((v >> (8 * k)) & 0xFF);  // little-endian
    };
    putU32(static_cast<std::uint32_t>(units.size() * 4));
    for (auto u : units) putU32(u);
    return bytes + replacements;
}

}  // namespace ascope
