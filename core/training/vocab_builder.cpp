#include "training/vocab_builder.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "tokenizer/bert_tokenizer.h"
#include "util/utf8.h"

namespace ascope {

namespace {
template <typename Map>
std::vector<std::pair<std::string, long>> byCount(const Map& counts) {
    std::vector<std::pair<std::string, long>> v(counts.begin(), counts.end());
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;  // deterministic ties
    });
    return v;
}
}  // namespace

Vocab buildWordPieceVocab(const std::vector<std::string>& lines, int targetSize, const TokenizerConfig& config) {
    std::vector<std::string> tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
    std::set<std::string> have(tokens.begin(), tokens.end());
    auto add = [&](const std::string& t) {
        if (static_cast<int>(tokens.size()) < targetSize && have.insert(t).second) tokens.push_back(t);
    };
    // Normalise and split exactly as the tokenizer will (a tokenizer with only special tokens).
    const BertTokenizer splitter(Vocab::fromTokens(tokens), config);
    std::unordered_map<std::string, long> words;
    for (const auto& line : lines)
        for (auto& w : splitter.preTokenize(line)) ++words[w];

    std::map<std::string, long> chars;
    for (const auto& [w, n] : words)
        for (const auto& cp : utf8::decode(w)) chars[w.substr(cp.byteBegin, cp.byteEnd - cp.byteBegin)] += n;
    for (const auto& [c, n] : byCount(chars))
        if (n >= 3) {
            add(c);
            add("##" + c);
        }

    // Whole words take 80% of what is left; suffixes of the words left out take the rest.
    const auto sortedWords = byCount(words);
    const int wordBudget = static_cast<int>(tokens.size()) + (targetSize - static_cast<int>(tokens.size())) * 4 / 5;
    std::size_t next = 0;
    for (; next < sortedWords.size() && static_cast<int>(tokens.size()) < wordBudget; ++next)
        if (sortedWords[next].second >= 2) add(sortedWords[next].first);

    std::unordered_map<std::string, long> suffixes, prefixes;
    for (std::size_t i = next; i < sortedWords.size(); ++i) {
        const auto& [w, n] = sortedWords[i];
        const auto cps = utf8::decode(w);
        for (std::size_t len = 2; len <= 6 && len < cps.size(); ++len) {
            suffixes["##" + w.substr(cps[cps.size() - len].byteBegin)] += n * static_cast<long>(len);
            prefixes[w.substr(0, cps[len].byteBegin)] += n * static_cast<long>(len);
        }
    }
    const auto sortedSuffixes = byCount(suffixes), sortedPrefixes = byCount(prefixes);
    std::size_t s = 0, p = 0;
    while (static_cast<int>(tokens.size()) < targetSize && (s < sortedSuffixes.size() || p < sortedPrefixes.size())) {
        if (s < sortedSuffixes.size()) add(sortedSuffixes[s++].first);
        if (p < sortedPrefixes.size()) add(sortedPrefixes[p++].first);
    }
    return Vocab::fromTokens(std::move(tokens));
}

}  // namespace ascope
