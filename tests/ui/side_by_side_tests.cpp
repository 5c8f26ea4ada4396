// Side by side: two sentences (or one sentence under two models) locked to the same layer and head.
#include <QSignalSpy>
#include <QTest>
#include <catch2/catch.hpp>

#include "panels/attention_panel.h"
#include "panels/side_by_side_panel.h"
#include "tiny_bert_window.h"
#include "widgets/heatmap_plot_widget.h"
#include "window/session_controller.h"

using namespace ascope;
using namespace ascope::test;
using ascope::ui::SideBySidePanel;
using ascope::ui::TextModePanel;

namespace {
bool waitForB(SideBySidePanel& panel, const std::string& sentence) {
    return QTest::qWaitFor([&] { return panel.analysisB() && panel.analysisB()->text == sentence && !panel.sessionB().isBusy(); }, 20000);
}
}  // namespace

TEST_CASE("Two sentences side by side follow the main view's layer and head, with their difference", "[ui][side]") {
    TinyBertWindow f(QSize(1300, 800), QStringLiteral("the cat sat on the [MASK] ."));
    auto* side = f.text->sideBySide();
    f.text->showView(TextModePanel::View::SideBySide);
    side->setSentenceB(QStringLiteral("the dog sat on the [MASK] ."));
    REQUIRE(waitForB(*side, "the dog sat on the [MASK] ."));
    CHECK_FALSE(side->analysisB()->predictions.empty());
    const auto check = [&](int layer, int head) {
        const auto& a = f.text->analysis()->attention;
        const auto& b = side->analysisB()->attention;
        for (int q = 0; q < a.queries; ++q)
            for (int k = 0; k < a.keys; ++k) {
                CHECK(side->heatmapA()->valueAt(q, k) == Approx(a.at(layer, head, q, k)));
                CHECK(side->heatmapB()->valueAt(q, k) == Approx(b.at(layer, head, q, k)));
                CHECK(side->difference()->valueAt(q, k) == Approx(b.at(layer, head, q, k) - a.at(layer, head, q, k)).margin(1e-7));
            }
    };
    check(0, 0);
    f.text->attentionPanel()->setSelection(1, 3);  // locked to the main view's selection
    check(1, 3);
    // A sentence of another length: no cell-by-cell difference, and the note says why.
    side->setSentenceB(QStringLiteral("the big dog sat on the [MASK] ."));
    REQUIRE(waitForB(*side, "the big dog sat on the [MASK] ."));
    CHECK(side->difference()->rows() == 0);
    CHECK(side->heatmapB()->rows() == side->heatmapA()->rows() + 1);
    CHECK_THAT(side->note().toStdString(), Catch::Contains("no cell-by-cell difference"));
    // The look-ahead mask of the main view reaches B too.
    side->setSentenceB(QStringLiteral("the dog sat on the [MASK] ."));
    f.andWait([&] { f.text->setMaskMode(AttentionMaskSpec::Mode::Causal); });
    REQUIRE(QTest::qWaitFor([&] { return side->analysisB() && !side->analysisB()->controls.allowed.empty() && !side->sessionB().isBusy(); }, 20000));
    CHECK(side->analysisB()->attention.at(1, 3, 0, 2) == 0.f);
}

TEST_CASE("One sentence under two models side by side, kept in the session", "[ui][side]") {
    TinyBertWindow f(QSize(1300, 800), QStringLiteral("the cat sat on the [MASK] ."));
    TinyBertSpec other;
    other.seed = 99;
    writeTinyBert(f.dir.file("other"), other);
    auto* side = f.text->sideBySide();
    f.text->showView(TextModePanel::View::SideBySide);
    side->setSentenceB(QStringLiteral("the cat sat on the [MASK] ."));
    REQUIRE(waitForB(*side, "the cat sat on the [MASK] ."));
    CHECK(side->difference()->valueAt(2, 3) == 0.0);  // the same sentence, the same model
    side->openModelB(QString::fromStdString(f.dir.file("other")));
    REQUIRE(QTest::qWaitFor([&] { return side->analysisB() && !side->modelBDirectory().isEmpty() && !side->sessionB().isBusy(); }, 20000));
    CHECK(side->difference()->valueAt(2, 3) != 0.0);  // another model attends otherwise
    const std::string path = f.dir.file("pair.ascope");
    REQUIRE(f.w.sessions()->save(QString::fromStdString(path)).isEmpty());

    ui::MainWindow w2;
    w2.show();
    w2.openSession(QString::fromStdString(path));
    auto* side2 = w2.textPanel()->sideBySide();
    REQUIRE(QTest::qWaitFor([&] { return side2->analysisB() && !side2->modelBDirectory().isEmpty() && !side2->sessionB().isBusy(); }, 20000));
    CHECK(side2->sentenceB() == QStringLiteral("the cat sat on the [MASK] ."));
    CHECK(w2.textPanel()->currentView() == TextModePanel::View::SideBySide);
    CHECK(side2->analysisB()->attention.values == side->analysisB()->attention.values);
}
