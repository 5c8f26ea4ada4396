// attention-scope: the desktop application.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QTimer>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <unistd.h>
#include <string>

#include "checkpoint/model_config.h"
#include "session/session_file.h"
#include "engine/engine_library.h"
#include "figure_export_command.h"
#include "training/shapes_dataset.h"
#include "training/vit_trainer.h"
#include "util/resource_paths.h"
#include "io/image_file_reader.h"
#include "panels/image_mode_panel.h"
#include "panels/text_mode_panel.h"
#include "window/main_window.h"
#include "window/teaching_examples.h"

namespace {
// Seconds since this process started (the kernel's start time, so LibTorch's static initialisation
// before main() counts too), or since main() where /proc is missing.
double secondsSinceProcessStart() {
    static const auto mainEntered = std::chrono::steady_clock::now();
    std::ifstream stat("/proc/self/stat");
    std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto close = content.rfind(')');
    timespec boot{};
    if (close != std::string::npos && clock_gettime(CLOCK_BOOTTIME, &boot) == 0) {
        std::istringstream fields(content.substr(close + 2));
        std::string field;
        for (int i = 3; i <= 22 && fields >> field; ++i)
            if (i == 22) return static_cast<double>(boot.tv_sec) + static_cast<double>(boot.tv_nsec) / 1e9 -
                                std::stod(field) / static_cast<double>(sysconf(_SC_CLK_TCK));
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - mainEntered).count();
}

// When the engine finished loading, in seconds since the process started (-1: not loaded).
double engineLoadedSince() {
    if (!ascope::engineLoaded()) return -1;
    return secondsSinceProcessStart() -
           std::chrono::duration<double>(std::chrono::steady_clock::now() - ascope::engineLoadedTime()).count();
}

// Records the first paint of the window.
class FirstPaint : public QObject {
public:
    using QObject::QObject;
    double at = -1;
    std::function<void()> onFirstPaint;
    bool eventFilter(QObject* watched, QEvent* event) override {
        if (at < 0 && event->type() == QEvent::Paint) {
            at = secondsSinceProcessStart();
            if (onFirstPaint) onFirstPaint();
        }
        return QObject::eventFilter(watched, event);
    }
};
}  // namespace

