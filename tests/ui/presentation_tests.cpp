// Presentation mode: View > Presentation (F11) for a projector, and back.
#include <QMenuBar>
#include <QStatusBar>
#include <QTest>
#include <catch2/catch.hpp>

#include "panels/attention_panel.h"
#include "tiny_bert_window.h"
#include "widgets/heatmap_plot_widget.h"

using namespace ascope;
using namespace ascope::test;
using ascope::ui::TextModePanel;

TEST_CASE("Presentation mode enlarges the text, hides menus and controls, captions the view, and restores it all",
          "[ui][presentation]") {
    TinyBertWindow f(QSize(1200, 800), QStringLiteral("the cat sat on the [MASK] ."));
    auto& w = f.w;
    auto* text = f.text;
    const QFont before = QApplication::font();
    REQUIRE(w.menuBar()->isVisible());
    QTest::keyClick(&w, Qt::Key_F11);
    REQUIRE(w.isPresenting());
    CHECK_FALSE(w.menuBar()->isVisible());
    CHECK_FALSE(w.statusBar()->isVisible());
    CHECK(QApplication::font().pointSizeF() > before.pointSizeF() * 1.3);
    CHECK(text->isPresenting());
    CHECK(text->viewCaption().contains("Layer 0, head 0"));
    // Keys still drive it: the next layer, then the caption follows.
    QTest::keyClick(&w, Qt::Key_PageDown);
    CHECK(text->attentionPanel()->layer() == 1);
    CHECK(text->viewCaption().startsWith("Layer 1"));
    // M masks the token under the mouse in the heatmap.
    auto* heatmap = text->attentionPanel()->heatmap();
    QApplication::processEvents();
    QTest::mouseMove(heatmap, heatmap->axisRect()->rect().center());
    QApplication::processEvents();
    const QPoint hovered = heatmap->hoveredCell();
    REQUIRE(hovered.x() >= 0);
    QSignalSpy shown(text, &TextModePanel::analysisShown);
    QTest::keyClick(&w, Qt::Key_M);
    REQUIRE(waitForAnalysis(w, shown));
    CHECK(text->analysis()->tokens.at(static_cast<std::size_t>(hovered.x())).text == "[MASK]");
    // The [CLS] and [SEP] the tokenizer added are not maskable, by M as by their (disabled) chips.
    const auto masked = text->maskedTokens();
    CHECK_FALSE(text->toggleToken(0));
    CHECK_FALSE(text->toggleToken(static_cast<int>(text->analysis()->tokens.size()) - 1));
    CHECK(text->maskedTokens() == masked);
    // Esc leaves and restores.
    QTest::keyClick(&w, Qt::Key_Escape);
    CHECK_FALSE(w.isPresenting());
    CHECK(w.menuBar()->isVisible());
    CHECK(w.statusBar()->isVisible());
    CHECK(QApplication::font().pointSizeF() == Approx(before.pointSizeF()));
    CHECK_FALSE(text->isPresenting());
}
