#include "tokenizer/text_tokenizer.h"

namespace ascope {

std::string TextTokenizer::pairText(std::string_view a, std::string_view b) {
    std::string text(a);
    text += '\n';
    text += b;
    return text;
}

void TextTokenizer::appendSegmentB(std::vector<Token>& out, std::vector<Token> tokensOfB, std::string_view a) {
    const std::size_t shift = pairOffset(a);
    for (auto& token : tokensOfB) {
        token.byteBegin += shift;
        token.byteEnd += shift;
        token.segment = 1;
        out.push_back(std::move(token));
    }
}

void splitAtAddedTokens(std::string_view text, const std::vector<AddedToken>& tokens,
                        const std::function<void(std::size_t, std::size_t)>& plain,
                        const std::function<void(const AddedToken&, std::size_t)>& added) {
    auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t at = std::string_view::npos;
        const AddedToken* found = nullptr;
        for (const auto& a : tokens) {
            if (a.content.empty()) continue;
            const auto k = text.find(a.content, pos);
            if (k == std::string_view::npos) continue;
            if (k < at || (k == at && a.content.size() > found->content.size())) {
                at = k;
                found = &a;
            }
        }
        if (!found) {
            plain(pos, text.size());
            return;
        }
        std::size_t before = at, after = at + found->content.size();
        if (found->lstrip)
            while (before > pos && isSpace(text[before - 1])) --before;
        if (found->rstrip)
            while (after < text.size() && isSpace(text[after])) ++after;
        if (before > pos) plain(pos, before);
        added(*found, at);
        pos = after;
    }
}

void TextTokenizer::mask(Token& t) const {
    t.id = maskId();
    t.text = maskToken();
    t.label.clear();
}

}  // namespace ascope
