#pragma once
// What every text tokenizer gives the models and the UI: tokens with ids and byte spans in the
// original text, the model's own special tokens, and a readable label for each token. WordPiece
// (BertTokenizer) and byte-level BPE (BpeTokenizer) implement it; tokenizer_loader.h picks one
// for a model folder.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ascope {

struct Token {
    std::string text;            // vocabulary entry ("##ing", "Ġthe", "[MASK]", "<mask>")
    int id = 0;
    std::size_t byteBegin = 0;   // span in the original UTF-8 text; [CLS]/[SEP] have empty spans
    std::size_t byteEnd = 0;
    bool special = false;        // [CLS], [SEP], [MASK], [PAD], [UNK] (or <s>, </s>, <mask>, ...) typed or added
    int segment = 0;             // sentence A (0) or B (1) of a pair: the token type id
    // How labels show the token where its vocabulary entry is not readable text: byte-level BPE's
    // "Ġthe" is "·the" (a word start), "Ã©" is "é". Empty: `text` is shown as it is.
    std::string label{};
};

// The text to show for a token (its label, else its vocabulary entry).
inline const std::string& labelOf(const Token& t) { return t.label.empty() ? t.text : t.label; }

// True for the start and end tokens a tokenizer adds or a user types: [CLS] and [SEP], <s> and </s>.
inline bool isStartToken(const Token& t) { return t.text == "[CLS]" || t.text == "<s>"; }
inline bool isEndToken(const Token& t) { return t.text == "[SEP]" || t.text == "</s>"; }
// True for a token the tokenizer's template added ([CLS], [SEP], <s>, </s></s>, [PAD]): special,
// with no span in the text (a typed [MASK] or [SEP] has one).
inline bool isAddedToken(const Token& t) { return t.special && t.byteBegin == t.byteEnd; }

// The marker that stands for a word start ("Ġ" of byte-level BPE, "▁" of SentencePiece) in labels.
inline constexpr const char* kWordStartMarker = "\xC2\xB7";  // U+00B7 MIDDLE DOT

// A token of a tokenizer.json's added_tokens, matched in the raw text before anything else.
struct AddedToken {
    std::string content;
    int id = 0;
    bool lstrip = false, rstrip = false;  // the whitespace before / after it belongs to it
    bool special = false;
};

// Splits `text` at its added tokens, leftmost first (the longest where several start at one
// place): `plain(begin, end)` for each stretch between them (lstrip/rstrip whitespace left out),
// `added(token, at)` for each match at byte `at`.
void splitAtAddedTokens(std::string_view text, const std::vector<AddedToken>& tokens,
                        const std::function<void(std::size_t, std::size_t)>& plain,
                        const std::function<void(const AddedToken&, std::size_t)>& added);

class TextTokenizer {
public:
    virtual ~TextTokenizer() = default;

    // Tokens for `text`, with the model's start and end tokens around them when addSpecialTokens.
    virtual std::vector<Token> encode(std::string_view text, bool addSpecialTokens = true) const = 0;
    // A sentence pair in the model's convention ([CLS] A [SEP] B [SEP], or <s> A </s></s> B </s>),
    // B's tokens in segment 1. Spans index pairText(a, b).
    virtual std::vector<Token> encodePair(std::string_view a, std::string_view b) const = 0;
    // The text a pair's spans index: A, a line break, B.
    static std::string pairText(std::string_view a, std::string_view b);
    // The offset of B's first byte in pairText(a, b).
    static std::size_t pairOffset(std::string_view a) { return a.size() + 1; }
    // Appends B's tokens (spans in b) to `out`, moved to their place in pairText(a, b), in segment 1.
    static void appendSegmentB(std::vector<Token>& out, std::vector<Token> tokensOfB, std::string_view a);

    virtual int vocabSize() const = 0;
    virtual const std::string& tokenOf(int id) const = 0;  // a placeholder for an unknown id
    virtual int idOf(const std::string& token) const = 0;  // -1 when absent
    // The readable label of vocabulary entry `token` (see Token::label); "" when it reads as it is.
    virtual std::string labelOfEntry(const std::string& token) const = 0;
    virtual int clsId() const = 0;  // the start token ([CLS], <s>)
    virtual int sepId() const = 0;  // the end token ([SEP], </s>)
    virtual int maskId() const = 0;
    virtual int padId() const = 0;
    const std::string& maskToken() const { return tokenOf(maskId()); }
    // "WordPiece" or "BPE" (byte-level).
    virtual std::string kind() const = 0;
    virtual std::unique_ptr<TextTokenizer> clone() const = 0;

    // Turns `t` into the mask token (text, id and label), keeping its span.
    void mask(Token& t) const;
    // True when `t` is this tokenizer's mask token.
    bool isMask(const Token& t) const { return t.id == maskId(); }
};

}  // namespace ascope
