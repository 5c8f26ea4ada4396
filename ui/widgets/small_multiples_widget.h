#pragma once
// A grid of small pictures with row and column labels (small multiples): the per-head overlay
// grid and the position-embedding similarity grid. Each cell is drawn by a callback; clicking a
// cell emits its row and column.
#include <QWidget>
#include <functional>

#include "export/exportable_view.h"

namespace ascope::ui {

class SmallMultiplesWidget : public QWidget, public ExportableView {
    Q_OBJECT
public:
    using CellPainter = std::function<void(QPainter&, const QRectF&, int row, int col)>;
    explicit SmallMultiplesWidget(QWidget* parent = nullptr);
    void setGrid(int rows, int cols, CellPainter painter, QString rowPrefix, QString colPrefix, QString title);
    void setHighlighted(int row, int col);
    void setExportBaseName(const QString& name) { m_exportName = name; }

    void renderExport(QPainter& painter, const QSize& size) override;
    QSize exportSize() const override;
    QString exportBaseName() const override { return m_exportName; }

signals:
    void cellClicked(int row, int col);

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    struct Geometry {
        double left, top, cell, gap;
    };
    Geometry geometry(const QSize& size) const;
    void paintAll(QPainter& p, const QSize& size) const;

    int m_rows = 0, m_cols = 0;
    CellPainter m_painter;
    QString m_rowPrefix, m_colPrefix, m_title;
    int m_hlRow = -1, m_hlCol = -1;
    QString m_exportName = QStringLiteral("grid");
};

}  // namespace ascope::ui
