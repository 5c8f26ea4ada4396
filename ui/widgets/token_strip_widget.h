#pragma once
// The token strip under the sentence box: one chip per token (its readable label: byte-level
// BPE's "Ġthe" shows as "·the"). Clicking a chip (or Space on a focused chip) toggles it to the
// tokenizer's mask token ([MASK], <mask>) and back; hovering shows entry, id and character span.
// A chip's context menu also blocks the token inside attention (no query may attend to it).
// Chips are placed once when the tokens change (no layout pass over them afterwards), so that a
// text of thousands of tokens scrolls and resizes without delay.
#include <QColor>
#include <QStringList>
#include <QWidget>
#include <set>
#include <utility>
#include <vector>

#include "tokenizer/text_tokenizer.h"

class QToolButton;

namespace ascope::ui {

class TokenStripWidget : public QWidget {
    Q_OBJECT
public:
    explicit TokenStripWidget(QWidget* parent = nullptr);
    // The model's mask token and its id (default [MASK], 4), used by the next setTokens.
    void setMaskToken(const QString& token, int id);
    // `text` is what the user typed (for the spans); `masked` are token indices shown as [MASK];
    // `blocked` are tokens the attention mask hides from every query (drawn struck through).
    void setTokens(const QString& text, const std::vector<Token>& tokens, const std::set<int>& masked,
                   const std::set<int>& blocked = {});
    // A token classifier's label under each chip (an empty label leaves the chip as it is), the
    // chip tinted with its entity type's colour; cleared by setTokens.
    struct Tag {
        QString label;
        QColor color;
        float score = 0.f;
    };
    void setTags(const std::vector<Tag>& tags);
    bool hasTags() const { return m_tagged; }
    // The height of one row of chips (what the strip needs to show them unclipped), with or
    // without a label line under each.
    int rowHeight(bool tagged = false) const;
    int chipCount() const { return static_cast<int>(m_chips.size()); }
    // Tokens first..last (inclusive) lie on a tinted band: the window a long text's views show, or
    // what truncation keeps. (-1, -1) removes it.
    void setHighlightedRange(int first, int last);
    // Several bands (a truncated pair keeps the start of each sentence); none: no band.
    void setHighlightedRanges(std::vector<std::pair<int, int>> ranges);
    // The first band, (-1, -1) without one.
    std::pair<int, int> highlightedRange() const { return m_ranges.empty() ? std::make_pair(-1, -1) : m_ranges.front(); }
    const std::vector<std::pair<int, int>>& highlightedRanges() const { return m_ranges; }
    QSize sizeHint() const override { return minimumSize(); }
    QToolButton* chip(int index) const { return m_chips.at(static_cast<std::size_t>(index)); }

signals:
    void tokenToggled(int index);
    void blockToggled(int index);

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    void placeChips();

    std::vector<std::pair<int, int>> m_ranges;  // inclusive token ranges on a band
    std::vector<QToolButton*> m_chips;
    std::vector<QString> m_chipTexts;
    QString m_maskToken = QStringLiteral("[MASK]");
    int m_maskId = -1;
    bool m_tagged = false;
};

}  // namespace ascope::ui
