#include "widgets/head_grid_widget.h"

#include <QPainter>

namespace ascope::ui {

HeadGridWidget::HeadGridWidget(QWidget* parent) : SmallMultiplesWidget(parent) {
    setFocusPolicy(Qt::StrongFocus);
    setToolTip(tr("Every layer (rows) and head (columns); click one to open it in the heatmap, right-click "
                  "(or Ctrl+click) to switch it off or on"));
    setEmptyMessage(tr("Run a sentence to see every head"));
    setCellToolTip([this](int l, int h) {
        return tr("Layer %1, head %2 — click to open, right-click to switch it %3").arg(l).arg(h)
            .arg(isAblated(l, h) ? tr("on again") : tr("off"));
    });
    setExportBaseName(QStringLiteral("model_view"));
}

void HeadGridWidget::setAttention(const AttentionStack& attention, const AppliedAttentionControls& controls) {
    m_attention = attention;
    m_controls = controls;
    rebuild();
}

void HeadGridWidget::setColorMap(ColorMap map) {
    m_map = map;
    rebuild();
}

void HeadGridWidget::setHeadMask(std::vector<float> headMask) {
    m_headMask = std::move(headMask);
    update();
}

bool HeadGridWidget::isAblated(int layer, int head) const {
    const auto i = static_cast<std::size_t>(layer) * static_cast<std::size_t>(m_attention.heads) + static_cast<std::size_t>(head);
    return i < m_headMask.size() && m_headMask[i] == 0.f;
}

void HeadGridWidget::rebuild() {
    m_images.clear();
    const auto& a = m_attention;
    const ColorTable colors(m_map);
    const QRgb masked = kMaskedColor.rgb();
    const bool maskMatches = m_controls.allowed.empty() ||
                             (m_controls.layers == a.layers && m_controls.heads == a.heads && m_controls.tokens == a.queries);
    if (!maskMatches) m_controls = AppliedAttentionControls{};
    for (int l = 0; l < a.layers; ++l)
        for (int h = 0; h < a.heads; ++h) {
            QImage img(a.keys, a.queries, QImage::Format_RGB32);
            const float* m = a.matrix(l, h);
            for (int i = 0; i < a.queries; ++i) {
                auto* line = reinterpret_cast<QRgb*>(img.scanLine(i));
                for (int j = 0; j < a.keys; ++j)
                    line[j] = m_controls.isAllowed(l, h, i, j) ? colors.rgb(m[i * a.keys + j]) : masked;
            }
            m_images.push_back(img);
        }
    const int heads = a.heads;
    setGrid(a.layers, heads,
            [this, heads](QPainter& p, const QRectF& cell, int l, int h) {
                p.drawImage(cell, m_images[static_cast<std::size_t>(l * heads + h)]);
                if (isAblated(l, h)) {  // switched off: crossed out
                    p.setPen(QPen(QColor(214, 39, 40), std::max(2.0, cell.width() / 16)));
                    p.drawLine(cell.topLeft(), cell.bottomRight());
                    p.drawLine(cell.topRight(), cell.bottomLeft());
                }
            },
            tr("L"), tr("H"), tr("Every layer and head; click one to open it"));
}

}  // namespace ascope::ui
