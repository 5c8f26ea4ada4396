#pragma once
// Colour maps for heatmaps. QCustomPlot 2.1 has no viridis preset: the stops are defined here.
#include <QColor>
#include <array>
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
// colorAt sampled at 1024 steps, for filling images fast (the model view draws 144 heatmaps).
class ColorTable {
public:
    explicit ColorTable(ColorMap map);
    QRgb rgb(double t) const {
        const double c = t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;  // NaN ends at 0 too
        return m_rgb[static_cast<std::size_t>(c * (kSize - 1) + 0.5)];
    }

private:
    static constexpr std::size_t kSize = 1024;
    std::array<QRgb, kSize> m_rgb;
};

}  // namespace ascope::ui
