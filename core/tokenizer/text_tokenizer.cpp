#include "tokenizer/text_tokenizer.h"

namespace ascope {

std::string TextTokenizer::pairText(std::string_view a, std::string_view b) {
    std::string text(a);
    text += '\n';
    text += b;
    return text;
}

void TextTokenizer::mask(Token& t) const {
    t.id = maskId();
    t.text = maskToken();
    t.label.clear();
}

}  // namespace ascope
