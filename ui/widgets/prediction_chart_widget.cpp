#include "widgets/prediction_chart_widget.h"

#include <QLabel>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include "export/figure_exporter.h"

namespace ascope::ui {

PredictionChartWidget::PredictionChartWidget(QWidget* parent) : QWidget(parent) {
    m_layout = new QVBoxLayout(this);
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setAlignment(Qt::AlignCenter);
    m_layout->addWidget(m_message);
    clear(tr("Mask a token (click it) to see what the model predicts"));
}

void PredictionChartWidget::clear(const QString& message) {
    for (auto* p : m_plots) p->deleteLater();
    m_plots.clear();
    m_message->setText(message);
    m_message->show();
}

BarChart PredictionChartWidget::labelChart(const std::vector<LabelScore>& labels, const QString& title) {
    BarChart chart{title, {}, {}};
    for (std::size_t i = 0; i < labels.size() && i < 20; ++i) {  // highest first
        chart.labels << QString::fromStdString(labels[i].label);
        chart.probabilities.push_back(labels[i].score);
    }
    return chart;
}

void PredictionChartWidget::setPredictions(const TextAnalysis& analysis) {
    if (analysis.task == TextTask::SentenceLabels && !analysis.labels.empty()) {
        const auto& top = analysis.labels.front();
        setCharts({labelChart(analysis.labels, tr("The whole text: %1 %2%")
                                                   .arg(QString::fromStdString(top.label))
                                                   .arg(100.0 * top.score, 0, 'f', 1))});
        return;
    }
    if (analysis.task == TextTask::TokenLabels) {
        clear(tr("A token classifier: each token's label is under its chip."));
        return;
    }
    if (!analysis.hasMlmHead) {
        clear(tr("This checkpoint has no masked-LM head: attention only"));
        return;
    }
    if (analysis.predictions.empty()) {
        clear(tr("Mask a token (click it) to see what the model predicts"));
        return;
    }
    std::vector<BarChart> charts;
    for (const auto& mask : analysis.predictions) {
        QString context;
        for (int i = std::max(1, mask.position - 2); i <= std::min(static_cast<int>(analysis.tokens.size()) - 2, mask.position + 2); ++i)
            context += QString::fromStdString(i == mask.position ? analysis.tokens[i].text : labelOf(analysis.tokens[i])) + ' ';
        BarChart chart{tr("#%1: …%2…").arg(mask.position).arg(context.trimmed()), {}, {}};
        for (const auto& c : mask.top) {
            chart.labels << QString::fromStdString(labelOf(c));
            chart.probabilities.push_back(c.probability);
        }
        charts.push_back(std::move(chart));
    }
    setCharts(charts);
}

void PredictionChartWidget::setClasses(const QString& title, const std::vector<ClassPrediction>& top,
                                       const QString& emptyMessage) {
    if (top.empty()) {
        clear(emptyMessage);
        return;
    }
    BarChart chart{title, {}, {}};
    for (const auto& p : top) {
        chart.labels << QString::fromStdString(p.label);
        chart.probabilities.push_back(p.probability);
    }
    setCharts({chart});
}

void PredictionChartWidget::setCharts(const std::vector<BarChart>& charts) {
    clear(QString());
    m_message->hide();
    for (const auto& chart : charts) {
        if (chart.probabilities.empty()) continue;
        const int k = static_cast<int>(chart.probabilities.size());
        auto* plot = new QCustomPlot(this);
        const int line = QFontMetrics(font()).height();
        plot->setMinimumHeight(3 * line + 40 + (line + 6) * k);
        plot->plotLayout()->insertRow(0);
        plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, chart.title, QFont(font().family(), font().pointSize(), QFont::Bold)));
        auto* bars = new QCPBars(plot->yAxis, plot->xAxis);  // horizontal bars
        bars->setBrush(QColor(31, 119, 180));
        bars->setPen(Qt::NoPen);
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        QVector<double> keys, values;
        for (int i = 0; i < k; ++i) {
            keys << i;
            values << chart.probabilities[static_cast<std::size_t>(i)];
            ticker->addTick(i, QStringLiteral("%1  %2%").arg(chart.labels.value(i)).arg(100.0 * chart.probabilities[static_cast<std::size_t>(i)], 0, 'f', 1));
        }
        bars->setData(keys, values);
        plot->yAxis->setTicker(ticker);
        plot->yAxis->setRangeReversed(true);
        plot->yAxis->setRange(-0.6, k - 0.4);
        plot->yAxis->grid()->setVisible(false);
        plot->xAxis->setRange(0, std::max(0.05, static_cast<double>(chart.probabilities.front()) * 1.1));
        plot->xAxis->setLabel(tr("probability"));
        plot->xAxis->ticker()->setTickCount(3);
        plot->setToolTip(chart.title);
        applyWidgetFont(*plot);
        m_layout->addWidget(plot);
        m_plots.push_back(plot);
    }
}

void PredictionChartWidget::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() != QEvent::FontChange) return;
    for (auto* plot : m_plots) {
        const int line = QFontMetrics(font()).height();
        plot->setMinimumHeight(3 * line + 40 + (line + 6) * static_cast<int>(plot->yAxis->tickVector().size()));
        applyWidgetFont(*plot);
    }
}

void PredictionChartWidget::renderExport(QPainter& painter, const QSize& size) {
    if (m_plots.empty()) return;
    const int h = size.height() / static_cast<int>(m_plots.size());
    for (std::size_t i = 0; i < m_plots.size(); ++i) {
        painter.save();
        painter.translate(0, static_cast<int>(i) * h);
        renderPlot(*m_plots[i], painter, QSize(size.width(), h));
        painter.restore();
    }
}

QSize PredictionChartWidget::exportSize() const {
    return QSize(std::max(400, width()), std::max<int>(200, 220 * static_cast<int>(std::max<std::size_t>(1, m_plots.size()))));
}

}  // namespace ascope::ui
