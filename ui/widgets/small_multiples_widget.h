#pragma once
// A grid of small pictures with row and column labels (small multiples): the model view (every
// layer x head of a sentence), the per-head overlay grid of an image and the position-embedding
// similarity grid. Each cell is drawn by a callback; clicking a cell emits its row and column,
// hovering shows the cell's tooltip, and one cell can be highlighted.
#include <QWidget>
#include <functional>

#include "export/exportable_view.h"

namespace ascope::ui {

class SmallMultiplesWidget : public QWidget, public ExportableView {
    Q_OBJECT
public:
    using CellPainter = std::function<void(QPainter&, const QRectF&, int row, int col)>;
    using CellToolTip = std::function<QString(int row, int col)>;
    explicit SmallMultiplesWidget(QWidget* parent = nullptr);
    void setGrid(int rows, int cols, CellPainter painter, QString rowPrefix, QString colPrefix, QString title);
    // Shown in place of the grid while it has no cells.
    void setEmptyMessage(const QString& message);
    void setCellToolTip(CellToolTip toolTip) { m_toolTip = std::move(toolTip); }
    void setHighlighted(int row, int col);
    void setExportBaseName(const QString& name) { m_exportName = name; }
    int rows() const { return m_rows; }
    int cols() const { return m_cols; }
    // The centre of a cell in widget coordinates (for tests and scripted clicks).
    QPoint cellCenter(int row, int col) const;

    void renderExport(QPainter& painter, const QSize& size) override;
    QSize exportSize() const override;
    QString exportBaseName() const override { return m_exportName; }
    QSize sizeHint() const override { return {800, 600}; }

signals:
    void cellClicked(int row, int col);
    void cellRightClicked(int row, int col);  // also Ctrl+click

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    struct Geometry {
        double left, top, cell, gap;
    };
    Geometry geometry(const QSize& size) const;
    bool cellAt(const QPointF& pos, int& row, int& col) const;
    void paintAll(QPainter& p, const QSize& size) const;

    int m_rows = 0, m_cols = 0;
    CellPainter m_painter;
    CellToolTip m_toolTip;
    QString m_rowPrefix, m_colPrefix, m_title, m_empty;
    int m_hlRow = -1, m_hlCol = -1;
    QString m_exportName = QStringLiteral("grid");
};

}  // namespace ascope::ui
