#pragma once
// The image as the model saw it, its patch grid, and a heat overlay (one value per patch) with
// adjustable opacity and colour map. Clicking a patch selects it (query mode); right-click clears.
#include <QImage>
#include <QWidget>
#include <vector>

#include "export/exportable_view.h"
#include "widgets/color_maps.h"

namespace ascope::ui {

class ImageOverlayWidget : public QWidget, public ExportableView {
    Q_OBJECT
public:
    explicit ImageOverlayWidget(QWidget* parent = nullptr);
    void setImage(const QImage& image, int gridRows, int gridCols);
    // heat: gridRows * gridCols values in [0, 1] (empty: no overlay).
    void setHeat(const std::vector<float>& heat);
    void setOpacity(double opacity);
    void setColorMap(ColorMap map);
    void setSelectedPatch(int index);  // -1: none
    void setShowGrid(bool show);
    // Patches no query may attend to (the attention mask), drawn hatched grey.
    void setBlockedPatches(std::vector<int> patches);
    const std::vector<int>& blockedPatches() const { return m_blocked; }
    int selectedPatch() const { return m_selected; }
    void setExportBaseName(const QString& name) { m_exportName = name; }
    // Renders image + overlay into `target` (also used by the per-head grid).
    void paintOverlay(QPainter& p, const QRectF& target) const;

    void renderExport(QPainter& painter, const QSize& size) override;
    QSize exportSize() const override { return {672, 672}; }
    QString exportBaseName() const override { return m_exportName; }
    QSize sizeHint() const override { return {480, 480}; }

signals:
    void patchClicked(int index);  // -1 on right-click

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    QRectF imageRect(const QSize& size) const;

    QImage m_image;
    int m_rows = 0, m_cols = 0;
    std::vector<float> m_heat;
    double m_opacity = 0.6;
    ColorMap m_map = ColorMap::Magma;
    int m_selected = -1;
    std::vector<int> m_blocked;
    bool m_showGrid = true;
    QString m_exportName = QStringLiteral("image_attention");
};

}  // namespace ascope::ui
