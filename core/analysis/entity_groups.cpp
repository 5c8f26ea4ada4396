#include "analysis/entity_groups.h"

#include <algorithm>

namespace ascope {

std::string entityType(const std::string& label, bool* isBegin) {
    const bool tagged = label.size() > 2 && (label[0] == 'B' || label[0] == 'I') && label[1] == '-';
    if (isBegin) *isBegin = tagged && label[0] == 'B';
    return tagged ? label.substr(2) : label;  // untagged labels continue like "I-"
}

bool isLabelledToken(const Token& token) { return !isAddedToken(token); }

namespace {
struct Group {
    std::string type;
    std::vector<int> tokens;
    double scoreSum = 0;
};

EntitySpan spanOf(const std::string& text, const std::vector<Token>& tokens, const Group& g) {
    EntitySpan e;
    e.label = g.type;
    e.firstToken = g.tokens.front();
    e.lastToken = g.tokens.back();
    e.byteBegin = std::min(tokens[static_cast<std::size_t>(e.firstToken)].byteBegin, text.size());
    e.byteEnd = std::clamp(tokens[static_cast<std::size_t>(e.lastToken)].byteEnd, e.byteBegin, text.size());
    // SentencePiece spans start at the space a word's "▁" stands for: the entity starts at its word.
    auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (e.byteBegin < e.byteEnd && isSpace(text[e.byteBegin])) ++e.byteBegin;
    while (e.byteEnd > e.byteBegin && isSpace(text[e.byteEnd - 1])) --e.byteEnd;
    e.text = text.substr(e.byteBegin, e.byteEnd - e.byteBegin);
    e.score = static_cast<float>(g.scoreSum / static_cast<double>(g.tokens.size()));
    return e;
}
}  // namespace

std::vector<EntitySpan> groupEntities(const std::string& text, const std::vector<Token>& tokens,
                                      const std::vector<TokenLabel>& labels) {
    std::vector<EntitySpan> out;
    Group open;
    auto close = [&] {
        if (!open.tokens.empty() && open.type != "O") out.push_back(spanOf(text, tokens, open));
        open = Group{};
    };
    const std::size_t n = std::min(tokens.size(), labels.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (!isLabelledToken(tokens[i])) continue;
        bool begin = false;
        const auto type = entityType(labels[i].best.label, &begin);
        if (open.tokens.empty() || type != open.type || begin) {
            close();
            open.type = type;
        }
        open.tokens.push_back(static_cast<int>(i));
        open.scoreSum += labels[i].best.score;
    }
    close();
    return out;
}

std::size_t codePointOffset(const std::string& text, std::size_t byteOffset) {
    std::size_t count = 0;
    const std::size_t end = std::min(byteOffset, text.size());
    for (std::size_t i = 0; i < end; ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++count;  // not a continuation byte
    return count;
}

}  // namespace ascope
