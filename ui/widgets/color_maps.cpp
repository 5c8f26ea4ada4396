#include "widgets/color_maps.h"

#include <QComboBox>
#include <algorithm>
#include <qcustomplot.h>
#include <utility>
#include <vector>

namespace ascope::ui {

namespace {
using Stops = std::vector<std::pair<double, QColor>>;

const Stops& stopsFor(ColorMap map) {
    static const Stops viridis = {{0.0, QColor(68, 1, 84)},     {0.125, QColor(71, 44, 122)}, {0.25, QColor(59, 81, 139)},
                                  {0.375, QColor(44, 113, 142)}, {0.5, QColor(33, 144, 141)},  {0.625, QColor(39, 173, 129)},
                                  {0.75, QColor(92, 200, 99)},   {0.875, QColor(170, 220, 50)}, {1.0, QColor(253, 231, 37)}};
    static const Stops magma = {{0.0, QColor(0, 0, 4)},       {0.25, QColor(81, 18, 124)}, {0.5, QColor(183, 55, 121)},
                                {0.75, QColor(252, 137, 97)}, {1.0, QColor(252, 253, 191)}};
    static const Stops greys = {{0.0, QColor(255, 255, 255)}, {1.0, QColor(0, 0, 0)}};
    static const Stops coolwarm = {{0.0, QColor(59, 76, 192)}, {0.5, QColor(221, 221, 221)}, {1.0, QColor(180, 4, 38)}};
    switch (map) {
    case ColorMap::Magma: return magma;
    case ColorMap::Greys: return greys;
    case ColorMap::Coolwarm: return coolwarm;
    default: return viridis;
    }
}
}  // namespace

void fillColorMapCombo(QComboBox& combo, ColorMap current) {
    const std::pair<ColorMap, const char*> maps[] = {
        {ColorMap::Viridis, "Viridis"}, {ColorMap::Magma, "Magma"}, {ColorMap::Greys, "Greys"}, {ColorMap::Coolwarm, "Cool-warm"}};
    for (const auto& [map, name] : maps) combo.addItem(QString::fromLatin1(name), static_cast<int>(map));
    combo.setCurrentIndex(combo.findData(static_cast<int>(current)));
}

ColorMap colorMapOf(const QComboBox& combo) { return static_cast<ColorMap>(combo.currentData().toInt()); }

QCPColorGradient makeGradient(ColorMap map) {
    QCPColorGradient g;
    g.clearColorStops();
    for (const auto& [pos, color] : stopsFor(map)) g.setColorStopAt(pos, color);
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    g.setLevelCount(256);
    g.setNanHandling(QCPColorGradient::nhNanColor);  // masked attention cells: neutral grey, not a colour
    g.setNanColor(kMaskedColor);
    return g;
}

ColorTable::ColorTable(ColorMap map) {
    for (std::size_t i = 0; i < kSize; ++i) m_rgb[i] = colorAt(map, static_cast<double>(i) / (kSize - 1)).rgb();
}

QColor colorAt(ColorMap map, double t) {
    const auto& stops = stopsFor(map);
    t = std::clamp(t, 0.0, 1.0);
    for (std::size_t i = 1; i < stops.size(); ++i) {
        if (t <= stops[i].first) {
            const double span = stops[i].first - stops[i - 1].first;
            const double f = span > 0 ? (t - stops[i - 1].first) / span : 0;
            const QColor& a = stops[i - 1].second;
            const QColor& b = stops[i].second;
            auto mix = [f](float from, float to) { return static_cast<float>(from + f * (to - from)); };
            return QColor::fromRgbF(mix(a.redF(), b.redF()), mix(a.greenF(), b.greenF()), mix(a.blueF(), b.blueF()));
        }
    }
    return stops.back().second;
}

}  // namespace ascope::ui
