#include "export/figure_exporter.h"

#include <QApplication>
#include <QClipboard>
#include <QFileInfo>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QPicture>
#include <QSvgGenerator>
#include <qcustomplot.h>

namespace ascope::ui {

QImage renderFigure(ExportableView& view, const QSize& size, double scale) {
    QImage image(size * scale, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(scale);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    view.renderExport(painter, size);
    return image;
}

QString saveFigure(ExportableView& view, const QString& path, const QSize& size, double scale) {
    const QString ext = QFileInfo(path).suffix().toLower();
    if (size.width() < 16 || size.height() < 16 || size.width() > 20000 || size.height() > 20000)
        return QObject::tr("Image size %1 x %2 is out of range").arg(size.width()).arg(size.height());
    if (ext == QLatin1String("png") || ext == QLatin1String("jpg") || ext == QLatin1String("jpeg")) {
        if (!renderFigure(view, size, scale).save(path)) return QObject::tr("Cannot write %1").arg(path);
        return {};
    }
    if (ext == QLatin1String("svg")) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle(view.exportBaseName());
        svg.setDescription(QStringLiteral("Attention Scope figure"));
        QPainter painter;
        if (!painter.begin(&svg)) return QObject::tr("Cannot write %1").arg(path);
        view.renderExport(painter, size);
        painter.end();
        return QFileInfo::exists(path) ? QString() : QObject::tr("Cannot write %1").arg(path);
    }
    if (ext == QLatin1String("pdf")) {
        QPdfWriter pdf(path);
        pdf.setResolution(72);
        pdf.setPageSize(QPageSize(QSizeF(size), QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setTitle(view.exportBaseName());
        pdf.setCreator(QStringLiteral("Attention Scope"));
        QPainter painter;
        if (!painter.begin(&pdf)) return QObject::tr("Cannot write %1").arg(path);
        view.renderExport(painter, size);
        painter.end();
        return {};
    }
    return QObject::tr("Unknown image format '.%1' (use .png, .svg or .pdf)").arg(ext);
}

void applyWidgetFont(QCustomPlot& plot) {
    const QFont base = plot.font();
    QFont title = base;
    title.setPointSizeF(base.pointSizeF() + 1);
    title.setBold(true);
    for (auto* axis : plot.axisRect()->axes()) {
        axis->setTickLabelFont(base);
        axis->setLabelFont(base);
    }
    for (int i = 0; i < plot.plotLayout()->elementCount(); ++i) {
        auto* element = plot.plotLayout()->elementAt(i);
        if (auto* text = qobject_cast<QCPTextElement*>(element)) text->setFont(title);
        if (auto* scale = qobject_cast<QCPColorScale*>(element)) {
            scale->axis()->setTickLabelFont(base);
            scale->axis()->setLabelFont(base);
        }
    }
    plot.legend->setFont(base);
    plot.replot(QCustomPlot::rpQueuedReplot);
}

void renderPlot(QCustomPlot& plot, QPainter& painter, const QSize& size) {
    QPicture picture;
    QCPPainter recorder;
    recorder.begin(&picture);
    plot.toPainter(&recorder, size.width(), size.height());
    recorder.end();
    painter.drawPicture(0, 0, picture);
}

void copyFigureToClipboard(ExportableView& view) {
    QApplication::clipboard()->setImage(renderFigure(view, view.exportSize(), 2.0));
}

QString slugify(const QString& text, int maxLength) {
    QString out;
    for (const QChar c : text.toLower()) {
        if (c.isLetterOrNumber() && c.unicode() < 128) out += c;
        else if (!out.isEmpty() && !out.endsWith('-')) out += '-';
        if (out.size() >= maxLength) break;
    }
    while (out.endsWith('-')) out.chop(1);
    return out.isEmpty() ? QStringLiteral("untitled") : out;
}

}  // namespace ascope::ui
