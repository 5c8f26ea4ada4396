#include "widgets/token_strip_widget.h"

#include <QMenu>
#include <QPainter>
#include <QToolButton>

namespace ascope::ui {

namespace {
constexpr int kMargin = 2;   // above and below the chips
constexpr int kSpacing = 4;  // between chips
}  // namespace

TokenStripWidget::TokenStripWidget(QWidget* parent) : QWidget(parent) {
    setToolTip(tr("Click a token to mask it; click again to restore it"));
}

void TokenStripWidget::setMaskToken(const QString& token, int id) {
    m_maskToken = token;
    m_maskId = id;
}

int TokenStripWidget::rowHeight(bool tagged) const {
    QToolButton probe;
    probe.setText(tagged ? QStringLiteral("[MASK]\nB-MISC") : QStringLiteral("[MASK]"));
    probe.setStyleSheet(QStringLiteral("QToolButton{border:1px solid gray;border-radius:4px;padding:3px 6px;font-weight:bold}"));
    return probe.sizeHint().height() + 2 * kMargin;
}

void TokenStripWidget::setTokens(const QString& text, const std::vector<Token>& tokens, const std::set<int>& masked,
                                 const std::set<int>& blocked) {
    for (auto* c : m_chips) c->deleteLater();
    m_chips.clear();
    m_chipTexts.clear();
    m_tagged = false;
    m_ranges.clear();
    const QByteArray utf8 = text.toUtf8();
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const auto& t = tokens[i];
        const bool isMasked = masked.count(static_cast<int>(i)) > 0;
        auto* chip = new QToolButton(this);
        const bool typedMask = m_maskId >= 0 ? t.id == m_maskId : t.text == m_maskToken.toStdString();
        const QString entry = QString::fromStdString(t.text);
        chip->setText(isMasked ? m_maskToken : QString::fromStdString(labelOf(t)));
        chip->setCheckable(true);
        chip->setChecked(isMasked || typedMask);
        chip->setAutoRaise(false);
        chip->setFocusPolicy(Qt::StrongFocus);
        chip->setAccessibleName(QStringLiteral("token %1 %2").arg(i).arg(chip->text()));
        const bool structural = isAddedToken(t);  // [CLS] / [SEP] added by the tokenizer
        chip->setEnabled(!structural);
        const QString source = QString::fromUtf8(utf8.mid(static_cast<int>(t.byteBegin), static_cast<int>(t.byteEnd - t.byteBegin)));
        // Character span in what the user typed (UTF-16 code units, as the text box counts).
        const auto charBegin = QString::fromUtf8(utf8.left(static_cast<int>(t.byteBegin))).size();
        chip->setToolTip(structural ? tr("%1 (id %2), added by the tokenizer").arg(entry).arg(t.id)
                                    : tr("%1 · id %2 · characters %3–%4 (\"%5\")\nClick to %6")
                                          .arg(entry)
                                          .arg(t.id)
                                          .arg(charBegin)
                                          .arg(charBegin + source.size())
                                          .arg(source)
                                          .arg(isMasked ? tr("restore it") : tr("mask it")));
        const int index = static_cast<int>(i);
        const bool isBlocked = blocked.count(index) > 0;
        QString style = isMasked || typedMask
                            ? QStringLiteral("QToolButton{background:#e8a33d;color:black;border-radius:4px;padding:3px 6px;font-weight:bold")
                            : QStringLiteral("QToolButton{border:1px solid palette(mid);border-radius:4px;padding:3px 6px");
        if (isBlocked) style += QStringLiteral(";text-decoration:line-through;border:1px dashed #777");
        chip->setStyleSheet(style + QLatin1Char('}'));
        if (isBlocked) chip->setToolTip(chip->toolTip() + tr("\nBlocked: no query may attend to it"));
        connect(chip, &QToolButton::clicked, this, [this, index] { emit tokenToggled(index); });
        chip->setContextMenuPolicy(Qt::CustomContextMenu);
        connect(chip, &QWidget::customContextMenuRequested, this, [this, chip, index, isMasked, isBlocked](const QPoint& at) {
            QMenu menu(chip);
            menu.addAction(isMasked ? tr("Restore the token") : tr("Mask it (%1)").arg(m_maskToken), this, [this, index] { emit tokenToggled(index); });
            menu.addAction(isBlocked ? tr("Unblock it in attention") : tr("Block it in attention (no query may attend to it)"), this,
                           [this, index] { emit blockToggled(index); });
            menu.exec(chip->mapToGlobal(at));
        });
        m_chips.push_back(chip);
        m_chipTexts.push_back(chip->text());
    }
    placeChips();
}

void TokenStripWidget::placeChips() {
    const int height = rowHeight(m_tagged);
    int x = 0;
    for (auto* chip : m_chips) {
        const QSize hint = chip->sizeHint();
        chip->setGeometry(x, (height - hint.height()) / 2, hint.width(), hint.height());
        chip->show();
        x += hint.width() + kSpacing;
    }
    setMinimumSize(std::max(0, x - kSpacing), height);
    updateGeometry();
    update();
}

void TokenStripWidget::setHighlightedRange(int first, int last) {
    setHighlightedRanges(first >= 0 && last >= first ? std::vector<std::pair<int, int>>{{first, last}}
                                                     : std::vector<std::pair<int, int>>{});
}

void TokenStripWidget::setHighlightedRanges(std::vector<std::pair<int, int>> ranges) {
    m_ranges = std::move(ranges);
    update();
}

void TokenStripWidget::paintEvent(QPaintEvent* event) {
    QWidget::paintEvent(event);
    const int n = chipCount();
    QPainter painter(this);
    QColor band = palette().color(QPalette::Highlight);
    band.setAlpha(70);
    painter.setPen(Qt::NoPen);
    painter.setBrush(band);
    for (const auto& [from, to] : m_ranges) {
        if (from < 0 || to < from || from >= n) continue;
        const QRect first = m_chips[static_cast<std::size_t>(from)]->geometry();
        const QRect last = m_chips[static_cast<std::size_t>(std::min(to, n - 1))]->geometry();
        painter.drawRoundedRect(QRect(QPoint(first.left() - 2, 0), QPoint(last.right() + 2, height() - 1)), 5, 5);
    }
}

void TokenStripWidget::setTags(const std::vector<Tag>& tags) {
    m_tagged = false;
    for (std::size_t i = 0; i < m_chips.size(); ++i) {
        auto* chip = m_chips[i];
        const Tag* tag = i < tags.size() && !tags[i].label.isEmpty() ? &tags[i] : nullptr;
        chip->setText(tag ? m_chipTexts[i] + QLatin1Char('\n') + tag->label : m_chipTexts[i]);
        if (!tag) continue;
        m_tagged = true;
        chip->setToolTip(chip->toolTip() + tr("\nLabel: %1 (%2%)").arg(tag->label).arg(100.0 * tag->score, 0, 'f', 1));
        if (tag->color.isValid() && !chip->isChecked())
            chip->setStyleSheet(chip->styleSheet().replace(QStringLiteral("QToolButton{"),
                                                           QStringLiteral("QToolButton{background:%1;color:black;").arg(tag->color.name())));
    }
    placeChips();
}

}  // namespace ascope::ui
