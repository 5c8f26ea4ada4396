#pragma once
// Top-k probabilities as horizontal bar charts, one small chart per [MASK] (or one for an
// image's classes).
#include <QWidget>
#include <vector>

#include "export/exportable_view.h"
#include "inference/image_analysis.h"
#include "inference/text_analysis.h"

class QCustomPlot;
class QVBoxLayout;
class QLabel;

namespace ascope::ui {

struct BarChart {
    QString title;
    QStringList labels;
    std::vector<float> probabilities;  // sorted, highest first
};

class PredictionChartWidget : public QWidget, public ExportableView {
    Q_OBJECT
public:
    explicit PredictionChartWidget(QWidget* parent = nullptr);
    void setPredictions(const TextAnalysis& analysis);
    // One chart of class probabilities (an image's top-k); `emptyMessage` when there are none.
    void setClasses(const QString& title, const std::vector<ClassPrediction>& top, const QString& emptyMessage);
    void setCharts(const std::vector<BarChart>& charts);
    // A sequence classifier's labels (highest first, at most 20) as one chart.
    static BarChart labelChart(const std::vector<LabelScore>& labels, const QString& title);
    void clear(const QString& message);
    int chartCount() const { return static_cast<int>(m_plots.size()); }
    void setExportBaseName(const QString& name) { m_exportName = name; }

    void renderExport(QPainter& painter, const QSize& size) override;
    QSize exportSize() const override;
    QString exportBaseName() const override { return m_exportName; }

protected:
    void changeEvent(QEvent* event) override;

private:
    QVBoxLayout* m_layout;
    QLabel* m_message;
    std::vector<QCustomPlot*> m_plots;
    QString m_exportName = QStringLiteral("predictions");
};

}  // namespace ascope::ui
