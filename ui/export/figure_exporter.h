#pragma once
// Saves any ExportableView as PNG (with size and scale), SVG or PDF, or copies it to the clipboard.
#include <QImage>
#include <QSize>
#include <QString>

#include "export/exportable_view.h"

class QCustomPlot;

namespace ascope::ui {

// Renders at `size` logical pixels times `scale` device pixels per logical pixel.
QImage renderFigure(ExportableView& view, const QSize& size, double scale);
// The format follows the file's extension (.png, .svg, .pdf). Returns an error message, or "" on success.
QString saveFigure(ExportableView& view, const QString& path, const QSize& size, double scale);
void copyFigureToClipboard(ExportableView& view);
// Draws a QCustomPlot onto any painter (through a QPicture, so SVG/PDF stay vector graphics).
void renderPlot(QCustomPlot& plot, QPainter& painter, const QSize& size);
// Sets a plot's axis, tick label, legend and title fonts from its widget font (QCustomPlot keeps
// its own copies), so View > Larger Text and presentation mode reach the plots too.
void applyWidgetFont(QCustomPlot& plot);
// "The cat sat." -> "the-cat-sat" (for default file names).
QString slugify(const QString& text, int maxLength = 32);

}  // namespace ascope::ui
