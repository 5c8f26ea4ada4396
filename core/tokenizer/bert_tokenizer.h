#pragma once
// Hugging Face's BertTokenizer (BertNormalizer + BertPreTokenizer + WordPiece), reproduced
// exactly, with every token carrying its byte span in the original text.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "checkpoint/model_config.h"
#include "tokenizer/text_tokenizer.h"
#include "tokenizer/vocab.h"
#include "util/expected.h"

namespace ascope {

class BertTokenizer final : public TextTokenizer {
public:
    BertTokenizer(Vocab vocab, TokenizerConfig config);
    // Reads vocab.txt and tokenizer_config.json from a Hugging Face folder.
    static Expected<BertTokenizer> fromFolder(const std::string& dir);

    // Tokens for `text`, with [CLS] ... [SEP] around them when addSpecialTokens.
    std::vector<Token> encode(std::string_view text, bool addSpecialTokens = true) const override;
    // A sentence pair, [CLS] A [SEP] B [SEP], B's tokens (and the last [SEP]) in segment 1. Spans
    // index pairText(a, b): B's start one byte (a line break) after A's end.
    std::vector<Token> encodePair(std::string_view a, std::string_view b) const override;
    // The normalised WordPiece pieces without ids (for vocabulary learning).
    std::vector<std::string> preTokenize(std::string_view text) const;

    const Vocab& vocab() const { return m_vocab; }
    const TokenizerConfig& config() const { return m_config; }
    int vocabSize() const override { return m_vocab.size(); }
    const std::string& tokenOf(int id) const override { return m_vocab.tokenOf(id); }
    int idOf(const std::string& token) const override { return m_vocab.idOf(token); }
    std::string labelOfEntry(const std::string&) const override { return {}; }  // WordPiece entries read as they are
    int clsId() const override { return m_cls; }
    int sepId() const override { return m_sep; }
    int maskId() const override { return m_mask; }
    int padId() const override { return m_pad; }
    std::string kind() const override { return "WordPiece"; }
    std::unique_ptr<TextTokenizer> clone() const override { return std::make_unique<BertTokenizer>(*this); }
    int unkId() const { return m_unk; }
    static constexpr int kMaxCharsPerWord = 100;

private:
    struct Word {
        std::u32string chars;
        std::vector<std::size_t> begins, ends;  // original byte span per char
    };
    std::vector<Word> splitWords(std::string_view text, std::size_t baseOffset) const;
    void wordPiece(const Word& word, std::vector<Token>& out) const;

    Vocab m_vocab;
    TokenizerConfig m_config;
    std::vector<std::string> m_specialTokens;  // those present in the vocabulary
    int m_cls = -1, m_sep = -1, m_mask = -1, m_pad = -1, m_unk = -1;
};

}  // namespace ascope
