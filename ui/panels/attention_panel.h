#pragma once
// The main attention view: layer/head selectors, head aggregation (one head, mean, max), an
// option to hide [CLS]/[SEP] and renormalise rows, a colour-map choice, and the heatmap.
#include <QWidget>
#include <utility>

#include "analysis/attention_views.h"
#include "session/text_session.h"
#include "widgets/color_maps.h"

class QSpinBox;
class QComboBox;
class QCheckBox;
class QLabel;

namespace ascope::ui {

class HeatmapPlotWidget;

class AttentionPanel : public QWidget {
    Q_OBJECT
public:
    // How values map to colours: fixed 0..1, the data's own range, each row scaled to its
    // largest value, or log10 (0.0001..1).
    enum class Scaling { Fixed, Auto, PerRow, Log };

    explicit AttentionPanel(QWidget* parent = nullptr);
    // The analysis and, for comparison, the same tokens run without mask or ablation (null: none);
    // with showDifference the heatmap shows (analysis - baseline) on a diverging map centred on 0.
    void setAnalysis(TextAnalysisPtr analysis, TextAnalysisPtr baseline = nullptr, bool showDifference = false);
    bool showsDifference() const { return m_showDifference && m_baseline; }
    void setScaling(Scaling scaling);
    Scaling scaling() const;
    void setAggregation(HeadAggregation aggregation);
    // Selects one head (aggregation back to a single head). A layer or head the shown analysis
    // does not have is selected when an analysis that has it arrives (a session restored first).
    void setSelection(int layer, int head);
    int layer() const;
    int head() const;
    HeadAggregation aggregation() const;
    bool hideSpecialTokens() const;
    void setHideSpecialTokens(bool hide);
    ColorMap colorMap() const;
    void setColorMap(ColorMap map);
    HeatmapPlotWidget* heatmap() const { return m_heatmap; }
    // The matrix currently shown (after aggregation and hiding).
    const AttentionMatrix& shownMatrix() const { return m_shown; }
    QString selectionSlug() const;   // "L3_H5", "L3_mean", ...
    QString selectionTitle() const;  // "Layer 3, head 5", "Layer 3, mean over heads", ...
    void stepLayer(int delta);
    void stepHead(int delta);
    QString maskLegend() const;
    // One line on what the heatmap shows, for presentation mode's caption.
    QString captionText() const;
    // Outlines the rows and columns of tokens first..last (token indices; first < 0 clears), kept
    // across layers, heads and hidden [CLS]/[SEP] until the tokens change.
    void highlightTokens(int first, int last);
    std::pair<int, int> highlightedTokens() const { return m_highlight; }
    // Presentation mode hides the selectors (keys still step layers and heads).
    void setControlsVisible(bool visible);

signals:
    void selectionChanged(int layer, int head);
    void colorMapChanged(ascope::ui::ColorMap map);

private:
    void refresh();

    std::vector<float> differenceToBaseline() const;

    std::pair<int, int> m_wanted{-1, -1};  // a selection waiting for an analysis that has it

    TextAnalysisPtr m_analysis;
    TextAnalysisPtr m_baseline;
    bool m_showDifference = false;
    std::pair<int, int> m_highlight{-1, -1};
    AttentionMatrix m_shown;
    QComboBox* m_scaling;
    QWidget* m_controls;
    QSpinBox* m_layer;
    QSpinBox* m_head;
    QComboBox* m_aggregation;
    QCheckBox* m_hideSpecial;
    QComboBox* m_colorMap;
    QLabel* m_readout;
    QLabel* m_maskLegend;
    HeatmapPlotWidget* m_heatmap;
};

}  // namespace ascope::ui
