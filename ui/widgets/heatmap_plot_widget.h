#pragma once
// A crisp matrix heatmap (QCustomPlot colour map, no interpolation) with optional text tick
// labels on both axes, a colour scale, and a hover read-out. Row 0 is drawn at the top.
#include <QStringList>
#include <cmath>
#include <functional>
#include <qcustomplot.h>
#include <vector>

#include "export/exportable_view.h"
#include "widgets/color_maps.h"

namespace ascope::ui {

class HeatmapPlotWidget : public QCustomPlot, public ExportableView {
    Q_OBJECT
public:
    explicit HeatmapPlotWidget(QWidget* parent = nullptr);

    // values: [rows][cols] row-major. Empty labels: numeric axes.
    void setMatrix(int rows, int cols, const std::vector<float>& values, const QStringList& rowLabels = {},
                   const QStringList& colLabels = {});
    void setAxisTitles(const QString& x, const QString& y);
    void setTitle(const QString& title);
    void setColorMap(ColorMap map);
    // Fixed data range (e.g. 0..1 for attention); without it the range follows the data.
    void setValueRange(double lo, double hi);
    void setAutoRange();
    // A range symmetric about 0 (-m..m, m the largest |value|), for differences on a diverging map.
    void setSymmetricRange();
    // Formats the hover read-out for cell (row, col); default "row, col: value".
    void setHoverFormatter(std::function<QString(int row, int col, double value)> f) { m_hover = std::move(f); }
    // NaN values are drawn as masked cells (kMaskedColor).
    double valueAt(int row, int col) const;
    bool isMasked(int row, int col) const { return std::isnan(valueAt(row, col)); }
    int rows() const { return m_rows; }
    // A laser-pointer highlight of the hovered row and column (presentation mode).
    void setCrosshair(bool on);
    // Outlines rows and columns first..last (shown indices; first < 0 clears): the tokens of a
    // selected entity span.
    void setSelectionBand(int first, int last);
    std::pair<int, int> selectionBand() const { return m_band; }
    // A dashed line before row and column `index` (a sentence pair's segment B; -1: none).
    void setSegmentBoundary(int index);
    int segmentBoundary() const { return m_boundary; }
    // The cell under the mouse as (row, col), or (-1, -1).
    QPoint hoveredCell() const { return m_hovered; }
    int cols() const { return m_cols; }

    void renderExport(QPainter& painter, const QSize& size) override;
    QSize exportSize() const override;
    QString exportBaseName() const override { return m_exportName; }
    void setExportBaseName(const QString& name) { m_exportName = name; }

signals:
    void cellHovered(const QString& text);
    void cellClicked(int row, int col);
    // The mouse moved onto another cell with the left button held (painting).
    void cellDragged(int row, int col);

protected:
    void mouseMoveEvent(QMouseEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void changeEvent(QEvent* event) override;
    // Heatmaps do not zoom: the wheel scrolls whatever holds them.
    void wheelEvent(QWheelEvent* event) override { event->ignore(); }

private:
    bool cellAt(const QPointF& pos, int& row, int& col) const;

    QCPColorMap* m_map;
    QCPColorScale* m_scale;
    QCPTextElement* m_title;
    int m_rows = 0, m_cols = 0;
    std::vector<float> m_values;
    bool m_fixedRange = false;
    QPoint m_dragCell{-1, -1};  // (col, row) of the last cell a press or drag reached
    QPoint m_hovered{-1, -1};   // (row, col)
    bool m_crosshair = false;
    QCPItemRect* m_rowMark = nullptr;
    QCPItemRect* m_colMark = nullptr;
    QCPItemRect* m_bandRows = nullptr;
    QCPItemRect* m_bandCols = nullptr;
    std::pair<int, int> m_band{-1, -1};
    QCPItemLine* m_boundaryRow = nullptr;
    QCPItemLine* m_boundaryCol = nullptr;
    int m_boundary = -1;
    void placeCrosshair();
    void placeBand();
    std::function<QString(int, int, double)> m_hover;
    QString m_exportName = QStringLiteral("heatmap");
};

}  // namespace ascope::ui
