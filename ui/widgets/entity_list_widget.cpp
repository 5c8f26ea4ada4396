#include "widgets/entity_list_widget.h"

#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

namespace ascope::ui {

namespace {
// Light colours (ColorBrewer Set3) that keep black text readable on a chip.
const QColor kPalette[] = {QColor("#8dd3c7"), QColor("#fdb462"), QColor("#bebada"), QColor("#fb8072"),
                           QColor("#80b1d3"), QColor("#b3de69"), QColor("#fccde5"), QColor("#ffed6f"),
                           QColor("#bc80bd"), QColor("#ccebc5"), QColor("#d9d9d9"), QColor("#ffffb3")};

// An entity's text as its button shows it: a long one (an entity that runs across much of a text)
// keeps its start and end around an ellipsis, so the list never outgrows its column.
QString shownEntityText(const QString& text) {
    constexpr int kMax = 40;
    return text.size() <= kMax ? text : text.left(kMax / 2 - 1) + QChar(0x2026) + text.right(kMax / 2 - 1);
}
}  // namespace

QMap<QString, QColor> EntityListWidget::colorsFor(const std::vector<std::string>& labelNames) {
    QMap<QString, QColor> colors;
    int next = 0;
    for (const auto& name : labelNames) {  // in id order, so a model's colours never change
        const QString type = QString::fromStdString(entityType(name));
        if (type == QLatin1String("O") || colors.contains(type)) continue;
        colors.insert(type, kPalette[next++ % static_cast<int>(std::size(kPalette))]);
    }
    return colors;
}

EntityListWidget::EntityListWidget(QWidget* parent) : QWidget(parent) {
    m_layout = new QVBoxLayout(this);
    m_layout->setContentsMargins(4, 4, 4, 4);
    auto* title = new QLabel(tr("<b>Entities</b> (click one to select its tokens in the heatmap)"), this);
    title->setWordWrap(true);
    m_layout->addWidget(title);
    m_legend = new QLabel(this);
    m_legend->setWordWrap(true);
    m_layout->addWidget(m_legend);
    m_empty = new QLabel(tr("No entity in this text: every token is labelled O."), this);
    m_empty->setWordWrap(true);
    m_layout->addWidget(m_empty);
    m_layout->addStretch(1);
}

QString EntityListWidget::legendText() const { return m_legend->text(); }

void EntityListWidget::setAnalysis(const TextAnalysis& analysis) {
    for (auto* b : m_buttons) b->deleteLater();
    m_buttons.clear();
    m_selected = -1;
    m_entities = groupEntities(analysis.text, analysis.tokens, analysis.tokenLabels);
    const auto colors = colorsFor(analysis.labelNames);
    QStringList legend;
    for (auto it = colors.begin(); it != colors.end(); ++it)
        legend << QStringLiteral("<span style=\"background:%1;color:black\">&nbsp;%2&nbsp;</span>")
                      .arg(it.value().name(), it.key().toHtmlEscaped());
    m_legend->setText(legend.join(QLatin1Char(' ')));
    m_empty->setVisible(m_entities.empty());
    for (std::size_t i = 0; i < m_entities.size(); ++i) {
        const auto& e = m_entities[i];
        const QString type = QString::fromStdString(e.label);
        auto* b = new QToolButton(this);
        b->setCheckable(true);
        const QString text = QString::fromStdString(e.text);
        b->setText(tr("%1   %2 · %3%").arg(shownEntityText(text), type).arg(100.0 * e.score, 0, 'f', 1));
        b->setToolTip(tr("%1\nTokens %2–%3").arg(text).arg(e.firstToken).arg(e.lastToken));
        // Ignored: the column's width decides, never the text's (a wide button would centre its text out of view).
        b->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
        b->setToolButtonStyle(Qt::ToolButtonTextOnly);
        const QColor c = colors.value(type, QColor("#d9d9d9"));
        b->setStyleSheet(QStringLiteral("QToolButton{background:%1;color:black;border:1px solid palette(mid);border-radius:4px;"
                                        "padding:3px 6px;text-align:left}QToolButton:checked{border:3px solid #00a0e0}")
                             .arg(c.name()));
        const int index = static_cast<int>(i);
        connect(b, &QToolButton::clicked, this, [this, index] {
            const bool select = m_selected != index;
            setSelectedEntity(select ? index : -1);
            if (select) emit entitySelected(m_entities[static_cast<std::size_t>(index)].firstToken,
                                            m_entities[static_cast<std::size_t>(index)].lastToken);
            else emit entitySelected(-1, -1);
        });
        m_layout->insertWidget(m_layout->count() - 1, b);
        m_buttons.push_back(b);
    }
}

void EntityListWidget::setSelectedEntity(int index) {
    m_selected = index >= 0 && index < static_cast<int>(m_buttons.size()) ? index : -1;
    for (std::size_t i = 0; i < m_buttons.size(); ++i) m_buttons[i]->setChecked(static_cast<int>(i) == m_selected);
}

}  // namespace ascope::ui
