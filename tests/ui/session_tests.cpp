// Session files in the window: saved and reopened, a broken one refused, a moved model located.
#include <QSignalSpy>
#include <QTest>
#include <catch2/catch.hpp>
#include <filesystem>

#include "panels/attention_panel.h"
#include "tiny_bert_window.h"
#include "widgets/heatmap_plot_widget.h"
#include "widgets/long_text_widget.h"
#include "widgets/mask_controls_widget.h"
#include "widgets/message_banner.h"
#include "window/session_controller.h"

using namespace ascope;
using namespace ascope::test;
using ascope::ui::AttentionPanel;
using ascope::ui::MaskControlsWidget;
using ascope::ui::TextModePanel;

namespace {
// Waits until the window's analysis holds `values` (the restored run, not an intermediate one).
using Values = decltype(TextAnalysis::attention.values);
bool waitForAttention(ui::MainWindow& w, const Values& values) {
    return QTest::qWaitFor([&] { return w.textPanel()->analysis() && w.textPanel()->analysis()->attention.values == values; }, 20000);
}

std::vector<std::uint8_t> cellsOf(const MaskControlsWidget& mask, int layer, int head) {
    std::vector<std::uint8_t> out;
    for (int q = 0; q < mask.tokens(); ++q)
        for (int k = 0; k < mask.tokens(); ++k) out.push_back(mask.paintedAllowed(layer, head, q, k) ? 1 : 0);
    return out;
}
}  // namespace

TEST_CASE("A session saved and reopened restores the same heatmap cells, masks and view state", "[ui][session]") {
    TinyBertWindow f(QSize(1200, 800), QStringLiteral("the cat sat on the mat ."));
    auto* text = f.text;
    f.andWait([&] { text->toggleToken(2); });  // "cat" -> [MASK]
    text->attentionPanel()->setSelection(1, 2);
    text->maskControls()->setPaintScope(MaskControlsWidget::PaintScope::ThisHead);
    f.andWait([&] { text->maskControls()->setChoice(MaskControlsWidget::Choice::Custom); });
    f.andWait([&] { emit text->attentionPanel()->heatmap()->cellClicked(3, 1); });
    text->maskControls()->setPaintScope(MaskControlsWidget::PaintScope::AllLayers);
    f.andWait([&] { emit text->attentionPanel()->heatmap()->cellClicked(5, 2); });
    f.andWait([&] { text->toggleAblated(0, 1); });
    text->attentionPanel()->setColorMap(ui::ColorMap::Magma);
    text->attentionPanel()->setScaling(AttentionPanel::Scaling::PerRow);
    text->attentionPanel()->setSelection(1, 3);
    REQUIRE(text->attentionPanel()->heatmap()->isMasked(5, 2));
    f.andWait([&] { text->maskControls()->setCompare(true); });
    text->showView(TextModePanel::View::ModelView);
    const auto expected = text->analysis()->attention.values;

    const std::string path = f.dir.file("lesson.ascope");
    REQUIRE(f.w.sessions()->save(QString::fromStdString(path)).isEmpty());
    CHECK(f.w.windowTitle().startsWith(QStringLiteral("lesson.ascope")));

    ui::MainWindow w2;
    w2.resize(1200, 800);
    w2.show();
    w2.openSession(QString::fromStdString(path));
    REQUIRE(waitForAttention(w2, expected));
    auto* t2 = w2.textPanel();
    CHECK(t2->sentence() == QStringLiteral("the cat sat on the mat ."));
    CHECK(t2->maskedTokens() == std::set<int>{2});
    CHECK(t2->ablatedHeads() == std::set<std::pair<int, int>>{{0, 1}});
    CHECK(t2->maskControls()->choice() == MaskControlsWidget::Choice::Custom);
    CHECK(t2->maskControls()->compare());
    for (int l = 0; l < 2; ++l)
        for (int h = 0; h < 4; ++h) CHECK(cellsOf(*t2->maskControls(), l, h) == cellsOf(*text->maskControls(), l, h));
    CHECK(t2->currentView() == TextModePanel::View::ModelView);
    CHECK(t2->attentionPanel()->layer() == 1);
    CHECK(t2->attentionPanel()->head() == 3);
    CHECK(t2->attentionPanel()->colorMap() == ui::ColorMap::Magma);
    CHECK(t2->attentionPanel()->scaling() == AttentionPanel::Scaling::PerRow);
    // The same heatmap cells, masked ones included.
    t2->showView(TextModePanel::View::Attention);
    text->showView(TextModePanel::View::Attention);
    CHECK(t2->attentionPanel()->shownMatrix().values == text->attentionPanel()->shownMatrix().values);
    CHECK(t2->analysis()->attention.at(1, 2, 3, 1) == 0.f);
    CHECK(t2->analysis()->attention.at(0, 0, 5, 2) == 0.f);
    CHECK(t2->analysis()->attention.at(1, 2, 4, 1) > 0.f);
    t2->attentionPanel()->setSelection(1, 2);
    t2->maskControls()->setCompare(false);
    REQUIRE(QTest::qWaitFor([&] { return t2->attentionPanel()->heatmap()->isMasked(3, 1); }, 20000));
    CHECK(t2->attentionPanel()->heatmap()->isMasked(5, 2));
    CHECK_FALSE(t2->attentionPanel()->heatmap()->isMasked(4, 1));
    CHECK(w2.sessions()->recentSessions().value(0) == QString::fromStdString(path));
}

