#pragma once
// The main attention view: layer/head selectors, head aggregation (one head, mean, max), an
// option to hide [CLS]/[SEP] and renormalise rows, a colour-map choice, and the heatmap.
#include <QWidget>

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
    explicit AttentionPanel(QWidget* parent = nullptr);
    void setAnalysis(TextAnalysisPtr analysis);
    void setSelection(int layer, int head);
    int layer() const;
    int head() const;
    HeadAggregation aggregation() const;
    bool hideSpecialTokens() const;
    HeatmapPlotWidget* heatmap() const { return m_heatmap; }
    // The matrix currently shown (after aggregation and hiding).
    const AttentionMatrix& shownMatrix() const { return m_shown; }
    QString selectionSlug() const;   // "L3_H5", "L3_mean", ...
    QString selectionTitle() const;  // "Layer 3, head 5", "Layer 3, mean over heads", ...
    void stepLayer(int delta);
    void stepHead(int delta);
    QString maskLegend() const;

signals:
    void selectionChanged(int layer, int head);
    void colorMapChanged(ascope::ui::ColorMap map);

private:
    void refresh();

    TextAnalysisPtr m_analysis;
    AttentionMatrix m_shown;
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
