#include "widgets/heatmap_plot_widget.h"

#include "export/figure_exporter.h"

#include <QToolTip>
#include <algorithm>
#include <cmath>

namespace ascope::ui {

namespace {
// Token labels, thinned to every k-th where they would overlap (a window of 128 or 512 tokens):
// k follows the axis' length in pixels and the label font at each replot, so a larger window or
// figure shows more of them.
class ThinnedLabelTicker : public QCPAxisTickerText {
public:
    explicit ThinnedLabelTicker(QCPAxis* axis) : m_axis(axis) {}

protected:
    QVector<double> createTickVector(double tickStep, const QCPRange& range) override {
        const QVector<double> all = QCPAxisTickerText::createTickVector(tickStep, range);
        const bool horizontal = m_axis->orientation() == Qt::Horizontal;
        const double pixels = horizontal ? m_axis->axisRect()->width() : m_axis->axisRect()->height();
        if (all.size() < 2 || pixels <= 0) return all;
        // A rotated label needs line height / sin(angle) along a horizontal axis.
        const double angle = std::abs(m_axis->tickLabelRotation()) * M_PI / 180.0;
        const double along = horizontal ? 1.0 / std::max(0.25, std::sin(angle)) : 1.0;
        const double needed = QFontMetricsF(m_axis->tickLabelFont()).height() * along;
        const double perLabel = pixels / std::max(1.0, range.size());
        const int step = std::max(1, static_cast<int>(std::ceil(needed / perLabel)));
        if (step == 1) return all;
        QVector<double> kept;
        for (double key : all)
            if (static_cast<long long>(std::llround(key)) % step == 0) kept.push_back(key);
        return kept;
    }

private:
    QCPAxis* m_axis;
};

QSharedPointer<QCPAxisTicker> labelTicker(QCPAxis* axis, const QStringList& labels, int count) {
    if (labels.isEmpty()) {
        auto t = QSharedPointer<QCPAxisTickerFixed>::create();
        t->setTickStep(std::max(1, count / 8));
        t->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
        return t;
    }
    auto t = QSharedPointer<ThinnedLabelTicker>::create(axis);
    for (int i = 0; i < labels.size(); ++i) t->addTick(i, labels[i]);
    return t;
}
}  // namespace

HeatmapPlotWidget::HeatmapPlotWidget(QWidget* parent) : QCustomPlot(parent) {
    setMouseTracking(true);
    plotLayout()->insertRow(0);
    m_title = new QCPTextElement(this, QString(), QFont(font().family(), font().pointSize() + 1, QFont::Bold));
    plotLayout()->addElement(0, 0, m_title);
    m_map = new QCPColorMap(xAxis, yAxis);
    m_map->setInterpolate(false);  // attention cells must stay crisp
    m_map->setVisible(false);       // until there is data
    m_map->setTightBoundary(false);
    m_scale = new QCPColorScale(this);
    plotLayout()->addElement(1, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_map->setColorScale(m_scale);
    auto* group = new QCPMarginGroup(this);
    axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    m_scale->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    yAxis->setRangeReversed(true);
    xAxis->setTickLabelRotation(60);
    xAxis->grid()->setVisible(false);
    yAxis->grid()->setVisible(false);
    xAxis->setSubTicks(false);
    yAxis->setSubTicks(false);
    setColorMap(ColorMap::Viridis);
    setToolTip(tr("Hover a cell to read its value"));
    for (auto** mark : {&m_rowMark, &m_colMark}) {
        *mark = new QCPItemRect(this);
        (*mark)->setPen(QPen(QColor(255, 60, 60, 230), 3));
        (*mark)->setBrush(QColor(255, 255, 255, 40));
        (*mark)->setVisible(false);
    }
}

void HeatmapPlotWidget::setSelectionBand(int first, int last) {
    m_band = first < 0 || last < first ? std::pair<int, int>{-1, -1} : std::pair<int, int>{first, last};
    placeBand();
}

void HeatmapPlotWidget::placeBand() {
    if (!m_bandRows) {
        for (auto** mark : {&m_bandRows, &m_bandCols}) {
            *mark = new QCPItemRect(this);
            (*mark)->setPen(QPen(QColor(0, 200, 255, 240), 2.5));
            (*mark)->setBrush(Qt::NoBrush);
        }
    }
    const bool show = m_band.first >= 0 && m_band.second < std::min(m_rows, m_cols);
    m_bandRows->setVisible(show);
    m_bandCols->setVisible(show);
    if (show) {
        const double a = m_band.first - 0.5, b = m_band.second + 0.5;
        m_bandRows->topLeft->setCoords(-0.5, a);
        m_bandRows->bottomRight->setCoords(m_cols - 0.5, b);
        m_bandCols->topLeft->setCoords(a, -0.5);
        m_bandCols->bottomRight->setCoords(b, m_rows - 0.5);
    }
    replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapPlotWidget::setSegmentBoundary(int index) {
    if (!m_boundaryRow) {
        for (auto** line : {&m_boundaryRow, &m_boundaryCol}) {
            *line = new QCPItemLine(this);
            (*line)->setPen(QPen(QColor(255, 255, 255, 230), 2, Qt::DashLine));
        }
    }
    m_boundary = index > 0 && index < std::min(m_rows, m_cols) ? index : -1;
    m_boundaryRow->setVisible(m_boundary > 0);
    m_boundaryCol->setVisible(m_boundary > 0);
    if (m_boundary > 0) {
        const double at = m_boundary - 0.5;
        m_boundaryRow->start->setCoords(-0.5, at);
        m_boundaryRow->end->setCoords(m_cols - 0.5, at);
        m_boundaryCol->start->setCoords(at, -0.5);
        m_boundaryCol->end->setCoords(at, m_rows - 0.5);
    }
    replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapPlotWidget::setCrosshair(bool on) {
    m_crosshair = on;
    placeCrosshair();
}

void HeatmapPlotWidget::placeCrosshair() {
    const bool show = m_crosshair && m_hovered.x() >= 0 && m_hovered.x() < m_rows && m_hovered.y() < m_cols;
    m_rowMark->setVisible(show);
    m_colMark->setVisible(show);
    if (show) {
        const double r = m_hovered.x(), c = m_hovered.y();
        m_rowMark->topLeft->setCoords(-0.5, r - 0.5);
        m_rowMark->bottomRight->setCoords(m_cols - 0.5, r + 0.5);
        m_colMark->topLeft->setCoords(c - 0.5, -0.5);
        m_colMark->bottomRight->setCoords(c + 0.5, m_rows - 0.5);
    }
    replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapPlotWidget::changeEvent(QEvent* event) {
    QCustomPlot::changeEvent(event);
    if (event->type() == QEvent::FontChange) applyWidgetFont(*this);
}

void HeatmapPlotWidget::leaveEvent(QEvent* event) {
    QCustomPlot::leaveEvent(event);
    m_hovered = QPoint(-1, -1);
    if (m_crosshair) placeCrosshair();
}

void HeatmapPlotWidget::setMatrix(int rows, int cols, const std::vector<float>& values, const QStringList& rowLabels,
                                  const QStringList& colLabels) {
    m_rows = rows;
    m_cols = cols;
    m_values = values;
    if (m_hovered.x() >= rows || m_hovered.y() >= cols) m_hovered = QPoint(-1, -1);
    // QCPColorMap draws a dimension of one cell with no extent: such a dimension is stored as two
    // equal cells spanning -0.25..0.25, which draws one cell from -0.5 to 0.5.
    const int dataCols = cols == 1 ? 2 : std::max(cols, 1), dataRows = rows == 1 ? 2 : std::max(rows, 1);
    m_map->data()->setSize(dataCols, dataRows);
    m_map->data()->setRange(cols == 1 ? QCPRange(-0.25, 0.25) : QCPRange(0, std::max(cols - 1, 0)),
                            rows == 1 ? QCPRange(-0.25, 0.25) : QCPRange(0, std::max(rows - 1, 0)));
    for (int r = 0; r < dataRows && rows > 0; ++r)
        for (int c = 0; c < dataCols && cols > 0; ++c)
            m_map->data()->setCell(c, r, values[static_cast<std::size_t>(std::min(r, rows - 1)) * cols + std::min(c, cols - 1)]);
    m_map->setVisible(rows > 0 && cols > 0);  // nothing to show: no fake cell
    xAxis->setTicker(labelTicker(xAxis, colLabels, cols));
    yAxis->setTicker(labelTicker(yAxis, rowLabels, rows));
    xAxis->setRange(-0.5, cols - 0.5);
    yAxis->setRange(-0.5, rows - 0.5);
    if (!m_fixedRange) m_map->rescaleDataRange(true);
    replot();
}

void HeatmapPlotWidget::setAxisTitles(const QString& x, const QString& y) {
    xAxis->setLabel(x);
    yAxis->setLabel(y);
}

void HeatmapPlotWidget::setTitle(const QString& title) {
    m_title->setText(title);
    replot();
}

void HeatmapPlotWidget::setColorMap(ColorMap map) {
    m_map->setGradient(makeGradient(map));
    replot();
}

void HeatmapPlotWidget::setValueRange(double lo, double hi) {
    m_fixedRange = true;
    m_map->setDataRange(QCPRange(lo, hi));
    replot();
}

void HeatmapPlotWidget::setAutoRange() {
    m_fixedRange = false;
    m_map->rescaleDataRange(true);
    replot();
}

void HeatmapPlotWidget::setSymmetricRange() {
    double m = 0;
    for (float v : m_values)
        if (!std::isnan(v)) m = std::max(m, static_cast<double>(std::abs(v)));
    setValueRange(-std::max(m, 1e-9), std::max(m, 1e-9));
}

double HeatmapPlotWidget::valueAt(int row, int col) const {
    if (row < 0 || col < 0 || row >= m_rows || col >= m_cols) return 0;
    return m_values[static_cast<std::size_t>(row) * m_cols + col];
}

bool HeatmapPlotWidget::cellAt(const QPointF& pos, int& row, int& col) const {
    if (!axisRect()->rect().contains(pos.toPoint())) return false;
    col = static_cast<int>(std::floor(xAxis->pixelToCoord(pos.x()) + 0.5));
    row = static_cast<int>(std::floor(yAxis->pixelToCoord(pos.y()) + 0.5));
    return row >= 0 && col >= 0 && row < m_rows && col < m_cols;
}

void HeatmapPlotWidget::mouseMoveEvent(QMouseEvent* event) {
    QCustomPlot::mouseMoveEvent(event);
    int row, col;
    if (!cellAt(event->position(), row, col)) return;
    if (m_hovered != QPoint(row, col)) {
        m_hovered = QPoint(row, col);
        if (m_crosshair) placeCrosshair();
    }
    const double v = valueAt(row, col);
    const QString text = m_hover ? m_hover(row, col, v)
                         : std::isnan(v) ? tr("row %1, column %2: masked").arg(row).arg(col)
                                         : QStringLiteral("row %1, column %2: %3").arg(row).arg(col).arg(v, 0, 'f', 4);
    QToolTip::showText(event->globalPosition().toPoint(), text, this);
    emit cellHovered(text);
    if ((event->buttons() & Qt::LeftButton) && m_dragCell != QPoint(col, row)) {
        m_dragCell = QPoint(col, row);
        emit cellDragged(row, col);
    }
}

void HeatmapPlotWidget::mouseReleaseEvent(QMouseEvent* event) {
    QCustomPlot::mouseReleaseEvent(event);
    m_dragCell = QPoint(-1, -1);
}

void HeatmapPlotWidget::mousePressEvent(QMouseEvent* event) {
    QCustomPlot::mousePressEvent(event);
    int row, col;
    if (!cellAt(event->position(), row, col)) return;
    m_dragCell = QPoint(col, row);
    emit cellClicked(row, col);
}

void HeatmapPlotWidget::renderExport(QPainter& painter, const QSize& size) {
    const bool marks = m_rowMark->visible();  // the laser pointer is not part of the figure
    m_rowMark->setVisible(false);
    m_colMark->setVisible(false);
    renderPlot(*this, painter, size);
    m_rowMark->setVisible(marks);
    m_colMark->setVisible(marks);
}

QSize HeatmapPlotWidget::exportSize() const { return size().isEmpty() ? QSize(800, 700) : size(); }

}  // namespace ascope::ui
