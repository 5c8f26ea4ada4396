#pragma once
// Colour maps for heatmaps. QCustomPlot 2.1 has no viridis preset: the stops are defined here.
#include <QColor>
#include <QString>
#include <QStringList>

class QCPColorGradient;
class QComboBox;

namespace ascope::ui {

enum class ColorMap { Viridis, Magma, Greys, Coolwarm };

// How cells attention was not allowed to reach are drawn (heatmaps show them as NaN).
inline const QColor kMaskedColor(190, 190, 190);

// Fills a combo box with the colour maps (each item's data is its ColorMap) and selects `current`.
void fillColorMapCombo(QComboBox& combo, ColorMap current);
ColorMap colorMapOf(const QComboBox& combo);
QCPColorGradient makeGradient(ColorMap map);
// The colour for t in [0, 1] (for QPainter-drawn views).
QColor colorAt(ColorMap map, double t);

}  // namespace ascope::ui