TEST_CASE("A truncated or foreign session file is refused with the previous state intact", "[ui][session]") {
    TinyBertWindow f(QSize(1000, 700), QStringLiteral("the cat sat ."));
    REQUIRE(f.w.sessions()->save(QString::fromStdString(f.dir.file("good.ascope"))).isEmpty());
    const std::string good = readText(f.dir.file("good.ascope"));
    writeText(f.dir.file("cut.ascope"), good.substr(0, good.size() / 2));
    writeText(f.dir.file("other.ascope"), "{\"hello\": 1}");
    f.andWait([&] { f.text->setSentence(QStringLiteral("the mat .")); });
    const auto before = f.text->analysis();
    const QString title = f.w.windowTitle();
    for (const char* name : {"cut.ascope", "other.ascope", "missing.ascope"}) {
        f.w.openSession(QString::fromStdString(f.dir.file(name)));
        QTest::qWait(50);
        INFO(name);
        CHECK(f.text->messageText().startsWith(QStringLiteral("Could not open the session")));
        CHECK(f.text->sentence() == QStringLiteral("the mat ."));
        CHECK(f.text->analysis() == before);
        CHECK(f.w.windowTitle() == title);
    }
    CHECK_THAT(f.text->messageText().toStdString(), Catch::Contains("missing.ascope"));
}

TEST_CASE("A session whose model folder moved asks where it is, and says so when it is not found", "[ui][session]") {
    TinyBertWindow f(QSize(1000, 700), QStringLiteral("the cat sat ."));
    f.andWait([&] { f.text->toggleToken(3); });
    const auto expected = f.text->analysis()->attention.values;
    const std::string path = f.dir.file("lesson.ascope");
    REQUIRE(f.w.sessions()->save(QString::fromStdString(path)).isEmpty());
    std::filesystem::rename(f.dir.file("m"), f.dir.file("moved-model"));

    ui::MainWindow w2;
    w2.show();
    QString asked;
    w2.sessions()->locateFolder = [&](const QString& missing) {
        asked = missing;
        return QString::fromStdString(f.dir.file("moved-model"));
    };
    w2.openSession(QString::fromStdString(path));
    CHECK(asked.endsWith(QStringLiteral("/m")));
    REQUIRE(waitForAttention(w2, expected));
    CHECK(w2.textPanel()->maskedTokens() == std::set<int>{3});

    ui::MainWindow w3;
    w3.show();
    w3.sessions()->locateFolder = [](const QString&) { return QString(); };  // the user skips
    w3.openSession(QString::fromStdString(path));
    CHECK_THAT(w3.textPanel()->messageText().toStdString(), Catch::Contains("does not exist"));
}

TEST_CASE("A session of a long text reopens in the same windows, on the same window", "[ui][session][windows]") {
    TinyBertWindow f(QSize(1200, 800), QStringLiteral("the cat"));
    auto* text = f.text;
    QString longText;
    for (int i = 0; i < 40; ++i) longText += i == 30 ? QStringLiteral("[MASK] ") : QStringLiteral("the cat sat ");
    text->longText()->setWindowAndStride(16, 6);
    f.andWait([&] { text->setSentence(longText); });
    REQUIRE(text->windowed());
    f.andWait([&] { text->stepWindow(2); });
    REQUIRE(text->longText()->currentWindow() == 2);
    const auto expected = text->analysis()->attention.values;

    const std::string path = f.dir.file("long.ascope");
    REQUIRE(f.w.sessions()->save(QString::fromStdString(path)).isEmpty());
    auto file = readSessionFile(path);
    REQUIRE(file.hasValue());
    const auto& saved = file->steps.at(0).longText;
    CHECK_FALSE(saved.truncate);
    CHECK(saved.window == 16);
    CHECK(saved.stride == 6);
    CHECK(saved.currentWindow == 2);

    ui::MainWindow w2;
    w2.resize(1200, 800);
    w2.show();
    w2.openSession(QString::fromStdString(path));
    REQUIRE(waitForAttention(w2, expected));
    auto* t2 = w2.textPanel();
    REQUIRE(t2->windowed());
    CHECK(t2->longText()->currentWindow() == 2);
    CHECK(t2->longText()->window() == 16);
    CHECK(t2->longText()->stride() == 6);

    SECTION("truncation is restored too") {
        f.andWait([&] { text->longText()->setMode(ui::LongTextWidget::Mode::Truncate); });
        REQUIRE(f.w.sessions()->save(QString::fromStdString(path)).isEmpty());
        ui::MainWindow w3;
        w3.show();
        QSignalSpy shown(w3.textPanel(), &TextModePanel::analysisShown);
        w3.openSession(QString::fromStdString(path));
        REQUIRE(shown.wait(20000));
        while (w3.textPanel()->analysis()->tokens.size() != 24 && shown.wait(5000)) {}
        CHECK(w3.textPanel()->longText()->mode() == ui::LongTextWidget::Mode::Truncate);
        CHECK(w3.textPanel()->analysis()->tokens.size() == 24);
        CHECK_FALSE(w3.textPanel()->windowed());
    }
}

TEST_CASE("A session's long_text must be well formed", "[ui][session][windows]") {
    const std::string head = R"({"format": "attention-scope-session", "version": 1, "steps": [{"sentence": "a", "long_text": )";
    CHECK(parseSessionFile(head + R"({"mode": "windows", "window": 128, "stride": 32, "current_window": 3}}]})", "/tmp", "t").hasValue());
    for (const char* bad : {R"("windows")", R"({"mode": "slide"})", R"({"window": -2})", R"({"stride": "a"})", R"({"current_window": 1.5})"}) {
        auto r = parseSessionFile(head + bad + "}]}", "/tmp", "t");
        REQUIRE_FALSE(r.hasValue());
        CHECK_THAT(r.error(), Catch::Contains("long_text"));
    }
}
