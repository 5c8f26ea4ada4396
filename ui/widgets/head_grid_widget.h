#pragma once
// The model view: a grid of small heatmaps, all layers (rows) x all heads (columns). Clicking a
// cell selects that layer and head.
#include <QImage>
#include <QWidget>
#include <vector>

#include "export/exportable_view.h"
#include "inference/text_analysis.h"
#include "widgets/color_maps.h"

namespace ascope::ui {

class HeadGridWidget : public QWidget, public ExportableView {
    Q_OBJECT
public:
    explicit HeadGridWidget(QWidget* parent = nullptr);
    void setAttention(const AttentionStack& attention);
    void setSelected(int layer, int head);
    void setColorMap(ColorMap map);
    void setExportBaseName(const QString& name) { m_exportName = name; }

    void renderExport(QPainter& painter, const QSize& size) override;
    QSize exportSize() const override;
    QString exportBaseName() const override { return m_exportName; }
    QSize sizeHint() const override { return {800, 600}; }

signals:
    void headClicked(int layer, int head);

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    struct Geometry {
        double left, top, cell, gap;
    };
    Geometry geometry(const QSize& size) const;
    void paintGrid(QPainter& p, const QSize& size) const;
    void rebuildImages();

    AttentionStack m_attention;
    std::vector<QImage> m_images;  // one per layer x head
    int m_selLayer = 0, m_selHead = 0;
    ColorMap m_map = ColorMap::Viridis;
    QString m_exportName = QStringLiteral("model_view");
};

}  // namespace ascope::ui
