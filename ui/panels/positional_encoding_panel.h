#pragma once
// Positional encodings: the sinusoidal encoding of "Attention Is All You Need" (heatmap and
// curves for chosen dimensions) and the model's learned position embeddings (heatmap and their
// position-by-position cosine similarity).
#include <QWidget>
#include <vector>

#include "export/exportable_view.h"

class QLineEdit;
class QSpinBox;
class QCustomPlot;

namespace ascope::ui {

class HeatmapPlotWidget;

class PositionalEncodingPanel : public QWidget, public ExportableView {
    Q_OBJECT
public:
    explicit PositionalEncodingPanel(QWidget* parent = nullptr);
    // learned: [positions][hidden] (may be empty when the model has none).
    void setModel(int hidden, int maxPositions, const std::vector<float>& learned);
    HeatmapPlotWidget* sinusoidHeatmap() const { return m_sinusoid; }
    HeatmapPlotWidget* learnedHeatmap() const { return m_learned; }
    HeatmapPlotWidget* similarityHeatmap() const { return m_similarity; }
    QCustomPlot* curves() const { return m_curves; }

    // Exports the four plots as one 2 x 2 figure.
    void renderExport(QPainter& painter, const QSize& size) override;
    QSize exportSize() const override { return {1400, 1100}; }
    QString exportBaseName() const override;

private:
    void refresh();

    int m_hidden = 0, m_maxPositions = 0;
    std::vector<float> m_learnedValues;
    QSpinBox* m_positions;
    QLineEdit* m_dims;
    HeatmapPlotWidget* m_sinusoid;
    QCustomPlot* m_curves;
    HeatmapPlotWidget* m_learned;
    HeatmapPlotWidget* m_similarity;
};

}  // namespace ascope::ui
