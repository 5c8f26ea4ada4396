#include "panels/positional_encoding_panel.h"

#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>
#include <cmath>
#include <qcustomplot.h>

#include "export/figure_exporter.h"

#include "analysis/positional_encoding.h"
#include "widgets/heatmap_plot_widget.h"

namespace ascope::ui {

PositionalEncodingPanel::PositionalEncodingPanel(QWidget* parent) : QWidget(parent) {
    auto* outer = new QVBoxLayout(this);
    auto* controls = new QHBoxLayout;
    m_positions = new QSpinBox(this);
    m_positions->setRange(2, 4096);
    m_positions->setValue(64);
    m_positions->setToolTip(tr("How many positions to draw"));
    m_dims = new QLineEdit(QStringLiteral("0, 1, 4, 5, 16, 64"), this);
    m_dims->setToolTip(tr("Comma-separated encoding dimensions drawn as curves"));
    auto* posLabel = new QLabel(tr("&Positions"), this);
    posLabel->setBuddy(m_positions);
    auto* dimLabel = new QLabel(tr("&Dimensions"), this);
    dimLabel->setBuddy(m_dims);
    controls->addWidget(posLabel);
    controls->addWidget(m_positions);
    controls->addWidget(dimLabel);
    controls->addWidget(m_dims, 1);
    outer->addLayout(controls);
    auto* grid = new QGridLayout;
    m_sinusoid = new HeatmapPlotWidget(this);
    m_sinusoid->setAxisTitles(tr("dimension"), tr("position"));
    m_sinusoid->setColorMap(ColorMap::Coolwarm);
    m_sinusoid->setValueRange(-1, 1);
    m_curves = new QCustomPlot(this);
    m_curves->xAxis->setLabel(tr("position"));
    m_curves->yAxis->setLabel(tr("encoding value"));
    m_curves->legend->setVisible(true);
    m_learned = new HeatmapPlotWidget(this);
    m_learned->setAxisTitles(tr("dimension"), tr("position"));
    m_learned->setColorMap(ColorMap::Coolwarm);
    m_similarity = new HeatmapPlotWidget(this);
    m_similarity->setAxisTitles(tr("position"), tr("position"));
    m_similarity->setColorMap(ColorMap::Coolwarm);
    m_similarity->setValueRange(-1, 1);
    for (auto* w : {static_cast<QWidget*>(m_sinusoid), static_cast<QWidget*>(m_curves), static_cast<QWidget*>(m_learned),
                    static_cast<QWidget*>(m_similarity)})
        w->setMinimumSize(240, 200);
    grid->addWidget(m_sinusoid, 0, 0);
    grid->addWidget(m_curves, 0, 1);
    grid->addWidget(m_learned, 1, 0);
    grid->addWidget(m_similarity, 1, 1);
    outer->addLayout(grid, 1);
    connect(m_positions, qOverload<int>(&QSpinBox::valueChanged), this, &PositionalEncodingPanel::refresh);
    connect(m_dims, &QLineEdit::editingFinished, this, &PositionalEncodingPanel::refresh);
}

void PositionalEncodingPanel::setModel(int hidden, int maxPositions, const std::vector<float>& learned) {
    m_hidden = hidden;
    m_maxPositions = maxPositions;
    m_learnedValues = learned;
    m_positions->setMaximum(std::max(2, maxPositions));
    refresh();
}

void PositionalEncodingPanel::refresh() {
    if (m_hidden <= 0) return;
    const int positions = std::min(m_positions->value(), std::max(2, m_maxPositions));
    const auto pe = sinusoidalEncoding(positions, m_hidden);
    m_sinusoid->setMatrix(positions, m_hidden, pe);
    m_sinusoid->setTitle(tr("Sinusoidal encoding (d = %1)").arg(m_hidden));
    m_sinusoid->setExportBaseName(QStringLiteral("sinusoidal_encoding_%1x%2").arg(positions).arg(m_hidden));

    m_curves->clearGraphs();
    const QColor colors[] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44), QColor(214, 39, 40),
                             QColor(148, 103, 189), QColor(140, 86, 75), QColor(227, 119, 194), QColor(127, 127, 127)};
    int n = 0;
    for (const auto& part : m_dims->text().split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const int d = part.trimmed().toInt(&ok);
        if (!ok || d < 0 || d >= m_hidden) continue;
        auto* g = m_curves->addGraph();
        g->setName(tr("dim %1").arg(d));
        g->setPen(QPen(colors[n++ % 8], 2));
        QVector<double> x, y;
        for (int p = 0; p < positions; ++p) {
            x << p;
            y << pe[static_cast<std::size_t>(p) * m_hidden + d];
        }
        g->setData(x, y);
    }
    m_curves->xAxis->setRange(0, positions - 1);
    m_curves->yAxis->setRange(-1.1, 1.1);
    m_curves->replot();

    if (m_learnedValues.size() >= static_cast<std::size_t>(positions) * m_hidden) {
        std::vector<float> rows(m_learnedValues.begin(), m_learnedValues.begin() + static_cast<long>(positions) * m_hidden);
        m_learned->setMatrix(positions, m_hidden, rows);
        float extreme = 1e-6f;
        for (float v : rows) extreme = std::max(extreme, std::fabs(v));
        m_learned->setValueRange(-extreme, extreme);
        m_learned->setTitle(tr("Learned position embeddings"));
        m_similarity->setMatrix(positions, positions, cosineSimilarity(rows, positions, m_hidden));
        m_similarity->setTitle(tr("Cosine similarity of learned positions"));
    } else {
        m_learned->setMatrix(0, 0, {});
        m_learned->setTitle(tr("No learned position embeddings"));
        m_similarity->setMatrix(0, 0, {});
        m_similarity->setTitle(QString());
    }
}

QString PositionalEncodingPanel::exportBaseName() const {
    return QStringLiteral("positional_encodings_d%1").arg(m_hidden);
}

void PositionalEncodingPanel::renderExport(QPainter& painter, const QSize& size) {
    const int w = size.width() / 2, h = size.height() / 2;
    QCustomPlot* plots[] = {m_sinusoid, m_curves, m_learned, m_similarity};
    for (int i = 0; i < 4; ++i) {
        painter.save();
        painter.translate((i % 2) * w, (i / 2) * h);
        renderPlot(*plots[i], painter, QSize(w, h));
        painter.restore();
    }
}

}  // namespace ascope::ui
