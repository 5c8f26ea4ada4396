#include "widgets/attention_arc_widget.h"

#include <QMouseEvent>
#include <QPainter>
#include <algorithm>

namespace ascope::ui {

namespace {
constexpr double kTop = 36;
}

AttentionArcWidget::AttentionArcWidget(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setToolTip(tr("Hover a token to see only its attention lines"));
}

void AttentionArcWidget::setAttention(const QStringList& tokens, const std::vector<float>& weights, const QString& title) {
    m_tokens = tokens;
    m_weights = weights;
    m_title = title;
    if (m_hover >= m_tokens.size()) m_hover = -1;
    update();
}

void AttentionArcWidget::setHoveredToken(int index) {
    m_hover = index;
    update();
}

double AttentionArcWidget::rowHeight(const QSize& size) const {
    return std::clamp((size.height() - kTop - 8) / std::max<double>(1, static_cast<double>(m_tokens.size())), 12.0, 28.0);
}

void AttentionArcWidget::paintArcs(QPainter& p, const QSize& size) const {
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(QRect(QPoint(0, 0), size), palette().base());
    p.setPen(palette().text().color());
    QFont bold = p.font();
    bold.setBold(true);
    p.setFont(bold);
    p.drawText(QRectF(0, 4, size.width(), kTop - 8), Qt::AlignCenter, m_title);
    p.setFont(font());
    const int n = static_cast<int>(m_tokens.size());
    if (n == 0 || m_weights.size() != static_cast<std::size_t>(n) * n) return;
    const double rh = rowHeight(size);
    const double labelW = std::min(160.0, size.width() * 0.3);
    const double xl = labelW + 6, xr = size.width() - labelW - 6;
    const QColor line(31, 119, 180);
    for (int i = 0; i < n; ++i) {
        if (m_hover >= 0 && i != m_hover) continue;
        for (int j = 0; j < n; ++j) {
            const float w = m_weights[static_cast<std::size_t>(i) * n + j];
            if (w < 0.01f) continue;
            QColor c = line;
            c.setAlphaF(static_cast<float>(std::min(1.0, 0.15 + 0.85 * w)));
            p.setPen(QPen(c, 1 + 5 * w));
            p.drawLine(QPointF(xl, kTop + (i + 0.5) * rh), QPointF(xr, kTop + (j + 0.5) * rh));
        }
    }
    p.setPen(palette().text().color());
    for (int i = 0; i < n; ++i) {
        const QRectF left(0, kTop + i * rh, labelW, rh), right(xr + 6, kTop + i * rh, labelW, rh);
        if (i == m_hover) p.fillRect(left, QColor(232, 163, 61, 120));
        p.drawText(left, Qt::AlignRight | Qt::AlignVCenter, m_tokens[i]);
        double weight = 0;
        if (m_hover >= 0) weight = m_weights[static_cast<std::size_t>(m_hover) * n + i];
        if (weight > 0.01) p.fillRect(right, QColor(31, 119, 180, static_cast<int>(40 + 180 * weight)));
        p.drawText(right, Qt::AlignLeft | Qt::AlignVCenter, m_tokens[i]);
    }
}

void AttentionArcWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    paintArcs(p, size());
}

void AttentionArcWidget::mouseMoveEvent(QMouseEvent* event) {
    const double rh = rowHeight(size());
    const int i = static_cast<int>((event->position().y() - kTop) / rh);
    const bool onLeft = event->position().x() < width() / 2.0;
    const int next = (onLeft && event->position().y() >= kTop && i < m_tokens.size()) ? i : -1;
    if (next != m_hover) setHoveredToken(next);
}

void AttentionArcWidget::leaveEvent(QEvent*) { setHoveredToken(-1); }

void AttentionArcWidget::renderExport(QPainter& painter, const QSize& size) { paintArcs(painter, size); }

QSize AttentionArcWidget::exportSize() const { return QSize(560, static_cast<int>(kTop + 8 + 24 * std::max<int>(1, static_cast<int>(m_tokens.size())))); }

}  // namespace ascope::ui
