#include "io/image_file_reader.h"

#include <QFileInfo>
#include <QImageReader>
#include <QPainter>
#include <cstring>

namespace ascope::ui {

Expected<RgbImage> readImageFile(const QString& path) {
    const QFileInfo info(path);
    if (!info.exists()) return makeError(ErrorKind::Io, path.toStdString() + ": no such file");
    if (!info.isFile()) return makeError(ErrorKind::InvalidInput, path.toStdString() + ": not a file");
    QImageReader reader(path);
    reader.setAllocationLimit(512);  // MB: refuse decompression bombs
    const QSize size = reader.size();
    if (size.isValid() && (size.width() > 16384 || size.height() > 16384))
        return makeError(ErrorKind::InvalidInput, path.toStdString() + ": image is " + std::to_string(size.width()) + " x " +
                         std::to_string(size.height()) + " pixels; at most 16384 a side");
    QImage image = reader.read();
    if (image.isNull())
        return makeError(ErrorKind::InvalidInput, path.toStdString() + ": cannot read image (" + reader.errorString().toStdString() + ")");
    return toRgbImage(image);
}

RgbImage toRgbImage(const QImage& source) {
    QImage flat(source.size(), QImage::Format_RGB888);
    flat.fill(Qt::white);
    {
        QPainter p(&flat);
        p.drawImage(0, 0, source);
    }
    RgbImage out{flat.width(), flat.height(), std::vector<std::uint8_t>(static_cast<std::size_t>(flat.width()) * flat.height() * 3)};
    for (int y = 0; y < flat.height(); ++y)
        std::memcpy(out.pixels.data() + static_cast<std::size_t>(y) * flat.width() * 3, flat.constScanLine(y),
                    static_cast<std::size_t>(flat.width()) * 3);
    return out;
}

QImage toQImage(const RgbImage& image) {
    QImage out(image.width, image.height, QImage::Format_RGB888);
    for (int y = 0; y < image.height; ++y)
        std::memcpy(out.scanLine(y), image.pixels.data() + static_cast<std::size_t>(y) * image.width * 3,
                    static_cast<std::size_t>(image.width) * 3);
    return out;
}

}  // namespace ascope::ui
