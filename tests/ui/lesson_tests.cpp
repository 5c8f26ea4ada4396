// The Lessons panel and the built-in course lesson, driven as a lecturer would.
#include <QDockWidget>
#include <QListWidget>
#include <QSignalSpy>
#include <QTest>
#include <catch2/catch.hpp>

#include "panels/attention_panel.h"
#include "panels/image_mode_panel.h"
#include "panels/lesson_panel.h"
#include "widgets/entity_list_widget.h"
#include "widgets/prediction_chart_widget.h"
#include "tiny_bert_window.h"
#include "widgets/heatmap_plot_widget.h"
#include "window/session_controller.h"

using namespace ascope;
using namespace ascope::test;
using ascope::ui::ImageModePanel;
using ascope::ui::MainWindow;
using ascope::ui::TextModePanel;

namespace {
const std::map<std::string, TextModePanel::View> kTextTabs = {
    {"attention", TextModePanel::View::Attention}, {"model", TextModePanel::View::ModelView},
    {"head", TextModePanel::View::HeadView},       {"heads", TextModePanel::View::Heads},
    {"one-head", TextModePanel::View::OneHead},    {"layers", TextModePanel::View::Layers},
    {"positional", TextModePanel::View::Positional}, {"side-by-side", TextModePanel::View::SideBySide}};
const std::map<std::string, ImageModePanel::View> kImageTabs = {
    {"overlay", ImageModePanel::View::Overlay}, {"all-heads", ImageModePanel::View::AllHeads},
    {"head-importance", ImageModePanel::View::Importance}, {"position-similarity", ImageModePanel::View::PositionSimilarity}};

// The text step's own analysis, with what its view needs, has arrived.
bool textStepShown(MainWindow& w, const SessionStep& step) {
    return QTest::qWaitFor([&] {
        auto* text = w.textPanel();
        const auto a = text->analysis();
        if (!a || a->text != step.sentence || text->session().isBusy()) return false;
        if (step.view.tab == "one-head" && a->trace.empty()) return false;
        if (step.view.tab == "layers" && a->layerPredictions.empty() && !a->predictions.empty()) return false;
        return true;
    }, 30000);
}
}  // namespace

TEST_CASE("Every step of the built-in lesson opens on the built-in models and shows what its text says", "[ui][lesson]") {
    const QString lesson = MainWindow::builtinLesson();
    REQUIRE_FALSE(lesson.isEmpty());
    MainWindow w;
    w.resize(1400, 900);
    w.show();
    w.openSession(lesson);
    const auto& steps = w.sessions()->file().steps;
    REQUIRE(steps.size() >= 14);
    CHECK(w.lessonDock()->isVisible());
    bool sawCausal = false, sawImage = false, sawTrain = false, sawSentiment = false, sawEntities = false;
    for (int i = 0; i < static_cast<int>(steps.size()); ++i) {
        if (i > 0) w.lessonPanel()->next();
        const SessionStep step = w.sessions()->file().steps[static_cast<std::size_t>(i)];
        INFO("step " << i + 1 << ": " << step.title);
        REQUIRE(w.sessions()->currentStep() == i);
        CHECK(w.lessonPanel()->stepTitle().toStdString() == step.title);
        CHECK_FALSE(step.notes.empty());
        if (step.mode == "image") {
            sawImage = true;
            auto* image = w.imagePanel();
            REQUIRE(QTest::qWaitFor([&] { return image->analysis() && !image->session().isBusy(); }, 30000));
            CHECK(w.currentMode() == MainWindow::Mode::Image);
            CHECK(image->currentView() == kImageTabs.at(step.view.tab));
            CHECK(image->message().isEmpty());
            CHECK(image->analysis()->top.front().label == "star");  // the lesson's picture, classified right
            continue;
        }
        if (step.mode == "train") {
            sawTrain = true;
            CHECK(w.currentMode() == MainWindow::Mode::Train);
            continue;
        }
        REQUIRE(textStepShown(w, step));
        auto* text = w.textPanel();
        CHECK(w.currentMode() == MainWindow::Mode::Text);
        CHECK(text->messageText().isEmpty());
        CHECK(text->currentView() == kTextTabs.at(step.view.tab));
        if (step.sentence.find("[MASK]") != std::string::npos && text->analysis()->task == TextTask::FillMask)
            CHECK_FALSE(text->analysis()->predictions.empty());
        if (step.textModel.find("demo-sentiment") != std::string::npos) {  // what the step's text says it shows
            sawSentiment = true;
            REQUIRE(text->analysis()->task == TextTask::SentenceLabels);
            CHECK(text->analysis()->labels.front().label == "POSITIVE");
            CHECK(text->predictions()->chartCount() == 1);
        }
        if (step.textModel.find("demo-ner") != std::string::npos) {
            sawEntities = true;
            REQUIRE(text->analysis()->task == TextTask::TokenLabels);
            CHECK(text->entityList()->entities().size() == 3);  // Maria Garcia, Siemens, Vienna
        }
        if (step.attentionMask == "causal") {
            sawCausal = true;
            // The heatmap's upper triangle is masked, the diagonal and below are not.
            const auto& a = text->analysis()->attention;
            auto* heatmap = text->attentionPanel()->heatmap();
            for (int q = 0; q < a.queries; ++q)
                for (int k = 0; k < a.keys; ++k) {
                    CHECK(heatmap->isMasked(q, k) == (k > q));
                    if (k > q) CHECK(a.at(0, 0, q, k) == 0.f);
                }
        }
    }
    CHECK(sawCausal);
    CHECK(sawImage);
    CHECK(sawTrain);
    CHECK(sawSentiment);
    CHECK(sawEntities);
    // Presentation: the arrow keys step back through the lesson, the step's text is in the caption.
    w.textPanel()->focusSentence();  // a lecturer typed: presentation mode still steps with the arrows
    w.setPresentation(true);
    CHECK_FALSE(w.lessonDock()->isVisible());
    const int last = w.sessions()->currentStep();
    QTest::keyClick(&w, Qt::Key_Left);
    CHECK(w.sessions()->currentStep() == last - 1);
    CHECK(w.textPanel()->lessonText().contains(w.lessonPanel()->stepTitle()));
    w.setPresentation(false);
    CHECK(w.lessonDock()->isVisible());
}

