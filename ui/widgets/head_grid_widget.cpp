#include "widgets/head_grid_widget.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>

namespace ascope::ui {

HeadGridWidget::HeadGridWidget(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setToolTip(tr("Every layer (rows) and head (columns); click one to open it in the heatmap"));
}

void HeadGridWidget::setAttention(const AttentionStack& attention) {
    m_attention = attention;
    rebuildImages();
    update();
}

void HeadGridWidget::setSelected(int layer, int head) {
    m_selLayer = layer;
    m_selHead = head;
    update();
}

void HeadGridWidget::setColorMap(ColorMap map) {
    m_map = map;
    rebuildImages();
    update();
}

void HeadGridWidget::rebuildImages() {
    m_images.clear();
    const auto& a = m_attention;
    for (int l = 0; l < a.layers; ++l)
        for (int h = 0; h < a.heads; ++h) {
            QImage img(a.keys, a.queries, QImage::Format_RGB32);
            const float* m = a.matrix(l, h);
            for (int i = 0; i < a.queries; ++i)
                for (int j = 0; j < a.keys; ++j) img.setPixelColor(j, i, colorAt(m_map, m[i * a.keys + j]));
            m_images.push_back(img);
        }
}

HeadGridWidget::Geometry HeadGridWidget::geometry(const QSize& size) const {
    const int layers = std::max(1, m_attention.layers), heads = std::max(1, m_attention.heads);
    const double left = 56, top = 28, gap = 4;
    const double cell = std::max(4.0, std::min((size.width() - left - 8) / heads - gap, (size.height() - top - 8) / layers - gap));
    return {left, top, cell, gap};
}

void HeadGridWidget::paintGrid(QPainter& p, const QSize& size) const {
    p.fillRect(QRect(QPoint(0, 0), size), palette().base());
    p.setPen(palette().text().color());
    if (m_attention.empty()) {
        p.drawText(QRect(QPoint(0, 0), size), Qt::AlignCenter, tr("Run a sentence to see every head"));
        return;
    }
    const auto g = geometry(size);
    for (int h = 0; h < m_attention.heads; ++h)
        p.drawText(QRectF(g.left + h * (g.cell + g.gap), 4, g.cell, g.top - 6), Qt::AlignCenter | Qt::AlignBottom,
                   tr("H%1").arg(h));
    for (int l = 0; l < m_attention.layers; ++l) {
        p.drawText(QRectF(0, g.top + l * (g.cell + g.gap), g.left - 6, g.cell), Qt::AlignRight | Qt::AlignVCenter,
                   tr("L%1").arg(l));
        for (int h = 0; h < m_attention.heads; ++h) {
            const QRectF r(g.left + h * (g.cell + g.gap), g.top + l * (g.cell + g.gap), g.cell, g.cell);
            p.drawImage(r, m_images[static_cast<std::size_t>(l * m_attention.heads + h)]);
            if (l == m_selLayer && h == m_selHead) {
                p.setPen(QPen(QColor(232, 163, 61), 3));
                p.drawRect(r.adjusted(-2, -2, 2, 2));
                p.setPen(palette().text().color());
            }
        }
    }
}

void HeadGridWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    paintGrid(p, size());
}

void HeadGridWidget::mousePressEvent(QMouseEvent* event) {
    const auto g = geometry(size());
    const int h = static_cast<int>((event->position().x() - g.left) / (g.cell + g.gap));
    const int l = static_cast<int>((event->position().y() - g.top) / (g.cell + g.gap));
    if (event->position().x() >= g.left && event->position().y() >= g.top && l >= 0 && h >= 0 &&
        l < m_attention.layers && h < m_attention.heads)
        emit headClicked(l, h);
}

void HeadGridWidget::mouseMoveEvent(QMouseEvent* event) {
    const auto g = geometry(size());
    const int h = static_cast<int>((event->position().x() - g.left) / (g.cell + g.gap));
    const int l = static_cast<int>((event->position().y() - g.top) / (g.cell + g.gap));
    if (event->position().x() >= g.left && event->position().y() >= g.top && l < m_attention.layers &&
        h < m_attention.heads)
        QToolTip::showText(event->globalPosition().toPoint(), tr("Layer %1, head %2 — click to open").arg(l).arg(h), this);
}

void HeadGridWidget::renderExport(QPainter& painter, const QSize& size) { paintGrid(painter, size); }

QSize HeadGridWidget::exportSize() const {
    return QSize(56 + std::max(1, m_attention.heads) * 84 + 8, 28 + std::max(1, m_attention.layers) * 84 + 8);
}

}  // namespace ascope::ui
