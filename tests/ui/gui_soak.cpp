// The GUI soak test: a fixed-seed stream of random user actions on the whole window (typing and
// deleting, toggling chips, every combo box, check box and spin box of the visible mode, tabs and
// modes, model-view clicks, broken model folders and images, figure and data exports, a tiny
// training started and stopped, heatmap clicks and drags (blocking keys, painting cells), head
// importance started and cancelled, presentation mode and its M key) under the offscreen platform. It fails on a crash (the process
// dies), a hang (an action that does not settle within its bound), a broken invariant (the shown
// analysis disagrees with the sentence, a bad input replaced the model), or resident memory
// growing past a bound after warm-up.
// Usage: gui_soak [--actions N] [--seed S] [--memory-bound-mb M]
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QElapsedTimer>
#include <QImage>
#include <QLineEdit>
#include <QSpinBox>
#include <QTabWidget>
#include <QTest>
#include <QToolButton>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>

#include "export/attention_data_writer.h"
#include "export/figure_exporter.h"
#include "panels/attention_panel.h"
#include "panels/image_mode_panel.h"
#include "panels/text_mode_panel.h"
#include "panels/training_panel.h"
#include "temp_dir.h"
#include "window/session_controller.h"
#include "tiny_bert_fixture.h"
#include "tiny_vit_fixture.h"
#include "widgets/head_grid_widget.h"
#include "widgets/heatmap_plot_widget.h"
#include "widgets/image_overlay_widget.h"
#include "widgets/token_strip_widget.h"
#include "window/main_window.h"

using namespace ascope;
using namespace ascope::ui;

