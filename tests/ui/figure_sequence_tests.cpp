// Figures in sequence: numbered files, a contact sheet and an animated PNG of every layer or head.
#include <QDir>
#include <QFile>
#include <QImage>
#include <QtEndian>
#include <catch2/catch.hpp>

#include "export/exportable_view.h"
#include "export/figure_exporter.h"
#include "export/figure_sequence.h"
#include "panels/attention_panel.h"
#include "tiny_bert_window.h"

using namespace ascope;
using namespace ascope::test;
using namespace ascope::ui;

namespace {
struct Chunk {
    QByteArray type, data;
};
// The chunks of a PNG file, each one's CRC checked with a plain bitwise CRC-32 (independent of the
// writer's table-driven one).
std::vector<Chunk> pngChunks(const QByteArray& file) {
    auto crc = [](const QByteArray& bytes) {
        std::uint32_t c = 0xFFFFFFFFu;
        for (char b : bytes) {
            c ^= static_cast<std::uint8_t>(b);
            for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
        }
        return ~c;
    };
    std::vector<Chunk> chunks;
    REQUIRE(file.left(8) == QByteArray("\x89PNG\r\n\x1a\n", 8));
    int at = 8;
    while (at + 12 <= file.size()) {
        const auto length = qFromBigEndian<quint32>(file.constData() + at);
        const QByteArray typed = file.mid(at + 4, static_cast<int>(length) + 4);
        REQUIRE(qFromBigEndian<quint32>(file.constData() + at + 8 + static_cast<int>(length)) == crc(typed));
        chunks.push_back({typed.left(4), typed.mid(4)});
        at += 12 + static_cast<int>(length);
    }
    REQUIRE(at == file.size());
    return chunks;
}

// A frame's pixels from its zlib stream (filter type 0 on every row, as written).
QImage decodeFrame(const QByteArray& zlib, int width, int height) {
    QByteArray sized(4, '\0');
    qToBigEndian<quint32>(static_cast<quint32>((width * 4 + 1) * height), sized.data());
    const QByteArray raw = qUncompress(sized + zlib);
    REQUIRE(raw.size() == (width * 4 + 1) * height);
    QImage image(width, height, QImage::Format_RGBA8888);
    for (int y = 0; y < height; ++y) {
        REQUIRE(raw[y * (width * 4 + 1)] == '\0');
        std::memcpy(image.scanLine(y), raw.constData() + y * (width * 4 + 1) + 1, static_cast<std::size_t>(width) * 4);
    }
    return image;
}
}  // namespace

TEST_CASE("Every layer's heatmap as numbered PNG and SVG files, and the selection comes back", "[ui][sequence]") {
    TinyBertWindow f(QSize(1100, 750), QStringLiteral("the cat sat on the [MASK] ."));
    f.text->showView(TextModePanel::View::Attention);
    f.text->attentionPanel()->setSelection(1, 2);
    SequenceRequest r;
    r.folder = QString::fromStdString(f.dir.file("png"));
    QStringList written;
    REQUIRE(exportSequence(*f.text, r, &written).isEmpty());
    REQUIRE(written.size() == 2);  // the tiny BERT's layers
    CHECK(QFileInfo(written[0]).fileName().startsWith(QStringLiteral("01_attention_L0_H2")));
    CHECK(QFileInfo(written[1]).fileName().startsWith(QStringLiteral("02_attention_L1_H2")));
    const QImage first(written[0]), second(written[1]);
    CHECK(first.width() > 200);
    CHECK(first != second);  // two layers, two pictures
    CHECK(f.text->attentionPanel()->layer() == 1);
    CHECK(f.text->attentionPanel()->head() == 2);

    r.output = SequenceOutput::NumberedSvg;
    r.axis = SequenceAxis::HeadsOfLayer;
    r.folder = QString::fromStdString(f.dir.file("svg"));
    written.clear();
    REQUIRE(exportSequence(*f.text, r, &written).isEmpty());
    REQUIRE(written.size() == 4);  // heads of layer 1
    QFile svg(written[3]);
    REQUIRE(svg.open(QIODevice::ReadOnly));
    CHECK(svg.readAll().contains("cat"));  // vector, with the token labels as text
}

