#pragma once
// One head's scaled dot-product attention, step by step, for one query token: the query vector q
// and every key vector k; the raw scores q . k; divided by sqrt(d_k); the attention mask added
// (disallowed entries are -inf); the softmax; each value vector weighted by its probability; and
// their sum, the head's output for that token. Also q * k per dimension for one chosen key
// (bertviz's neuron view). Every figure is a small labelled heatmap with the numbers on hover;
// the numbers are the model's own (TextAnalysis::trace), checked against its attention row.
#include <QWidget>
#include <vector>

#include "export/exportable_view.h"
#include "session/text_session.h"

class QComboBox;
class QLabel;
class QSpinBox;

namespace ascope::ui {

class HeatmapPlotWidget;

class HeadArithmeticPanel : public QWidget, public ExportableView {
    Q_OBJECT
public:
    explicit HeadArithmeticPanel(QWidget* parent = nullptr);
    void setAnalysis(TextAnalysisPtr analysis);
    void setHead(int layer, int head);
    void setQuery(int token);
    void setKey(int token);
    int query() const;

    // The steps' values for the current head and query, in order (for tests and export).
    struct Steps {
        std::vector<float> scores, scaled, masked, probabilities, output;  // masked: -inf where disallowed
        double largestDifferenceToModel = 0;  // softmax row against the model's attention row
        double largestOutputDifference = 0;   // weighted sum against the model's context slice
    };
    const Steps& steps() const { return m_steps; }
    QString captionText() const;
    HeatmapPlotWidget* figure(int index) const { return m_figures[static_cast<std::size_t>(index)]; }
    void setExportBaseName(const QString& name) { m_exportName = name; }

    void renderExport(QPainter& painter, const QSize& size) override;
    QSize exportSize() const override;
    QString exportBaseName() const override { return m_exportName; }

signals:
    void queryChanged(int token);
    // The layer or head was changed here (the attention view follows).
    void headChosen(int layer, int head);

private:
    void refresh();

    TextAnalysisPtr m_analysis;
    int m_layer = 0, m_head = 0;
    QSpinBox* m_layerBox;
    QSpinBox* m_headBox;
    QComboBox* m_query;
    QComboBox* m_key;
    QLabel* m_caption;
    QWidget* m_sheet;
    std::vector<HeatmapPlotWidget*> m_figures;
    Steps m_steps;
    QString m_exportName = QStringLiteral("head_arithmetic");
};

}  // namespace ascope::ui
