#pragma once
// Hugging Face's byte-level BPE tokenizer (GPT-2, RoBERTa) read from a model's tokenizer.json: the
// added tokens matched first (with their lstrip/rstrip), the ByteLevel pre-tokenizer (GPT-2's split
// of letters, numbers, other symbols and whitespace, every byte mapped to a printable character,
// 'Ġ' for a space), the BPE merges by rank, and RobertaProcessing's <s> ... </s>. Every token keeps
// its byte span in the original text (trim_offsets: a word's leading space is not part of it).
// RoBERTa's pair convention is <s> A </s></s> B </s>. Labels decode the byte symbols back into
// text, with a word-start marker for 'Ġ' (see Token::label).
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "tokenizer/text_tokenizer.h"
#include "util/expected.h"

namespace ascope {

class BpeTokenizer final : public TextTokenizer {
public:
    // Reads tokenizer.json; refuses any model other than BPE with a ByteLevel pre-tokenizer, naming it.
    static Expected<BpeTokenizer> fromFile(const std::string& path);
    static Expected<BpeTokenizer> fromJsonText(const std::string& text, const std::string& source);
    // The same from a tokenizer.json already parsed.
    static Expected<BpeTokenizer> fromJson(const nlohmann::json& j, const std::string& source);

    // <s> text </s> with addSpecialTokens (RobertaProcessing), else the tokens alone.
    std::vector<Token> encode(std::string_view text, bool addSpecialTokens = true) const override;
    std::vector<Token> encodePair(std::string_view a, std::string_view b) const override;
    // The pre-tokenizer's pieces as byte spans of `text` (GPT-2's regular expression).
    static std::vector<std::pair<std::size_t, std::size_t>> splitWords(std::string_view text);
    // The printable character that stands for byte b (GPT-2's bytes_to_unicode), UTF-8 encoded.
    static const std::string& byteSymbol(unsigned char b);

    int idOf(const std::string& token) const override;  // -1 when absent
    const std::string& tokenOf(int id) const override;
    int vocabSize() const override { return static_cast<int>(m_tokens.size()); }
    std::string labelOfEntry(const std::string& token) const override;
    int clsId() const override { return m_cls.second; }
    int sepId() const override { return m_sep.second; }
    int maskId() const override { return m_mask; }
    int padId() const override { return m_pad; }
    std::string kind() const override { return "BPE"; }
    std::unique_ptr<TextTokenizer> clone() const override { return std::make_unique<BpeTokenizer>(*this); }
    // The bytes that a byte-level string stands for ("Ġthe" -> " the"); false when a character is
    // not one of the 256 byte symbols.
    static bool decodeByteSymbols(const std::string& symbols, std::string& bytes);

private:
    // The BPE of one pre-tokenized word (its bytes as symbols), as vocabulary ids with byte spans.
    void bpe(std::string_view text, std::size_t begin, std::size_t end, std::vector<Token>& out) const;
    void encodePlain(std::string_view text, std::size_t begin, std::size_t end, std::vector<Token>& out) const;

    std::unordered_map<std::string, int> m_ids;
    std::vector<std::string> m_tokens;                // id -> token ("" for gaps)
    std::map<std::pair<std::string, std::string>, int> m_ranks;  // merge -> rank (lower merges first)
    std::vector<AddedToken> m_added;
    bool m_addPrefixSpace = false;
    std::pair<std::string, int> m_cls{"<s>", 0}, m_sep{"</s>", 2};
    bool m_postProcess = false;  // RobertaProcessing present
    int m_mask = -1, m_pad = -1, m_unk = -1;
};

}  // namespace ascope
