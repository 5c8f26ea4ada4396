#include "export/animated_png_writer.h"

#include <QByteArray>
#include <QFile>
#include <QSaveFile>
#include <array>

namespace ascope::ui {

namespace {

std::uint32_t crc32Of(const QByteArray& bytes) {
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t n = 0; n < 256; ++n) {
            std::uint32_t c = n;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }();
    std::uint32_t c = 0xFFFFFFFFu;
    for (char b : bytes) c = table[(c ^ static_cast<std::uint8_t>(b)) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

void putU32(QByteArray& out, std::uint32_t v) {
    for (int shift : {24, 16, 8, 0}) out.append(static_cast<char>((v >> shift) & 0xFF));
}
void putU16(QByteArray& out, std::uint16_t v) {
    out.append(static_cast<char>(v >> 8));
    out.append(static_cast<char>(v & 0xFF));
}

void putChunk(QByteArray& out, const char* type, const QByteArray& data) {
    putU32(out, static_cast<std::uint32_t>(data.size()));
    QByteArray typed(type, 4);
    typed.append(data);
    out.append(typed);
    putU32(out, crc32Of(typed));
}

// The zlib stream of the frame's scanlines, each led by filter type 0.
QByteArray compressedPixels(const QImage& rgba) {
    QByteArray raw;
    const int rowBytes = rgba.width() * 4;
    raw.reserve((rowBytes + 1) * rgba.height());
    for (int y = 0; y < rgba.height(); ++y) {
        raw.append('\0');
        raw.append(reinterpret_cast<const char*>(rgba.constScanLine(y)), rowBytes);
    }
    return qCompress(raw, 9).mid(4);  // qCompress puts the length in front of the zlib stream
}

}  // namespace

QString writeAnimatedPng(const QString& path, const std::vector<QImage>& frames, int delayMs) {
    if (frames.empty()) return QStringLiteral("no frames to write");
    const QSize size = frames.front().size();
    if (size.isEmpty()) return QStringLiteral("the frames are empty");
    QByteArray out("\x89PNG\r\n\x1a\n", 8);
    QByteArray header;
    putU32(header, static_cast<std::uint32_t>(size.width()));
    putU32(header, static_cast<std::uint32_t>(size.height()));
    header.append(static_cast<char>(8));  // bit depth
    header.append(static_cast<char>(6));  // RGBA
    header.append(3, '\0');               // compression, filter, interlace
    putChunk(out, "IHDR", header);
    QByteArray control;
    putU32(control, static_cast<std::uint32_t>(frames.size()));
    putU32(control, 0);  // loop forever
    putChunk(out, "acTL", control);
    std::uint32_t sequence = 0;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        QImage frame = frames[i].convertToFormat(QImage::Format_RGBA8888);
        if (frame.size() != size) frame = frame.scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
        QByteArray fc;
        putU32(fc, sequence++);
        putU32(fc, static_cast<std::uint32_t>(size.width()));
        putU32(fc, static_cast<std::uint32_t>(size.height()));
        putU32(fc, 0);  // x offset
        putU32(fc, 0);  // y offset
        putU16(fc, static_cast<std::uint16_t>(std::clamp(delayMs, 1, 65535)));
        putU16(fc, 1000);  // delay in milliseconds
        fc.append('\0');   // dispose: none
        fc.append('\0');   // blend: source
        putChunk(out, "fcTL", fc);
        const QByteArray pixels = compressedPixels(frame);
        if (i == 0) {
            putChunk(out, "IDAT", pixels);  // the first frame is the still image too
        } else {
            QByteArray data;
            putU32(data, sequence++);
            data.append(pixels);
            putChunk(out, "fdAT", data);
        }
    }
    putChunk(out, "IEND", QByteArray());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) return QStringLiteral("cannot write %1").arg(path);
    if (file.write(out) != out.size() || !file.commit()) return QStringLiteral("could not write all of %1").arg(path);
    return {};
}

}  // namespace ascope::ui
