#pragma once
// Decodes image files (PNG, JPEG, BMP, PPM, GIF, ...) with Qt into the core's RGB buffer.
#include <QImage>
#include <QString>

#include "util/expected.h"
#include "vision/image_preprocessor.h"

namespace ascope::ui {

// Transparent pixels are composited onto white; animated files give their first frame.
Expected<RgbImage> readImageFile(const QString& path);
RgbImage toRgbImage(const QImage& image);
QImage toQImage(const RgbImage& image);

}  // namespace ascope::ui
