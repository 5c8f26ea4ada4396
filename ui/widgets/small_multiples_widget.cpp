#include "widgets/small_multiples_widget.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>

namespace ascope::ui {

SmallMultiplesWidget::SmallMultiplesWidget(QWidget* parent) : QWidget(parent) {
    setMinimumSize(200, 200);
    setMouseTracking(true);
}

void SmallMultiplesWidget::setGrid(int rows, int cols, CellPainter painter, QString rowPrefix, QString colPrefix,
                                   QString title) {
    m_rows = rows;
    m_cols = cols;
    m_painter = std::move(painter);
    m_rowPrefix = std::move(rowPrefix);
    m_colPrefix = std::move(colPrefix);
    m_title = std::move(title);
    update();
}

void SmallMultiplesWidget::setEmptyMessage(const QString& message) {
    m_empty = message;
    update();
}

void SmallMultiplesWidget::setHighlighted(int row, int col) {
    m_hlRow = row;
    m_hlCol = col;
    update();
}

SmallMultiplesWidget::Geometry SmallMultiplesWidget::geometry(const QSize& size) const {
    const bool labels = !m_rowPrefix.isEmpty();
    const double left = labels ? 44 : 6, top = labels ? 46 : 28;
    const double gap = m_cols > 8 ? 1 : 4;
    const double cell = std::max(2.0, std::min((size.width() - left - 6) / std::max(1, m_cols) - gap,
                                                (size.height() - top - 6) / std::max(1, m_rows) - gap));
    return {left, top, cell, gap};
}

bool SmallMultiplesWidget::cellAt(const QPointF& pos, int& row, int& col) const {
    const auto g = geometry(size());
    const double x = pos.x() - g.left, y = pos.y() - g.top;
    if (x < 0 || y < 0) return false;
    col = static_cast<int>(x / (g.cell + g.gap));
    row = static_cast<int>(y / (g.cell + g.gap));
    const bool inGap = x - col * (g.cell + g.gap) > g.cell || y - row * (g.cell + g.gap) > g.cell;
    return row < m_rows && col < m_cols && !inGap;
}

QPoint SmallMultiplesWidget::cellCenter(int row, int col) const {
    const auto g = geometry(size());
    return QPointF(g.left + col * (g.cell + g.gap) + g.cell / 2, g.top + row * (g.cell + g.gap) + g.cell / 2).toPoint();
}

void SmallMultiplesWidget::paintAll(QPainter& p, const QSize& size) const {
    p.fillRect(QRect(QPoint(0, 0), size), palette().base());
    p.setPen(palette().text().color());
    if (!m_painter || m_rows == 0 || m_cols == 0) {
        p.drawText(QRect(QPoint(0, 0), size), Qt::AlignCenter, m_empty);
        return;
    }
    p.drawText(QRectF(0, 2, size.width(), 22), Qt::AlignCenter, m_title);
    const auto g = geometry(size);
    for (int r = 0; r < m_rows; ++r) {
        if (!m_rowPrefix.isEmpty())
            p.drawText(QRectF(0, g.top + r * (g.cell + g.gap), g.left - 4, g.cell), Qt::AlignRight | Qt::AlignVCenter,
                       m_rowPrefix + QString::number(r));
        for (int c = 0; c < m_cols; ++c) {
            if (r == 0 && !m_colPrefix.isEmpty())
                p.drawText(QRectF(g.left + c * (g.cell + g.gap), 24, g.cell, 20), Qt::AlignCenter, m_colPrefix + QString::number(c));
            const QRectF cell(g.left + c * (g.cell + g.gap), g.top + r * (g.cell + g.gap), g.cell, g.cell);
            p.save();
            p.setClipRect(cell);
            m_painter(p, cell, r, c);
            p.restore();
            if (r == m_hlRow && c == m_hlCol) {
                p.setPen(QPen(QColor(232, 163, 61), 3));
                p.setBrush(Qt::NoBrush);
                p.drawRect(cell.adjusted(-2, -2, 2, 2));
                p.setPen(palette().text().color());
            }
        }
    }
}

void SmallMultiplesWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    paintAll(p, size());
}

void SmallMultiplesWidget::mousePressEvent(QMouseEvent* event) {
    int r = 0, c = 0;
    if (!cellAt(event->position(), r, c)) return;
    if (event->button() == Qt::RightButton || event->modifiers().testFlag(Qt::ControlModifier)) emit cellRightClicked(r, c);
    else emit cellClicked(r, c);
}

void SmallMultiplesWidget::mouseMoveEvent(QMouseEvent* event) {
    int r = 0, c = 0;
    if (m_toolTip && cellAt(event->position(), r, c))
        QToolTip::showText(event->globalPosition().toPoint(), m_toolTip(r, c), this);
}

void SmallMultiplesWidget::renderExport(QPainter& painter, const QSize& size) { paintAll(painter, size); }

QSize SmallMultiplesWidget::exportSize() const {
    const int cell = m_cols > 8 ? 64 : 120;
    return QSize(50 + std::max(1, m_cols) * (cell + 2), 52 + std::max(1, m_rows) * (cell + 2));
}

}  // namespace ascope::ui
