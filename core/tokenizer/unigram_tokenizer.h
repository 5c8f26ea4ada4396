#pragma once
// SentencePiece Unigram as Hugging Face's tokenizers runs it from a tokenizer.json (ALBERT, XLM-R,
// CamemBERT, T5): added tokens matched first (with lstrip/rstrip), the normalizer (text_normalizer.h,
// Precompiled included), the Metaspace pre-tokenizer (spaces become '▁', one prepended, a piece
// starting at every '▁'; WhitespaceSplit before it as XLM-R's Sequence has), the most probable
// segmentation of each piece (Viterbi over the pieces' log probabilities; a character no piece
// covers is <unk>, consecutive ones fused), and a TemplateProcessing post-processor. Tokens keep
// byte spans of the original text through normalisation.
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/text_normalizer.h"
#include "tokenizer/text_tokenizer.h"
#include "util/expected.h"

namespace ascope {

class UnigramTokenizer final : public TextTokenizer {
public:
    static Expected<UnigramTokenizer> fromJsonText(const std::string& text, const std::string& source);
    // The same from a tokenizer.json already parsed.
    static Expected<UnigramTokenizer> fromJson(const nlohmann::json& j, const std::string& source);

    std::vector<Token> encode(std::string_view text, bool addSpecialTokens = true) const override;
    std::vector<Token> encodePair(std::string_view a, std::string_view b) const override;
    int vocabSize() const override { return static_cast<int>(m_pieces.size()); }
    const std::string& tokenOf(int id) const override;
    int idOf(const std::string& token) const override;
    std::string labelOfEntry(const std::string& token) const override;
    int clsId() const override { return m_cls; }
    int sepId() const override { return m_sep; }
    int maskId() const override { return m_mask; }
    int padId() const override { return m_pad; }
    std::string kind() const override { return "Unigram"; }
    std::unique_ptr<TextTokenizer> clone() const override { return std::make_unique<UnigramTokenizer>(*this); }

private:
    // One template item: a special token or sentence A/B, with its type id.
    struct TemplateItem {
        std::string special;  // empty: the sequence
        int sequence = 0;     // 0: A, 1: B
        int typeId = 0;
    };
    // The tokens of `text` without the template, spans shifted by `offset`.
    std::vector<Token> encodeBody(std::string_view text, std::size_t offset) const;
    void encodeSegment(std::string_view text, std::size_t offset, std::vector<Token>& out) const;
    void viterbi(const AlignedText& piece, std::vector<Token>& out) const;
    std::vector<Token> applyTemplate(const std::vector<TemplateItem>& items, std::vector<Token> a, std::vector<Token> b,
                                     std::size_t endA, std::size_t endB) const;

    std::vector<std::string> m_pieces;
    std::vector<double> m_scores;
    std::unordered_map<std::string, int> m_ids;
    std::size_t m_maxPieceBytes = 0;
    int m_unk = -1;
    double m_unkScore = 0;
    bool m_fuseUnk = true;
    bool m_byteFallback = false;
    TextNormalizer m_normalizer;
    std::vector<AddedToken> m_added;
    // Pre-tokenizer: Metaspace (with an optional WhitespaceSplit first).
    std::string m_replacement = "\xE2\x96\x81";  // ▁
    bool m_whitespaceSplit = false;
    enum class Prepend { Always, First, Never } m_prepend = Prepend::Always;
    bool m_split = true;
    std::vector<TemplateItem> m_single, m_pair;
    int m_cls = -1, m_sep = -1, m_mask = -1, m_pad = -1;
};

}  // namespace ascope