int main(int argc, char** argv) {
    const double mainAt = secondsSinceProcessStart();
    // --version and --help answer without a display (and, for --version, before Qt starts).
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--version" || arg == "-v") {
            std::printf("attention-scope %s\n", ASCOPE_VERSION);
            return 0;
        }
        if ((arg == "--help" || arg == "-h" || arg == "--export-figure") && !qEnvironmentVariableIsSet("DISPLAY") &&
            !qEnvironmentVariableIsSet("WAYLAND_DISPLAY") && !qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    // Qt's session management takes "-session ID" / "--session ID" out of the arguments before our
    // parser sees them (QGuiApplication::sessionId()), so --session FILE is read here first.
    QString sessionOption;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--session" || std::string(argv[i]) == "-session") sessionOption = QString::fromLocal8Bit(argv[i + 1]);
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("AttentionScope"));
    QApplication::setOrganizationName(QStringLiteral("AttentionScope"));
    QApplication::setApplicationVersion(QStringLiteral(ASCOPE_VERSION));
    QApplication::setApplicationDisplayName(QStringLiteral("Attention Scope"));
    QGuiApplication::setDesktopFileName(QStringLiteral("attention-scope"));
    QIcon icon;
    for (int size : {16, 32, 64, 256}) icon.addFile(QStringLiteral(":/icons/attention-scope-%1.png").arg(size), QSize(size, size));
    QApplication::setWindowIcon(icon);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Look inside transformer models."));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption model(QStringLiteral("model"), QStringLiteral("Hugging Face model folder to open."), QStringLiteral("DIR"));
    QCommandLineOption text(QStringLiteral("text"), QStringLiteral("Sentence to analyse at start."), QStringLiteral("TEXT"));
    QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                  QStringLiteral("Save a screenshot of the window after the first analysis, then quit."),
                                  QStringLiteral("PNG"));
    QCommandLineOption tab(QStringLiteral("tab"), QStringLiteral("Tab to show first (text mode 0-7: attention, model view, head view, heads, one head, by layer, positional, side by side; image mode 0-3: overlay, all heads, head importance, position embeddings)."), QStringLiteral("N"), QStringLiteral("0"));
    QCommandLineOption imageModel(QStringLiteral("image-model"), QStringLiteral("ViT / DeiT model folder for image mode."), QStringLiteral("DIR"));
    QCommandLineOption mode(QStringLiteral("mode"), QStringLiteral("Mode to show first: text, image or train."), QStringLiteral("MODE"));
    QCommandLineOption image(QStringLiteral("image"), QStringLiteral("Image to open in image mode."), QStringLiteral("FILE"));
    QCommandLineOption attentionMask(QStringLiteral("attention-mask"),
                                     QStringLiteral("Mask inside attention at start: none or causal."),
                                     QStringLiteral("MASK"));
    QCommandLineOption startupReport(QStringLiteral("startup-report"),
                                     QStringLiteral("Print when main() ran, the window was painted, the model was loaded and "
                                                    "the first heatmap drawn (seconds since the process started), then quit."));
    QCommandLineOption exportFigure(QStringLiteral("export-figure"),
                                    QStringLiteral("Render one view to OUT (.png, .svg or .pdf) and quit; works without a display."),
                                    QStringLiteral("OUT"));
    QCommandLineOption view(QStringLiteral("view"), QStringLiteral("The view --export-figure renders: ") + ascope::app::figureViewNames(),
                            QStringLiteral("VIEW"), QStringLiteral("heatmap"));
    QCommandLineOption layer(QStringLiteral("layer"), QStringLiteral("Layer for --export-figure (from 0)."), QStringLiteral("L"));
    QCommandLineOption head(QStringLiteral("head"), QStringLiteral("Head for --export-figure (from 0)."), QStringLiteral("H"));
    QCommandLineOption session(QStringLiteral("session"), QStringLiteral("Session file (.ascope) to open (also as the only argument)."),
                               QStringLiteral("FILE"));
    parser.addOptions({model, text, screenshot, tab, imageModel, image, mode, attentionMask, startupReport, exportFigure, view,
                       layer, head, session});
    parser.addPositionalArgument(QStringLiteral("file"), QStringLiteral("A session file (.ascope) or a model folder to open."),
                                 QStringLiteral("[FILE.ascope | DIR]"));
    parser.process(app);
    // One argument: a session file, or a model folder (as the file manager passes either).
    QString sessionPath = parser.isSet(session) ? parser.value(session) : sessionOption, folderArgument;
    if (parser.positionalArguments().size() > 1) {
        std::fprintf(stderr, "attention-scope: give one session file or model folder\n");
        return 2;
    }
    if (!parser.positionalArguments().isEmpty()) {
        const QString argument = parser.positionalArguments().constFirst();
        if (QFileInfo(argument).isDir()) folderArgument = argument;
        else if (sessionPath.isEmpty()) sessionPath = argument;
        else {
            std::fprintf(stderr, "attention-scope: give one session file\n");
            return 2;
        }
    }
    // A session is read here first, so that a broken one is one line and exit status 1 before any window.
    std::optional<ascope::SessionFile> sessionFile;
    if (!sessionPath.isEmpty()) {
        auto read = ascope::readSessionFile(sessionPath.toStdString());
        if (!read) {
            std::fprintf(stderr, "attention-scope: %s\n", read.error().c_str());
            return 1;
        }
        sessionFile = std::move(*read);
    }
    ascope::app::FigureExportRequest figure;
    if (parser.isSet(exportFigure)) {
        bool layerOk = true, headOk = true;
        QString figureView = parser.value(view);
        if (sessionFile && !parser.isSet(view))  // the session's own view
            figureView = ascope::app::figureViewOf(sessionFile->steps[static_cast<std::size_t>(sessionFile->currentStep)]);
        figure = {parser.value(exportFigure), figureView, parser.isSet(layer) ? parser.value(layer).toInt(&layerOk) : -1,
                  parser.isSet(head) ? parser.value(head).toInt(&headOk) : -1};
        QString error = checkFigureExport(figure);
        if (!layerOk || !headOk || (parser.isSet(layer) && figure.layer < 0) || (parser.isSet(head) && figure.head < 0))
            error = QStringLiteral("--layer and --head take whole numbers from 0");
        if (!error.isEmpty()) {
            std::fprintf(stderr, "attention-scope: %s\n", error.toLocal8Bit().constData());
            return 1;
        }
    }

    using ascope::ui::ImageModePanel;
    using ascope::ui::MainWindow;
    using ascope::ui::TextModePanel;
    MainWindow window;
    const int tabIndex = parser.value(tab).toInt();
    window.textPanel()->showView(static_cast<TextModePanel::View>(std::clamp(tabIndex, 0, static_cast<int>(TextModePanel::View::SideBySide))));
    if (parser.isSet(exportFigure)) window.resize(1400, 900);  // the exported views' natural size
    window.show();
    QString dir = parser.isSet(model) ? parser.value(model) : folderArgument;
    if (dir.isEmpty()) dir = QString::fromStdString(ascope::builtinModelDir("demo-bert"));
    window.textPanel()->setSentence(parser.isSet(text) ? parser.value(text) : ascope::ui::teachingExamples().front());
    if (parser.isSet(attentionMask)) {
        const QString value = parser.value(attentionMask);
        if (value != QLatin1String("none") && value != QLatin1String("causal")) {
            std::fprintf(stderr, "attention-scope: --attention-mask takes none or causal\n");
            return 2;
        }
        window.textPanel()->setMaskMode(value == QLatin1String("causal") ? ascope::AttentionMaskSpec::Mode::Causal
                                                                         : ascope::AttentionMaskSpec::Mode::None);
    }
    // The model (and with it the engine, whose LibTorch takes most of a second to initialise)
    // loads once the window has been painted. A library's initialisers run under the dynamic
    // loader's lock, which Qt also takes whenever it starts a thread or registers a thread_local
    // while it builds and lays out the window: started earlier, the load would hold the window
    // back by as long as it takes.
    if (!dir.isEmpty() || !sessionPath.isEmpty()) {
        auto* painted = new FirstPaint(&window);
        window.installEventFilter(painted);
        auto started = std::make_shared<bool>(false);
        auto openModel = [&window, dir, sessionPath, started] {
            if (*started) return;
            *started = true;
            if (!sessionPath.isEmpty()) window.openSession(sessionPath);
            else window.openModel(dir, MainWindow::Show::Keep);  // the mode --mode or --image chose stays
        };
        painted->onFirstPaint = [openModel] { QTimer::singleShot(0, openModel); };
        QTimer::singleShot(500, &window, openModel);  // a window that is never painted (minimised) still loads
    }
    QString imageDir = parser.value(imageModel);
    if (imageDir.isEmpty()) imageDir = QString::fromStdString(ascope::builtinModelDir("demo-vit"));
    // Image mode's model loads when its tab is first shown (or an image is opened): not at start-up.
    if (!imageDir.isEmpty()) window.imagePanel()->openModelWhenNeeded(imageDir);
    if (!parser.isSet(image) && !imageDir.isEmpty() && parser.value(imageModel).isEmpty()) {
        // The demo ViT starts with a generated example of what it was trained on, at the
        // resolution it was trained at (so what you see is exactly what the model sees).
        auto config = ascope::ModelConfig::fromFile((QDir(imageDir).filePath(QStringLiteral("config.json"))).toStdString());
        const int size = config && config->imageSize > 0 ? config->imageSize : 64;
        const auto sample = ascope::renderShapeSample(ascope::heldOutShapesSeed(1), 7, size);
        window.imagePanel()->setImage(ascope::ui::toQImage(sample.image), QStringLiteral("example-shape"));
    }
    if (parser.isSet(image)) {
        window.openImage(parser.value(image));
        window.imagePanel()->showView(static_cast<ImageModePanel::View>(std::clamp(tabIndex, 0, static_cast<int>(ImageModePanel::View::PositionSimilarity))));
    }

    if (parser.value(mode) == QLatin1String("train")) window.showMode(MainWindow::Mode::Train);
    else if (parser.value(mode) == QLatin1String("image")) window.showMode(MainWindow::Mode::Image);
    if (parser.isSet(exportFigure)) armFigureExport(window, figure);
    if (parser.isSet(startupReport)) {
        auto* firstPaint = new FirstPaint(&window);
        window.installEventFilter(firstPaint);
        auto loadedAt = std::make_shared<double>(-1);
        QObject::connect(&window.textPanel()->session(), &ascope::ui::TextSession::modelLoaded, &window,
                         [loadedAt] { *loadedAt = secondsSinceProcessStart(); });
        QObject::connect(window.textPanel(), &TextModePanel::analysisShown, &window, [&window, firstPaint, loadedAt, mainAt] {
            window.repaint();  // the heatmap drawn, not only scheduled
            std::printf("main() entered %.3f s, window painted %.3f s, engine loaded %.3f s, model loaded %.3f s, "
                        "first heatmap drawn %.3f s (since the process started)\n",
                        mainAt, firstPaint->at, engineLoadedSince(), *loadedAt, secondsSinceProcessStart());
            QApplication::quit();
        });
        QObject::connect(&window.textPanel()->session(), &ascope::ui::TextSession::modelFailed, &window, [] {
            std::fprintf(stderr, "attention-scope: the model could not be loaded\n");
            QApplication::exit(1);
        });
    }
    if (parser.isSet(screenshot)) {
        const QString path = parser.value(screenshot);
        auto save = [&window, path] {
            window.grab().save(path);
            QApplication::quit();
        };
        if (parser.isSet(image))
            QObject::connect(window.imagePanel(), &ImageModePanel::analysisShown, &window, [save] { QTimer::singleShot(400, save); });
        else
            QObject::connect(window.textPanel(), &TextModePanel::analysisShown, &window, [save] { QTimer::singleShot(400, save); });
        QObject::connect(&window.textPanel()->session(), &ascope::ui::TextSession::modelFailed, &window, [save] { QTimer::singleShot(200, save); });
        QTimer::singleShot(60000, save);  // never hang
    }
    return app.exec();
}
