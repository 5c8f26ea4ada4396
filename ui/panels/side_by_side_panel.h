#pragma once
// Side by side (a text-mode tab): the sentence of the main view (A) beside a second sentence (B),
// run by the same model or by another one, in two heatmaps locked to the main view's layer, head
// and aggregation, with the difference B - A on a diverging map when both have as many tokens,
// and both predictions. "The nurse said [MASK] was tired." / "The doctor said [MASK] was tired."
// B runs on a session of its own (its own worker thread), sharing A's model unless another is
// opened; it takes A's causal mask, if any, and no other mask or ablation.
#include <QWidget>

#include "analysis/attention_views.h"
#include "export/exportable_view.h"
#include "session/text_session.h"

class QLabel;
class QLineEdit;
class QPushButton;

namespace ascope::ui {

class HeatmapPlotWidget;
class PredictionChartWidget;

class SideBySidePanel : public QWidget, public ExportableView {
    Q_OBJECT
public:
    explicit SideBySidePanel(QWidget* parent = nullptr);

    // The main view's model (B shares it unless another model was opened for B).
    void setPrimaryModel(TextModelPtr model, const QString& dir);
    // The main view's analysis and its selection.
    void setPrimary(TextAnalysisPtr analysis, bool causal);
    void setSelection(int layer, int head, HeadAggregation aggregation);
    void setSentenceB(const QString& text);
    QString sentenceB() const;
    // Opens another model for B ("" = the main view's model again).
    void openModelB(const QString& dir);
    QString modelBDirectory() const;

    TextSession& sessionB() { return *m_sessionB; }
    TextAnalysisPtr analysisB() const { return m_analysisB; }
    HeatmapPlotWidget* heatmapA() const { return m_heatmapA; }
    HeatmapPlotWidget* heatmapB() const { return m_heatmapB; }
    HeatmapPlotWidget* difference() const { return m_difference; }
    QString note() const;

    void renderExport(QPainter& painter, const QSize& size) override;
    QSize exportSize() const override;
    QString exportBaseName() const override;

signals:
    void analysisBShown();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void runB();
    void refresh();

    TextSession* m_sessionB;
    QLineEdit* m_sentenceB;
    QLabel* m_modelB;
    QPushButton* m_sameModel;
    QLabel* m_note;
    HeatmapPlotWidget* m_heatmapA;
    HeatmapPlotWidget* m_heatmapB;
    HeatmapPlotWidget* m_difference;
    PredictionChartWidget* m_predictionsA;
    PredictionChartWidget* m_predictionsB;
    TextAnalysisPtr m_analysisA, m_analysisB;
    TextModelPtr m_primaryModel;
    QString m_primaryDir;
    bool m_ownModel = false;  // B runs another model than A
    bool m_causal = false;
    bool m_stale = true;  // something changed while the tab was hidden
    int m_layer = 0, m_head = 0;
    HeadAggregation m_aggregation = HeadAggregation::Single;
};

}  // namespace ascope::ui
