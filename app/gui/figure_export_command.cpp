#include "figure_export_command.h"

#include <QApplication>
#include <QFileInfo>
#include <QTimer>
#include <cstdio>
#include <map>

#include "export/figure_exporter.h"
#include "panels/attention_panel.h"
#include "panels/image_mode_panel.h"
#include "panels/text_mode_panel.h"
#include "session/session_file.h"
#include "window/main_window.h"

namespace ascope::app {

namespace {
using ui::TextModePanel;
const std::map<QString, TextModePanel::View> kTextViews = {
    {QStringLiteral("heatmap"), TextModePanel::View::Attention}, {QStringLiteral("model"), TextModePanel::View::ModelView},
    {QStringLiteral("head"), TextModePanel::View::HeadView},     {QStringLiteral("positional"), TextModePanel::View::Positional},
    {QStringLiteral("step"), TextModePanel::View::OneHead},      {QStringLiteral("layers"), TextModePanel::View::Layers}};

void finish(const QString& error) {
    if (!error.isEmpty()) std::fprintf(stderr, "attention-scope: %s\n", error.simplified().toLocal8Bit().constData());
    QApplication::exit(error.isEmpty() ? 0 : 1);
}
}  // namespace

void armFigureExportTimeout(ui::MainWindow& window, int seconds);

QString figureViewNames() { return QStringLiteral("heatmap, model, head, positional, overlay, step, layers"); }

QString figureViewOf(const SessionStep& step) {
    if (step.mode == "image") return QStringLiteral("overlay");
    static const std::map<std::string, QString> views = {{"model", QStringLiteral("model")}, {"head", QStringLiteral("head")},
                                                         {"positional", QStringLiteral("positional")}, {"one-head", QStringLiteral("step")},
                                                         {"layers", QStringLiteral("layers")}};
    auto it = views.find(step.view.tab);
    return it != views.end() ? it->second : QStringLiteral("heatmap");
}

QString checkFigureExport(const FigureExportRequest& r) {
    const QString suffix = QFileInfo(r.out).suffix().toLower();
    if (suffix != QLatin1String("png") && suffix != QLatin1String("svg") && suffix != QLatin1String("pdf"))
        return QStringLiteral("--export-figure: %1 must end in .png, .svg or .pdf").arg(r.out);
    if (r.view != QLatin1String("overlay") && !kTextViews.count(r.view))
        return QStringLiteral("--view %1 is not one of %2").arg(r.view, figureViewNames());
    if ((r.layer < 0) != (r.head < 0) && r.view != QLatin1String("overlay") && r.view != QLatin1String("heatmap"))
        return QStringLiteral("--layer and --head go together");
    return {};
}

void armFigureExport(ui::MainWindow& window, const FigureExportRequest& r) {
    armFigureExportTimeout(window, 300);  // never hang
    auto save = [&window, r](ui::ExportableView* view) {
        if (!view) return finish(QStringLiteral("nothing to export for --view %1").arg(r.view));
        const QString error = ui::saveFigure(*view, r.out, view->exportSize(), 2.0);
        if (error.isEmpty()) std::fprintf(stderr, "wrote %s\n", r.out.toLocal8Bit().constData());
        finish(error);
    };
    if (r.view == QLatin1String("overlay")) {
        auto* panel = window.imagePanel();
        window.showMode(ui::MainWindow::Mode::Image);
        QObject::connect(panel, &ui::ImageModePanel::analysisShown, &window, [&window, panel, r, save] {
            if (r.layer >= 0) {
                const auto& a = panel->analysis()->attention;
                if (r.layer >= a.layers || r.head >= a.heads)
                    return finish(QStringLiteral("layer %1, head %2 does not exist (%3 layers x %4 heads)")
                                      .arg(r.layer).arg(r.head).arg(a.layers).arg(a.heads));
                panel->setSource(r.head >= 0 ? PatchHeatSource::Head : PatchHeatSource::HeadMean, r.layer, std::max(0, r.head));
            }
            panel->showView(ui::ImageModePanel::View::Overlay);
            QTimer::singleShot(0, &window, [panel, save] { save(panel->currentExportable()); });
        });
        QObject::connect(&panel->session(), &ui::ImageSession::modelFailed, &window, [](const QString& e) { finish(e); });
        QObject::connect(&panel->session(), &ui::ImageSession::analysisFailed, &window, [](const QString& e) { finish(e); });
        return;
    }
    auto* text = window.textPanel();
    text->showView(kTextViews.at(r.view));
    QObject::connect(text, &TextModePanel::analysisShown, &window, [&window, text, r, save] {
        text->showView(kTextViews.at(r.view));  // a session may have shown another tab since
        if (r.layer >= 0) {
            const auto& a = text->analysis()->attention;
            if (r.layer >= a.layers || r.head >= a.heads)
                return finish(QStringLiteral("layer %1, head %2 does not exist (%3 layers x %4 heads)")
                                  .arg(r.layer).arg(r.head).arg(a.layers).arg(a.heads));
            text->attentionPanel()->setSelection(r.layer, std::max(0, r.head));
            if (r.head < 0) text->attentionPanel()->setAggregation(HeadAggregation::Mean);
        }
        // The step and layer views run the model again for what they show: wait for that run.
        const bool needsMore = (r.view == QLatin1String("step") && text->analysis()->trace.empty()) ||
                               (r.view == QLatin1String("layers") && text->analysis()->layerPredictions.empty() &&
                                !text->analysis()->predictions.empty());
        if (needsMore) return;
        QTimer::singleShot(0, &window, [text, save] { save(text->currentExportable()); });
    });
    QObject::connect(&text->session(), &ui::TextSession::modelFailed, &window, [](const QString& e) { finish(e); });
    QObject::connect(&text->session(), &ui::TextSession::analysisFailed, &window, [](const QString& e) { finish(e); });
    QObject::connect(text, &TextModePanel::runRefused, &window, [](const QString& e) { finish(e); });
}

void armFigureExportTimeout(ui::MainWindow& window, int seconds) {
    QTimer::singleShot(seconds * 1000, &window, [seconds] {
        finish(QStringLiteral("--export-figure: nothing to export after %1 s").arg(seconds));
    });
}

}  // namespace ascope::app
