// attention-scope: the desktop application.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QIcon>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <string>

#include "checkpoint/model_config.h"
#include "training/shapes_dataset.h"
#include "training/vit_trainer.h"
#include "util/resource_paths.h"
#include "io/image_file_reader.h"
#include "panels/image_mode_panel.h"
#include "panels/text_mode_panel.h"
#include "window/main_window.h"
#include "window/teaching_examples.h"

int main(int argc, char** argv) {
    // --version and --help answer without a display (and, for --version, before Qt starts).
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--version" || arg == "-v") {
            std::printf("attention-scope %s\n", ASCOPE_VERSION);
            return 0;
        }
        if ((arg == "--help" || arg == "-h") && !qEnvironmentVariableIsSet("DISPLAY") &&
            !qEnvironmentVariableIsSet("WAYLAND_DISPLAY") && !qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
    }
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
    QCommandLineOption tab(QStringLiteral("tab"), QStringLiteral("Tab to show first (text mode 0-6: attention, model view, head view, heads, one head, by layer, positional; image mode 0-3: overlay, all heads, head importance, position embeddings)."), QStringLiteral("N"), QStringLiteral("0"));
    QCommandLineOption imageModel(QStringLiteral("image-model"), QStringLiteral("ViT / DeiT model folder for image mode."), QStringLiteral("DIR"));
    QCommandLineOption mode(QStringLiteral("mode"), QStringLiteral("Mode to show first: text, image or train."), QStringLiteral("MODE"));
    QCommandLineOption image(QStringLiteral("image"), QStringLiteral("Image to open in image mode."), QStringLiteral("FILE"));
    QCommandLineOption attentionMask(QStringLiteral("attention-mask"),
                                     QStringLiteral("Mask inside attention at start: none or causal."),
                                     QStringLiteral("MASK"));
    parser.addOptions({model, text, screenshot, tab, imageModel, image, mode, attentionMask});
    parser.process(app);

    using ascope::ui::ImageModePanel;
    using ascope::ui::MainWindow;
    using ascope::ui::TextModePanel;
    MainWindow window;
    const int tabIndex = parser.value(tab).toInt();
    window.textPanel()->showView(static_cast<TextModePanel::View>(std::clamp(tabIndex, 0, static_cast<int>(TextModePanel::View::Positional))));
    window.show();
    QString dir = parser.value(model);
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
    if (!dir.isEmpty()) window.openModel(dir);
    QString imageDir = parser.value(imageModel);
    if (imageDir.isEmpty()) imageDir = QString::fromStdString(ascope::builtinModelDir("demo-vit"));
    if (!imageDir.isEmpty()) window.imagePanel()->openModel(imageDir);
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
