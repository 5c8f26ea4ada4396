#include "tokenizer/bert_tokenizer.h"

#include <filesystem>

#include "tokenizer/unicode_rules.h"
#include "util/utf8.h"

namespace ascope {

namespace {
constexpr const char* kSpecials[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};

struct Piece {
    std::string_view text;
    std::size_t offset;
    bool special;
};

// Splits the raw text at special tokens typed by the user (exact case, anywhere, also glued to
// words), as Hugging Face does for added tokens before normalisation.
std::vector<Piece> splitSpecials(std::string_view text, const std::vector<std::string>& specials) {
    std::vector<Piece> out;
    std::size_t start = 0, pos = 0;
    while (pos < text.size()) {
        std::size_t best = 0;
        for (const auto& s : specials)
            if (s.size() > best && text.compare(pos, s.size(), s) == 0) best = s.size();
        if (best == 0) {
            ++pos;
            continue;
        }
        if (pos > start) out.push_back({text.substr(start, pos - start), start, false});
        out.push_back({text.substr(pos, best), pos, true});
        pos += best;
        start = pos;
    }
    if (start < text.size()) out.push_back({text.substr(start), start, false});
    return out;
}
}  // namespace

BertTokenizer::BertTokenizer(Vocab vocab, TokenizerConfig config) : m_vocab(std::move(vocab)), m_config(config) {
    for (const char* s : kSpecials)
        if (m_vocab.idOf(s) >= 0) m_specialTokens.push_back(s);
    m_pad = m_vocab.idOf("[PAD]");
    m_unk = m_vocab.idOf("[UNK]");
    m_cls = m_vocab.idOf("[CLS]");
    m_sep = m_vocab.idOf("[SEP]");
    m_mask = m_vocab.idOf("[MASK]");
}

Expected<BertTokenizer> BertTokenizer::fromFolder(const std::string& dir) {
    const auto vocabPath = (std::filesystem::path(dir) / "vocab.txt").string();
    auto vocab = Vocab::fromFile(vocabPath);
    if (!vocab) return vocab.errorValue();
    for (const char* s : {"[UNK]", "[CLS]", "[SEP]"})
        if (vocab->idOf(s) < 0) return makeError(ErrorKind::InvalidInput, vocabPath + ": the vocabulary has no " + std::string(s) + " token");
    auto config = TokenizerConfig::fromFolder(dir);
    if (!config) return config.errorValue();
    return BertTokenizer(std::move(*vocab), *config);
}

std::vector<BertTokenizer::Word> BertTokenizer::splitWords(std::string_view text, std::size_t baseOffset) const {
    // 1. Clean: drop NUL, U+FFFD and control characters; every whitespace becomes a space.
    std::vector<utf8::CodePoint> cleaned;
    for (auto cp : utf8::decode(text)) {
        if (cp.value == 0 || cp.value == 0xFFFD || unicode::isControl(cp.value)) continue;
        if (unicode::isWhitespace(cp.value)) cp.value = U' ';
        cp.byteBegin += baseOffset;
        cp.byteEnd += baseOffset;
        cleaned.push_back(cp);
    }
    // 2. Normalise each character (CJK split, lower-case, accent strip), remembering its origin.
    Word all;
    auto emit = [&all](char32_t c, const utf8::CodePoint& origin) {
        all.chars.push_back(c);
        all.begins.push_back(origin.byteBegin);
        all.ends.push_back(origin.byteEnd);
    };
    const bool strip = m_config.shouldStripAccents();
    for (std::size_t i = 0; i < cleaned.size(); ++i) {
        const auto& cp = cleaned[i];
        if (m_config.tokenizeChineseChars && unicode::isChineseChar(cp.value)) {
            emit(U' ', cp);
            emit(cp.value, cp);
            emit(U' ', cp);
            continue;
        }
        std::u32string chars(1, cp.value);
        if (m_config.doLowerCase) {
            bool finalSigma = false;
            if (cp.value == 0x03A3) {
                std::size_t j = i;
                while (j > 0 && unicode::isCaseIgnorable(cleaned[j - 1].value)) --j;
                const bool casedBefore = j > 0 && unicode::isCased(cleaned[j - 1].value);
                std::size_t k = i + 1;
                while (k < cleaned.size() && unicode::isCaseIgnorable(cleaned[k].value)) ++k;
                const bool casedAfter = k < cleaned.size() && unicode::isCased(cleaned[k].value);
                finalSigma = casedBefore && !casedAfter;
            }
            chars = unicode::toLower(cp.value, finalSigma);
        }
        for (char32_t c : chars) {
            if (strip) {
                for (char32_t d : unicode::stripAccents(c)) emit(d, cp);
            } else {
                emit(c, cp);
            }
        }
    }
    // 3. Split on whitespace; every punctuation character is a word of its own.
    std::vector<Word> words;
    Word current;
    auto flush = [&]() {
        if (!current.chars.empty()) words.push_back(std::move(current));
        current = Word();
    };
    for (std::size_t i = 0; i < all.chars.size(); ++i) {
        const char32_t c = all.chars[i];
        if (unicode::isWhitespace(c)) {
            flush();
        } else if (unicode::isPunctuation(c)) {
            flush();
            current.chars.push_back(c);
            current.begins.push_back(all.begins[i]);
            current.ends.push_back(all.ends[i]);
            flush();
        } else {
            current.chars.push_back(c);
            current.begins.push_back(all.begins[i]);
            current.ends.push_back(all.ends[i]);
        }
    }
    flush();
    return words;
}

void BertTokenizer::wordPiece(const Word& word, std::vector<Token>& out) const {
    const std::size_t n = word.chars.size();
    auto unknown = [&]() {
        out.push_back(Token{m_vocab.tokenOf(m_unk), m_unk, word.begins.front(), word.ends.back(), false});
    };
    if (n > static_cast<std::size_t>(kMaxCharsPerWord)) {
        unknown();
        return;
    }
    std::vector<std::string> encoded(n);
    for (std::size_t i = 0; i < n; ++i) utf8::append(encoded[i], word.chars[i]);

    std::vector<Token> pieces;
    std::size_t start = 0;
    while (start < n) {
        std::size_t end = n;
        int found = -1;
        std::string candidate;
        while (start < end) {
            candidate = start > 0 ? "##" : "";
            for (std::size_t i = start; i < end; ++i) candidate += encoded[i];
            found = m_vocab.idOf(candidate);
            if (found >= 0) break;
            --end;
        }
        if (found < 0) {
            unknown();
            return;
        }
        pieces.push_back(Token{candidate, found, word.begins[start], word.ends[end - 1], false});
        start = end;
    }
    out.insert(out.end(), pieces.begin(), pieces.end());
}

std::vector<Token> BertTokenizer::encode(std::string_view text, bool addSpecialTokens) const {
    std::vector<Token> out;
    if (addSpecialTokens) out.push_back(Token{"[CLS]", m_cls, 0, 0, true});
    for (const auto& piece : splitSpecials(text, m_specialTokens)) {
        if (piece.special) {
            const std::string s(piece.text);
            out.push_back(Token{s, m_vocab.idOf(s), piece.offset, piece.offset + piece.text.size(), true});
            continue;
        }
        for (const auto& word : splitWords(piece.text, piece.offset)) wordPiece(word, out);
    }
    if (addSpecialTokens) out.push_back(Token{"[SEP]", m_sep, text.size(), text.size(), true});
    return out;
}

std::vector<Token> BertTokenizer::encodePair(std::string_view a, std::string_view b) const {
    auto out = encode(a);
    const std::size_t shift = pairOffset(a);
    appendSegmentB(out, encode(b, false), a);
    out.push_back(Token{"[SEP]", m_sep, shift + b.size(), shift + b.size(), true, 1});
    return out;
}

std::vector<std::string> BertTokenizer::preTokenize(std::string_view text) const {
    std::vector<std::string> out;
    for (const auto& piece : splitSpecials(text, m_specialTokens)) {
        if (piece.special) {
            out.emplace_back(piece.text);
            continue;
        }
        for (const auto& word : splitWords(piece.text, piece.offset)) out.push_back(utf8::encode(word.chars));
    }
    return out;
}

}  // namespace ascope
