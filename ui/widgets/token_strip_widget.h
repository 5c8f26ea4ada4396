#pragma once
// The token strip under the sentence box: one chip per WordPiece token. Clicking a chip (or
// Space on a focused chip) toggles it to [MASK] and back; hovering shows id and character span.
// A chip's context menu also blocks the token inside attention (no query may attend to it).
#include <QStringList>
#include <QWidget>
#include <set>
#include <vector>

#include "tokenizer/bert_tokenizer.h"

class QHBoxLayout;
class QToolButton;

namespace ascope::ui {

class TokenStripWidget : public QWidget {
    Q_OBJECT
public:
    explicit TokenStripWidget(QWidget* parent = nullptr);
    // `text` is what the user typed (for the spans); `masked` are token indices shown as [MASK];
    // `blocked` are tokens the attention mask hides from every query (drawn struck through).
    void setTokens(const QString& text, const std::vector<Token>& tokens, const std::set<int>& masked,
                   const std::set<int>& blocked = {});
    // The height of one row of chips (what the strip needs to show them unclipped).
    int rowHeight() const;
    int chipCount() const { return static_cast<int>(m_chips.size()); }
    QToolButton* chip(int index) const { return m_chips.at(static_cast<std::size_t>(index)); }

signals:
    void tokenToggled(int index);
    void blockToggled(int index);

private:
    QHBoxLayout* m_layout;
    std::vector<QToolButton*> m_chips;
};

}  // namespace ascope::ui
