#include "widgets/image_overlay_widget.h"

#include <QMouseEvent>
#include <QPainter>

namespace ascope::ui {

ImageOverlayWidget::ImageOverlayWidget(QWidget* parent) : QWidget(parent) {
    setMinimumSize(200, 200);
    setToolTip(tr("Click a patch to see what it attends to; right-click to return to [CLS]"));
}

void ImageOverlayWidget::setImage(const QImage& image, int rows, int cols) {
    m_image = image;
    m_rows = rows;
    m_cols = cols;
    update();
}
void ImageOverlayWidget::setHeat(const std::vector<float>& heat) { m_heat = heat; update(); }
void ImageOverlayWidget::setOpacity(double o) { m_opacity = o; update(); }
void ImageOverlayWidget::setColorMap(ColorMap map) { m_map = map; update(); }
void ImageOverlayWidget::setSelectedPatch(int index) { m_selected = index; update(); }
void ImageOverlayWidget::setShowGrid(bool show) { m_showGrid = show; update(); }

QRectF ImageOverlayWidget::imageRect(const QSize& size) const {
    const double side = std::min(size.width(), size.height()) - 8.0;
    return QRectF((size.width() - side) / 2, (size.height() - side) / 2, side, side);
}

void ImageOverlayWidget::paintOverlay(QPainter& p, const QRectF& r) const {
    if (m_image.isNull()) return;
    p.drawImage(r, m_image);
    if (m_rows <= 0 || m_cols <= 0) return;
    if (m_heat.size() == static_cast<std::size_t>(m_rows) * m_cols) {
        QImage heat(m_cols, m_rows, QImage::Format_ARGB32);
        for (int y = 0; y < m_rows; ++y)
            for (int x = 0; x < m_cols; ++x) {
                QColor c = colorAt(m_map, m_heat[static_cast<std::size_t>(y) * m_cols + x]);
                c.setAlphaF(static_cast<float>(m_opacity));
                heat.setPixelColor(x, y, c);
            }
        p.drawImage(r, heat);  // nearest neighbour: one crisp block per patch
    }
    const double cw = r.width() / m_cols, ch = r.height() / m_rows;
    if (m_showGrid) {
        p.setPen(QPen(QColor(255, 255, 255, 70), 1));
        for (int i = 1; i < m_cols; ++i) p.drawLine(QPointF(r.left() + i * cw, r.top()), QPointF(r.left() + i * cw, r.bottom()));
        for (int i = 1; i < m_rows; ++i) p.drawLine(QPointF(r.left(), r.top() + i * ch), QPointF(r.right(), r.top() + i * ch));
    }
    for (int b : m_blocked) {
        const QRectF cell(r.left() + (b % m_cols) * cw, r.top() + (b / m_cols) * ch, cw, ch);
        p.fillRect(cell, QColor(kMaskedColor.red(), kMaskedColor.green(), kMaskedColor.blue(), 200));
        p.fillRect(cell, QBrush(QColor(90, 90, 90), Qt::BDiagPattern));
    }
    if (m_selected >= 0) {
        p.setPen(QPen(QColor(0, 200, 255), 2));
        p.setBrush(Qt::NoBrush);
        p.drawRect(QRectF(r.left() + (m_selected % m_cols) * cw, r.top() + (m_selected / m_cols) * ch, cw, ch));
    }
}

void ImageOverlayWidget::setBlockedPatches(std::vector<int> patches) {
    m_blocked = std::move(patches);
    update();
}

void ImageOverlayWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    if (m_image.isNull()) {
        p.drawText(rect(), Qt::AlignCenter, tr("Open an image (File > Open Image, drag and drop, or paste)"));
        return;
    }
    paintOverlay(p, imageRect(size()));
}

void ImageOverlayWidget::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::RightButton) {
        emit patchClicked(-1);
        return;
    }
    const QRectF r = imageRect(size());
    if (!r.contains(event->position()) || m_rows <= 0) return;
    const int x = static_cast<int>((event->position().x() - r.left()) / r.width() * m_cols);
    const int y = static_cast<int>((event->position().y() - r.top()) / r.height() * m_rows);
    emit patchClicked(std::clamp(y, 0, m_rows - 1) * m_cols + std::clamp(x, 0, m_cols - 1));
}

void ImageOverlayWidget::renderExport(QPainter& painter, const QSize& size) {
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    paintOverlay(painter, QRectF(0, 0, size.width(), size.height()));
}

}  // namespace ascope::ui
