#pragma once
// Top-k predictions for every [MASK] as horizontal bar charts, one small chart per mask.
#include <QWidget>
#include <vector>

#include "export/exportable_view.h"
#include "inference/text_analysis.h"

class QCustomPlot;
class QVBoxLayout;
class QLabel;

namespace ascope::ui {

class PredictionChartWidget : public QWidget, public ExportableView {
    Q_OBJECT
public:
    explicit PredictionChartWidget(QWidget* parent = nullptr);
    void setPredictions(const TextAnalysis& analysis);
    void clear(const QString& message);
    int chartCount() const { return static_cast<int>(m_plots.size()); }
    void setExportBaseName(const QString& name) { m_exportName = name; }

    void renderExport(QPainter& painter, const QSize& size) override;
    QSize exportSize() const override;
    QString exportBaseName() const override { return m_exportName; }

private:
    QVBoxLayout* m_layout;
    QLabel* m_message;
    std::vector<QCustomPlot*> m_plots;
    QString m_exportName = QStringLiteral("predictions");
};

}  // namespace ascope::ui
