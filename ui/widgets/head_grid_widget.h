#pragma once
// The model view: every layer (rows) x head (columns) of a sentence's attention as small
// heatmaps. Clicking a cell (cellClicked) selects that layer and head.
#include <QImage>
#include <vector>

#include "inference/text_analysis.h"
#include "widgets/color_maps.h"
#include "widgets/small_multiples_widget.h"

namespace ascope::ui {

class HeadGridWidget : public SmallMultiplesWidget {
    Q_OBJECT
public:
    explicit HeadGridWidget(QWidget* parent = nullptr);
    // Cells the controls' attention mask disallowed are drawn grey (kMaskedColor).
    void setAttention(const AttentionStack& attention, const AppliedAttentionControls& controls = {});
    void setColorMap(ColorMap map);
    // Heads switched off are crossed out: [layers][heads], 0 ablated (empty: none).
    void setHeadMask(std::vector<float> headMask);
    bool isAblated(int layer, int head) const;
    // The colour drawn for one attention cell of one head.
    QRgb cellColor(int layer, int head, int query, int key) const {
        return m_images.at(static_cast<std::size_t>(layer * m_attention.heads + head)).pixel(key, query);
    }

private:
    void rebuild();

    AttentionStack m_attention;
    AppliedAttentionControls m_controls;
    std::vector<QImage> m_images;  // one per layer x head
    std::vector<float> m_headMask;
    ColorMap m_map = ColorMap::Viridis;
};

}  // namespace ascope::ui