namespace {
double residentMb() {
    std::ifstream in("/proc/self/status");
    std::string key;
    double kb = 0;
    while (in >> key)
        if (key == "VmRSS:") {
            in >> kb;
            break;
        }
    return kb / 1024.0;
}

int fail(const std::string& why) {
    std::fprintf(stderr, "gui_soak: FAILED: %s\n", why.c_str());
    std::fprintf(stdout, "gui_soak: 0 passed, 1 failed\n");
    return 1;
}

// Lets queued work finish: events are processed until both sessions are idle (or the bound).
bool settle(MainWindow& w, int boundMs = 20000) {
    QElapsedTimer t;
    t.start();
    do {
        QApplication::processEvents(QEventLoop::AllEvents, 5);
        if (!w.textPanel()->session().isBusy() && !w.imagePanel()->session().isBusy()) return true;
        QTest::qWait(2);
    } while (t.elapsed() < boundMs);
    return false;
}

template <typename T>
T* randomVisible(QWidget* root, std::mt19937& rng) {
    QList<T*> all;
    for (T* c : root->findChildren<T*>())
        if (c->isVisibleTo(root) && c->isEnabled()) all.push_back(c);
    if (all.isEmpty()) return nullptr;
    return all[static_cast<int>(rng() % static_cast<unsigned>(all.size()))];
}
}  // namespace

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", qgetenv("QT_QPA_PLATFORM").isEmpty() ? QByteArray("offscreen") : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("AttentionScopeTests"));
    QApplication::setApplicationName(QStringLiteral("AttentionScopeSoak"));
    int actions = 1000;
    unsigned seed = 1;
    double memoryBoundMb = 150;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--actions") actions = std::max(1, std::atoi(argv[i + 1]));
        else if (flag == "--seed") seed = static_cast<unsigned>(std::strtoul(argv[i + 1], nullptr, 10));
        else if (flag == "--memory-bound-mb") memoryBoundMb = std::atof(argv[i + 1]);
        else return fail("unknown option " + flag);
    }

    test::TempDir dir;
    test::writeTinyBert(dir.file("bert"));
    test::writeTinyVit(dir.file("vit"));
    QDir().mkpath(QString::fromStdString(dir.file("broken")));
    test::writeText(dir.file("broken/config.json"), "{ \"model_type\": \"bert\", \"hidden_size\": ");
    test::writeText(dir.file("broken.png"), "\x89PNG\r\n\x1a\n truncated");
    QImage picture(40, 30, QImage::Format_RGB888);
    for (int y = 0; y < picture.height(); ++y)
        for (int x = 0; x < picture.width(); ++x) picture.setPixelColor(x, y, QColor((x * 9) % 256, (y * 13) % 256, 90));
    const QString picturePath = QString::fromStdString(dir.file("picture.png"));
    picture.save(picturePath);
    std::string corpus;
    for (int i = 0; i < 60; ++i) corpus += "the cat sat on the mat near the dog number " + std::to_string(i % 7) + " .\n";
    test::writeText(dir.file("corpus.txt"), corpus);
    QDir().mkpath(QString::fromStdString(dir.file("exports")));

    MainWindow w;
    w.resize(1200, 800);
    w.show();
    w.sessions()->locateFolder = [](const QString&) { return QString(); };  // no modal dialog in a soak
    w.openModel(QString::fromStdString(dir.file("bert")));
    w.openImageModel(QString::fromStdString(dir.file("vit")));
    if (!settle(w) || !w.textPanel()->session().model() || !w.imagePanel()->session().model())
        return fail("the tiny models did not open");
    w.openImage(picturePath);
    w.showMode(MainWindow::Mode::Text);
    auto* text = w.textPanel();
    text->setSentence(QStringLiteral("the cat sat on the mat ."));
    if (!settle(w)) return fail("the first analysis did not finish");

    const QStringList words = {"the", "cat", "sat", "on", "mat", "dog", "[MASK]", ".", ",", "é", "中", "unaffable", " "};
    auto* sentence = text->findChild<QLineEdit*>();
    auto* training = w.trainingPanel();
    training->setCorpusPath(QString::fromStdString(dir.file("corpus.txt")));
    training->setOutputDir(QString::fromStdString(dir.file("trained")));
    training->setSteps(40);
    training->setPreset(TrainingPanel::Preset::Tiny);

    std::mt19937 rng(seed);
    const int warmup = std::max(1, actions / 5);
    double warmMb = 0, peakMb = 0;
    int counts[20] = {};
    for (int step = 0; step < actions; ++step) {
        const int action = static_cast<int>(rng() % 20);
        ++counts[action];
        switch (action) {
        case 0:  // type a word
        case 1:
            w.showMode(MainWindow::Mode::Text);
            sentence->setFocus();
            if (const QString word = words[static_cast<int>(rng() % static_cast<unsigned>(words.size()))] + " ";
                word.toLatin1() == word.toUtf8())
                QTest::keyClicks(sentence, word);
            else
                sentence->insert(word);  // QTest types ASCII only
            break;
        case 2:  // delete a few characters
            w.showMode(MainWindow::Mode::Text);
            sentence->setFocus();
            for (auto k = rng() % 6; k > 0; --k) QTest::keyClick(sentence, Qt::Key_Backspace);
            if (sentence->text().size() > 200) sentence->clear();  // keep within the tiny model's 24 positions mostly
            break;
        case 3:  // toggle a chip
            if (text->tokenStrip()->chipCount() > 0) {
                auto* chip = text->tokenStrip()->chip(static_cast<int>(rng() % static_cast<unsigned>(text->tokenStrip()->chipCount())));
                if (chip->isEnabled()) QTest::mouseClick(chip, Qt::LeftButton);
            }
            break;
        case 4: {  // any combo box of the visible mode (aggregation, colour map, source, ...)
            QWidget* mode = w.currentMode() == MainWindow::Mode::Image ? static_cast<QWidget*>(w.imagePanel()) : text;
            if (auto* combo = randomVisible<QComboBox>(mode, rng); combo && combo->count() > 0)
                combo->setCurrentIndex(static_cast<int>(rng() % static_cast<unsigned>(combo->count())));
            break;
        }
        case 5: {  // any check box or spin box (hide [CLS]/[SEP], patch grid, layer, head, top-k, discard)
            QWidget* mode = w.currentMode() == MainWindow::Mode::Image ? static_cast<QWidget*>(w.imagePanel()) : text;
            if (rng() % 2) {
                if (auto* box = randomVisible<QCheckBox>(mode, rng)) box->toggle();
            } else if (auto* spin = randomVisible<QSpinBox>(mode, rng)) {
                spin->setValue(spin->minimum() + static_cast<int>(rng() % static_cast<unsigned>(std::min(spin->maximum() - spin->minimum() + 1, 12))));
            }
            break;
        }
        case 6:  // layers and heads from the keyboard menu actions
            if (rng() % 2) text->stepLayer(rng() % 2 ? 1 : -1);
            else text->stepHead(rng() % 2 ? 1 : -1);
            break;
        case 7:  // switch tabs
            text->showView(static_cast<TextModePanel::View>(rng() % 4));
            w.imagePanel()->showView(static_cast<ImageModePanel::View>(rng() % 3));
            break;
        case 8:  // switch modes
            w.showMode(static_cast<MainWindow::Mode>(rng() % 3));
            break;
        case 9: {  // a broken model folder: a message, the model stays
            const auto before = text->session().model();
            w.openModel(QString::fromStdString(dir.file("broken")));
            if (!settle(w)) return fail("opening a broken model folder hung");
            if (text->session().model() != before) return fail("a broken model folder replaced the model");
            if (text->messageText().isEmpty()) return fail("a broken model folder showed no message");
            break;
        }
        case 10: {  // a broken image, then a good one
            const auto before = w.imagePanel()->analysis();
            w.openImage(QString::fromStdString(dir.file("broken.png")));
            if (w.imagePanel()->message().isEmpty()) return fail("a broken image showed no message");
            if (w.imagePanel()->analysis() != before) return fail("a broken image replaced the analysis");
            if (rng() % 2) w.openImage(picturePath);
            break;
        }
        case 11: {  // export the current figure
            const char* formats[] = {"png", "svg", "pdf"};
            const QString path = QString::fromStdString(dir.file("exports/fig" + std::to_string(step) + ".")) + formats[rng() % 3];
            if (auto* view = w.currentExportable()) {
                const QString error = saveFigure(*view, path, QSize(400, 300), 1.0);
                if (!error.isEmpty()) return fail("figure export failed: " + error.toStdString());
            }
            break;
        }
        case 12:  // export the data
            if (auto a = text->analysis()) {
                std::vector<std::string> labels;
                for (const auto& t : a->tokens) labels.push_back(t.text);
                const char* formats[] = {"npy", "csv", "json"};
                const QString path = QString::fromStdString(dir.file("exports/data" + std::to_string(step) + ".")) + formats[rng() % 3];
                if (const QString e = writeAttentionFile(path, a->attention, labels); !e.isEmpty())
                    return fail("data export failed: " + e.toStdString());
            }
            break;
        case 13:  // a model-view click
            if (text->headGrid()->rows() > 0) {
                text->showView(TextModePanel::View::ModelView);
                QApplication::processEvents();
                const int l = static_cast<int>(rng() % static_cast<unsigned>(text->headGrid()->rows()));
                const int h = static_cast<int>(rng() % static_cast<unsigned>(text->headGrid()->cols()));
                QTest::mouseClick(text->headGrid(), Qt::LeftButton, {}, text->headGrid()->cellCenter(l, h));
            }
            break;
        case 14:  // click a patch of the image overlay
            w.showMode(MainWindow::Mode::Image);
            w.imagePanel()->showView(ImageModePanel::View::Overlay);
            QApplication::processEvents();
            QTest::mouseClick(w.imagePanel()->overlay(), rng() % 4 ? Qt::LeftButton : Qt::RightButton, {},
                              QPoint(static_cast<int>(rng() % 300), static_cast<int>(rng() % 300)));
            break;
        case 15:  // start or stop a tiny training
            if (training->isTraining()) training->worker().stop();
            else if (rng() % 4 == 0) {
                training->setTask(rng() % 2 ? TrainingPanel::Task::MaskedLanguageModel : TrainingPanel::Task::ShapesClassifier);
                training->start();
            }
            break;
        case 16: {  // a heatmap click or drag: blocks a key or paints a cell, depending on the mask box
            auto* heatmap = text->attentionPanel()->heatmap();
            if (heatmap->rows() > 0) {
                const int r = static_cast<int>(rng() % static_cast<unsigned>(heatmap->rows()));
                const int c = static_cast<int>(rng() % static_cast<unsigned>(heatmap->cols()));
                if (rng() % 2) emit heatmap->cellClicked(r, c);
                else emit heatmap->cellDragged(r, c);
            }
            break;
        }
        case 17:  // head importance started, or cancelled
            if (rng() % 3) text->requestHeadImportance();
            else text->session().cancelHeadImportance();
            break;
        case 18:  // presentation mode on or off, or its M key
            if (rng() % 3) w.setPresentation(!w.isPresenting());
            else QTest::keyClick(&w, Qt::Key_M);
            break;
        case 19: {  // save the session, open it again, or open a truncated copy (refused, nothing changes)
            const QString session = QString::fromStdString(dir.file("soak.ascope"));
            const auto choice = rng() % 3;
            if (choice == 0 || !QFileInfo::exists(session)) {
                w.sessions()->save(session);
            } else if (choice == 1) {
                w.openSession(session);
            } else {
                const std::string whole = test::readText(session.toStdString());
                test::writeText(dir.file("cut.ascope"), whole.substr(0, rng() % std::max<std::size_t>(1, whole.size())));
                w.openSession(QString::fromStdString(dir.file("cut.ascope")));
            }
            break;
        }
        }
        QApplication::processEvents();
        if (action <= 2) QTest::qWait(170);  // past the sentence box's 150 ms debounce: the edit is analysed
        if (step % 10 == 9 && !settle(w)) return fail("the window did not settle after action " + std::to_string(step));
        if (step == warmup) {
            settle(w);
            warmMb = residentMb();
        }
        if (step > warmup) peakMb = std::max(peakMb, residentMb());
    }
    training->worker().stopAndWait();
    if (!settle(w)) return fail("the window did not settle at the end");

    // The analysis shown belongs to the sentence shown (when the sentence fits the model).
    if (auto a = text->analysis(); a && text->messageText().isEmpty()) {
        const auto tokens = text->session().model()->tokenizer().encode(sentence->text().toStdString());
        const auto real = a->tokens.size() - static_cast<std::size_t>(a->controls.paddingTokens);
        if (a->text != sentence->text().toStdString() || real != tokens.size())
            return fail("the analysis shown is not the sentence's");
    }
    std::printf("gui_soak: %d actions (seed %u): typing %d, deleting %d, chips %d, combos %d, boxes %d, layer/head %d, "
                "tabs %d, modes %d, broken models %d, broken images %d, figures %d, data %d, grid clicks %d, "
                "patch clicks %d, training %d, heatmap clicks %d, head importance %d, presentation %d, sessions %d\n",
                actions, seed, counts[0] + counts[1], counts[2], counts[3], counts[4], counts[5], counts[6], counts[7],
                counts[8], counts[9], counts[10], counts[11], counts[12], counts[13], counts[14], counts[15], counts[16], counts[17], counts[18], counts[19]);
    std::printf("gui_soak: resident memory %.0f MB after warm-up, at most %.0f MB after (bound +%.0f MB)\n", warmMb,
                peakMb, memoryBoundMb);
    if (peakMb > warmMb + memoryBoundMb) return fail("resident memory grew past the bound");
    std::printf("gui_soak: 1 passed, 0 failed\n");
    return 0;
}