TEST_CASE("A lecturer adds, edits, reorders and deletes lesson steps, and the saved lesson keeps them", "[ui][lesson]") {
    TinyBertWindow f(QSize(1200, 800), QStringLiteral("the cat sat on the [MASK] ."));
    auto* lesson = f.w.lessonPanel();
    QStringList answers = {QStringLiteral("Causal"), QStringLiteral("Look-ahead mask."), QStringLiteral("Try block.")};
    lesson->askForText = [&](QString& title, QString& notes, QString& tryThis) {
        title = answers[0];
        notes = answers[1];
        tryThis = answers[2];
        return true;
    };
    f.w.sessions()->editStep(0, QStringLiteral("Start"), QStringLiteral("Plain attention."), QString());
    // "Add Step…": a new step after this one, holding what the window shows; what the window shows
    // next belongs to the new step (saved when the lecturer moves on).
    QMetaObject::invokeMethod(lesson->findChild<QPushButton*>(QStringLiteral("addStep")), "click");
    REQUIRE(f.w.sessions()->stepCount() == 2);
    f.andWait([&] { f.text->setMaskMode(AttentionMaskSpec::Mode::Causal); });
    CHECK(f.w.sessions()->currentStep() == 1);
    CHECK(lesson->stepList()->count() == 2);
    CHECK(lesson->stepPrompt().contains(QStringLiteral("Try block.")));
    // Back to the first step: the mask goes with it; forward again: it returns.
    lesson->previous();
    REQUIRE(QTest::qWaitFor([&] { return f.text->maskMode() == AttentionMaskSpec::Mode::None; }, 5000));
    lesson->next();
    REQUIRE(QTest::qWaitFor([&] { return f.text->maskMode() == AttentionMaskSpec::Mode::Causal; }, 5000));
    f.w.sessions()->moveStep(1, 0);
    CHECK(f.w.sessions()->file().steps[0].title == "Causal");
    CHECK(f.w.sessions()->currentStep() == 0);
    CHECK(lesson->stepList()->item(0)->text().endsWith(QStringLiteral("Causal")));
    const QString path = QString::fromStdString(f.dir.file("course.ascope"));
    REQUIRE(f.w.sessions()->save(path).isEmpty());
    auto read = readSessionFile(path.toStdString());
    REQUIRE(read);
    REQUIRE(read->steps.size() == 2);
    CHECK(read->steps[0].title == "Causal");
    CHECK(read->steps[0].attentionMask == "causal");
    CHECK(read->steps[0].tryThis == "Try block.");
    CHECK(read->steps[1].title == "Start");
    CHECK(read->steps[1].attentionMask == "none");
    f.w.sessions()->removeStep(0);
    CHECK(f.w.sessions()->stepCount() == 1);
    CHECK(f.w.sessions()->file().steps[0].title == "Start");
    f.w.sessions()->removeStep(0);  // the last step stays
    CHECK(f.w.sessions()->stepCount() == 1);
}