TEST_CASE("A contact sheet and an animated PNG of every head hold each head's own picture", "[ui][sequence]") {
    TinyBertWindow f(QSize(1100, 750), QStringLiteral("the cat sat on the [MASK] ."));
    f.text->showView(TextModePanel::View::Attention);
    f.text->attentionPanel()->setSelection(0, 0);
    // Each head rendered alone, for comparison.
    std::vector<QImage> heads;
    for (int h = 0; h < 4; ++h) {
        f.text->attentionPanel()->setSelection(0, h);
        ExportableView* view = f.text->currentExportable();
        heads.push_back(renderFigure(*view, view->exportSize(), 1.0).convertToFormat(QImage::Format_RGBA8888));
    }
    f.text->attentionPanel()->setSelection(0, 0);
    SequenceRequest r;
    r.axis = SequenceAxis::HeadsOfLayer;
    r.output = SequenceOutput::AnimatedPng;
    r.delayMs = 500;
    r.folder = QString::fromStdString(f.dir.file("anim"));
    QStringList written;
    REQUIRE(exportSequence(*f.text, r, &written).isEmpty());
    REQUIRE(written.size() == 1);
    QFile file(written[0]);
    REQUIRE(file.open(QIODevice::ReadOnly));
    const auto chunks = pngChunks(file.readAll());
    REQUIRE(chunks.front().type == "IHDR");
    const int width = static_cast<int>(qFromBigEndian<quint32>(chunks.front().data.constData()));
    const int height = static_cast<int>(qFromBigEndian<quint32>(chunks.front().data.constData() + 4));
    CHECK(chunks[1].type == "acTL");
    CHECK(qFromBigEndian<quint32>(chunks[1].data.constData()) == 4);  // frames
    int controls = 0;
    std::vector<QImage> frames;
    for (const auto& c : chunks) {
        if (c.type == "fcTL") {
            ++controls;
            CHECK(qFromBigEndian<quint16>(c.data.constData() + 20) == 500);   // delay numerator
            CHECK(qFromBigEndian<quint16>(c.data.constData() + 22) == 1000);  // in milliseconds
        }
        if (c.type == "IDAT") frames.push_back(decodeFrame(c.data, width, height));
        if (c.type == "fdAT") frames.push_back(decodeFrame(c.data.mid(4), width, height));
    }
    CHECK(controls == 4);
    REQUIRE(frames.size() == 4);
    for (int h = 0; h < 4; ++h) CHECK(frames[static_cast<std::size_t>(h)] == heads[static_cast<std::size_t>(h)]);
    // Any PNG reader shows the first frame.
    CHECK(QImage(written[0]).convertToFormat(QImage::Format_RGBA8888) == heads[0]);

    r.output = SequenceOutput::ContactSheet;
    written.clear();
    REQUIRE(exportSequence(*f.text, r, &written).isEmpty());
    const QImage sheet(written.value(0));
    CHECK(sheet.width() >= 2 * heads[0].width());   // 4 heads: 2 x 2
    CHECK(sheet.height() >= 2 * heads[0].height());
    CHECK(sheet.copy(12, 12, width, height).convertToFormat(QImage::Format_RGBA8888) == heads[0]);
}

TEST_CASE("A view without layers to step through is refused with a message", "[ui][sequence]") {
    TinyBertWindow f(QSize(1000, 700), QStringLiteral("the cat sat ."));
    f.text->showView(TextModePanel::View::ModelView);
    SequenceRequest r;
    r.folder = QString::fromStdString(f.dir.file("x"));
    CHECK_THAT(exportSequence(*f.text, r).toStdString(), Catch::Contains("every layer at once"));
    CHECK_FALSE(QDir(r.folder).exists());
}
