#include "tokenizer/unicode_rules.h"

#include <utf8proc.h>

namespace ascope::unicode {

namespace {
utf8proc_category_t category(char32_t cp) {
    return utf8proc_category(static_cast<utf8proc_int32_t>(cp));
}
}  // namespace

bool isControl(char32_t cp) {
    if (cp == U'\t' || cp == U'\n' || cp == U'\r') return false;
    switch (category(cp)) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CN:
        return true;
    default:
        return false;
    }
}

bool isWhitespace(char32_t cp) {
    if (cp == U' ' || cp == U'\t' || cp == U'\n' || cp == U'\r') return true;
    const auto c = category(cp);
    return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

bool isPunctuation(char32_t cp) {
    if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126))
        return true;
    switch (category(cp)) {
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
        return true;
    default:
        return false;
    }
}

bool isChineseChar(char32_t cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
           (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

bool isCased(char32_t cp) {
    const auto c = category(cp);
    return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LL || c == UTF8PROC_CATEGORY_LT;
}

bool isCaseIgnorable(char32_t cp) {
    if (cp == U'\'' || cp == U'.' || cp == U':' || cp == 0x00B7 || cp == 0x2019) return true;
    const auto c = category(cp);
    return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_ME || c == UTF8PROC_CATEGORY_CF ||
           c == UTF8PROC_CATEGORY_LM || c == UTF8PROC_CATEGORY_SK;
}

std::u32string toLower(char32_t cp, bool finalSigma) {
    if (cp == 0x0130) return U"i\u0307";  // the one unconditional multi-character lower-case mapping
    if (cp == 0x03A3) return std::u32string(1, finalSigma ? 0x03C2 : 0x03C3);
    return std::u32string(1, static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp))));
}

std::u32string stripAccents(char32_t cp) {
    utf8proc_int32_t buffer[32];
    int boundclass = 0;
    const auto n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), buffer, 32, UTF8PROC_DECOMPOSE,
                                           &boundclass);
    std::u32string out;
    if (n < 0 || n > 32) {
        out.push_back(cp);
        return out;
    }
    for (utf8proc_ssize_t i = 0; i < n; ++i)
        if (category(static_cast<char32_t>(buffer[i])) != UTF8PROC_CATEGORY_MN)
            out.push_back(static_cast<char32_t>(buffer[i]));
    return out;
}

}  // namespace ascope::unicode
