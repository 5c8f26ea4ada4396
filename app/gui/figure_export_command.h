#pragma once
// attention-scope --export-figure OUT.(png|svg|pdf) --view heatmap|model|head|positional|overlay
// [--layer L --head H]: renders one view of the window (offscreen works) once the model has
// analysed the text (or the image, for overlay), saves it by the file's extension, and quits;
// bad input is one line on stderr and exit status 1.
#include <QString>

namespace ascope {
struct SessionStep;
}
namespace ascope::ui {
class MainWindow;
}

namespace ascope::app {

struct FigureExportRequest {
    QString out;
    QString view;
    int layer = -1, head = -1;  // -1: the view's default
};

// The views --view accepts.
QString figureViewNames();
// The --view that shows a session step's view (its tab; the heatmap for tabs with no figure).
QString figureViewOf(const SessionStep& step);
// Checks the request before anything runs; returns "" or the one-line error.
QString checkFigureExport(const FigureExportRequest& request);
// Arms the window: the export happens after the first analysis; the application then exits with
// 0, or 1 after printing the error.
void armFigureExport(ui::MainWindow& window, const FigureExportRequest& request);

}  // namespace ascope::app
