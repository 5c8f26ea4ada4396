#include "analysis/head_statistics.h"

#include <cmath>
#include <cstdlib>

namespace ascope {

namespace {
bool isPunctuationToken(const std::string& text) {
    static const char* const kUnicodePunctuation[] = {"«", "»", "“", "”", "‘", "’", "–", "—", "…", "¿", "¡", "。", "、", "，"};
    // Without a continuation or word-start marker (WordPiece's "##", byte-level BPE's "Ġ", SentencePiece's "▁").
    std::string t = text;
    for (const char* marker : {"##", "\xC4\xA0", "\xE2\x96\x81"})
        if (t.rfind(marker, 0) == 0) t = t.substr(std::string(marker).size());
    if (t.empty()) return false;
    std::size_t i = 0;
    while (i < t.size()) {
        const unsigned char c = static_cast<unsigned char>(t[i]);
        if (c < 0x80) {
            if (!std::ispunct(c)) return false;
            ++i;
            continue;
        }
        bool matched = false;
        for (const char* p : kUnicodePunctuation) {
            const std::string mark(p);
            if (t.compare(i, mark.size(), mark) == 0) {
                i += mark.size();
                matched = true;
                break;
            }
        }
        if (!matched) return false;
    }
    return true;
}
}  // namespace

TokenRoles tokenRolesOf(const std::vector<Token>& tokens) {
    TokenRoles r;
    for (const auto& t : tokens) {
        r.cls.push_back(isStartToken(t));
        r.sep.push_back(isEndToken(t));
        r.punctuation.push_back(!t.special && isPunctuationToken(t.text));
    }
    return r;
}

std::vector<HeadStatistics> headStatistics(const AttentionStack& a, const TokenRoles& roles) {
    std::vector<HeadStatistics> out;
    const auto n = static_cast<std::size_t>(a.keys);
    auto role = [n](const std::vector<bool>& v, int j) { return v.size() == n && v[static_cast<std::size_t>(j)]; };
    for (int l = 0; l < a.layers; ++l)
        for (int h = 0; h < a.heads; ++h) {
            HeadStatistics s;
            s.layer = l;
            s.head = h;
            const float* m = a.matrix(l, h);
            for (int i = 0; i < a.queries; ++i) {
                const float* row = m + static_cast<std::size_t>(i) * n;
                for (int j = 0; j < a.keys; ++j) {
                    const double p = row[j];
                    if (p > 0) s.entropy -= p * std::log(p);
                    s.meanDistance += p * std::abs(i - j);
                    if (role(roles.cls, j)) s.cls += p;
                    if (role(roles.sep, j)) s.sep += p;
                    if (role(roles.punctuation, j)) s.punctuation += p;
                    if (j == i) s.self += p;
                    if (j == i - 1) s.previous += p;
                    if (j == i + 1) s.next += p;
                }
            }
            if (a.queries > 0)
                for (double* v : {&s.entropy, &s.meanDistance, &s.cls, &s.sep, &s.self, &s.previous, &s.next, &s.punctuation})
                    *v /= a.queries;
            out.push_back(s);
        }
    return out;
}

}  // namespace ascope
