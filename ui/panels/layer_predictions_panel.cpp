#include "panels/layer_predictions_panel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QSplitter>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include "export/figure_exporter.h"
#include "widgets/color_maps.h"

namespace ascope::ui {

LayerPredictionsPanel::LayerPredictionsPanel(QWidget* parent) : QWidget(parent) {
    auto* outer = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    m_mask = new QComboBox(this);
    m_mask->setToolTip(tr("Which [MASK] to follow through the layers"));
    m_caption = new QLabel(this);
    m_caption->setWordWrap(true);
    top->addWidget(m_mask);
    top->addWidget(m_caption, 1);
    outer->addLayout(top);
    m_table = new QTableWidget(this);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setToolTip(tr("The masked-LM head read after each layer: its top-k with probabilities, and the rank of "
                           "the final answer there"));
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    m_chart = new QCustomPlot(split);
    m_chart->setMinimumHeight(180);
    m_chart->plotLayout()->insertRow(0);
    m_chart->plotLayout()->addElement(0, 0, new QCPTextElement(m_chart, QString(), QFont(font().family(), font().pointSize() + 1, QFont::Bold)));
    m_chart->yAxis->setRange(0, 1);
    m_chart->yAxis->setLabel(tr("probability"));
    m_chart->legend->setVisible(true);
    m_chart->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    split->addWidget(m_chart);
    split->setSizes({260, 240});
    outer->addWidget(split, 1);
    connect(m_mask, qOverload<int>(&QComboBox::currentIndexChanged), this, &LayerPredictionsPanel::refresh);
    refresh();
}

void LayerPredictionsPanel::setAnalysis(TextAnalysisPtr analysis) {
    m_analysis = std::move(analysis);
    const int keep = m_mask->currentIndex();
    const QSignalBlocker block(m_mask);
    m_mask->clear();
    if (m_analysis)
        for (const auto& m : m_analysis->layerPredictions)
            m_mask->addItem(tr("[MASK] at token %1").arg(m.position));
    m_mask->setCurrentIndex(std::clamp(keep, 0, std::max(0, m_mask->count() - 1)));
    m_mask->setVisible(m_mask->count() > 1);
    refresh();
}

QString LayerPredictionsPanel::captionText() const { return m_caption->text(); }

void LayerPredictionsPanel::refresh() {
    m_table->clear();
    m_table->setRowCount(0);
    m_table->setColumnCount(0);
    m_chart->clearGraphs();
    auto* title = static_cast<QCPTextElement*>(m_chart->plotLayout()->element(0, 0));
    title->setText(QString());
    m_chart->replot();
    const int index = m_mask->currentIndex();
    if (!m_analysis || m_analysis->layerPredictions.empty() || index < 0) {
        m_caption->setText(m_analysis && !m_analysis->hasMlmHead
                               ? tr("This checkpoint has no masked-LM head, so there is nothing to read after each layer.")
                               : tr("Mask a token (click its chip) to see what the model would predict after each layer."));
        return;
    }
    const auto& lens = m_analysis->layerPredictions[static_cast<std::size_t>(index)];
    const int k = lens.layers.empty() ? 0 : static_cast<int>(lens.layers.front().top.size());
    const QString answer = QString::fromStdString(labelOf(lens.finalToken));
    QStringList headers{tr("After"), tr("Rank of “%1”").arg(answer), tr("P(“%1”)").arg(answer)};
    for (int i = 0; i < k; ++i) headers << tr("Top %1").arg(i + 1);
    m_table->setColumnCount(static_cast<int>(headers.size()));
    m_table->setHorizontalHeaderLabels(headers);
    m_table->setRowCount(static_cast<int>(lens.layers.size()));
    int firstTop = -1;  // the first stage from which the final answer stays first
    for (int r = static_cast<int>(lens.layers.size()) - 1; r >= 0 && lens.layers[static_cast<std::size_t>(r)].finalRank == 0; --r)
        firstTop = r;
    for (int r = 0; r < static_cast<int>(lens.layers.size()); ++r) {
        const auto& lp = lens.layers[static_cast<std::size_t>(r)];
        m_table->setItem(r, 0, new QTableWidgetItem(r == 0 ? tr("embeddings") : tr("layer %1").arg(r - 1)));
        m_table->setItem(r, 1, new QTableWidgetItem(QString::number(lp.finalRank + 1)));
        m_table->setItem(r, 2, new QTableWidgetItem(QString::number(lp.finalProbability, 'f', 4)));
        for (int c = 0; c < k; ++c) {
            const auto& p = lp.top[static_cast<std::size_t>(c)];
            auto* item = new QTableWidgetItem(QStringLiteral("%1  %2").arg(QString::fromStdString(labelOf(p))).arg(p.probability, 0, 'f', 3));
            QColor shade = colorAt(ColorMap::Viridis, 1.0 - p.probability);
            shade.setAlphaF(0.35f);
            item->setBackground(shade);
            if (p.id == lens.finalToken.id) {
                QFont bold = item->font();
                bold.setBold(true);
                item->setFont(bold);
            }
            m_table->setItem(r, 3 + c, item);
        }
    }
    // The chart: the final answer's probability and the top-1 probability after every stage.
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    QVector<double> x, answerP, topP;
    for (int r = 0; r < static_cast<int>(lens.layers.size()); ++r) {
        ticker->addTick(r, r == 0 ? tr("embeddings") : tr("layer %1").arg(r - 1));
        x << r;
        answerP << lens.layers[static_cast<std::size_t>(r)].finalProbability;
        topP << (lens.layers[static_cast<std::size_t>(r)].top.empty() ? 0.0 : lens.layers[static_cast<std::size_t>(r)].top.front().probability);
    }
    m_chart->xAxis->setTicker(ticker);
    m_chart->xAxis->setRange(-0.3, static_cast<double>(lens.layers.size()) - 0.7);
    auto* top1 = m_chart->addGraph();
    top1->setData(x, topP);
    top1->setName(tr("top-1 at that layer"));
    top1->setPen(QPen(QColor(150, 150, 150), 1.5, Qt::DashLine));
    top1->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    auto* graph = m_chart->addGraph();
    graph->setData(x, answerP);
    graph->setName(tr("P(“%1”), the final answer").arg(answer));
    graph->setPen(QPen(colorAt(ColorMap::Viridis, 0.35), 2.5));
    graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 7));
    title->setText(tr("When does the model figure out “%1”?").arg(answer));
    m_chart->replot();
    const QString from = firstTop <= 0 ? tr("already from the embeddings") : tr("from layer %1 on").arg(firstTop - 1);
    m_caption->setText(tr("The final answer “%1” (%2) is the top prediction %3. Each row applies the masked-LM head "
                          "to the hidden state after that layer.")
                           .arg(answer).arg(lens.finalToken.probability, 0, 'f', 3).arg(from));
}

void LayerPredictionsPanel::renderExport(QPainter& painter, const QSize& size) {
    const QSize natural = exportSize();
    painter.save();
    painter.scale(static_cast<double>(size.width()) / natural.width(), static_cast<double>(size.height()) / natural.height());
    painter.fillRect(QRect(QPoint(0, 0), natural), Qt::white);
    // The caption and the table as they look; the chart as vector graphics.
    render(&painter, QPoint(), QRegion(), QWidget::DrawChildren);
    painter.translate(m_chart->mapTo(this, QPoint(0, 0)));
    painter.fillRect(QRect(QPoint(0, 0), m_chart->size()), Qt::white);
    renderPlot(*m_chart, painter, m_chart->size());
    painter.restore();
}

QSize LayerPredictionsPanel::exportSize() const { return size().isEmpty() ? QSize(900, 500) : size(); }

}  // namespace ascope::ui
