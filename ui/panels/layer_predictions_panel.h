#pragma once
// Predictions layer by layer (the "logit lens"): for one [MASK], the masked-LM head applied to
// the hidden state after the embeddings and after every layer, as a table of the top-k with
// probabilities and the rank of the final answer at each stage ("when does the model figure it
// out?").
#include <QWidget>

#include "export/exportable_view.h"
#include "session/text_session.h"

class QComboBox;
class QLabel;
class QTableWidget;
class QCustomPlot;

namespace ascope::ui {

class LayerPredictionsPanel : public QWidget, public ExportableView {
    Q_OBJECT
public:
    explicit LayerPredictionsPanel(QWidget* parent = nullptr);
    void setAnalysis(TextAnalysisPtr analysis);
    QTableWidget* table() const { return m_table; }
    QCustomPlot* chart() const { return m_chart; }
    QString captionText() const;
    void setExportBaseName(const QString& name) { m_exportName = name; }

    void renderExport(QPainter& painter, const QSize& size) override;
    QSize exportSize() const override;
    QString exportBaseName() const override { return m_exportName; }

private:
    void refresh();

    TextAnalysisPtr m_analysis;
    QComboBox* m_mask;
    QLabel* m_caption;
    QTableWidget* m_table;
    QCustomPlot* m_chart;
    QString m_exportName = QStringLiteral("layers");
};

}  // namespace ascope::ui
