// The masked-attention lesson in the window, driven as a user would: painted cells, padding,
// mask-and-compare, head importance, one head step by step, predictions by layer, colour
// scaling and rollout.
#include <QComboBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>
#include <catch2/catch.hpp>
#include <cmath>

#include "analysis/attention_views.h"
#include "analysis/head_statistics.h"
#include "panels/attention_panel.h"
#include "panels/head_arithmetic_panel.h"
#include "panels/heads_panel.h"
#include "panels/layer_predictions_panel.h"
#include "tiny_bert_window.h"
#include "widgets/head_grid_widget.h"
#include "widgets/heatmap_plot_widget.h"
#include "widgets/mask_controls_widget.h"
#include "widgets/prediction_chart_widget.h"
#include "widgets/token_strip_widget.h"
#include <QToolButton>

using namespace ascope;
using namespace ascope::test;
using ascope::ui::MaskControlsWidget;
using ascope::ui::TextModePanel;

namespace {
const QString kSentence = QStringLiteral("the cat sat on the [MASK] .");
}

TEST_CASE("Painting cells on the heatmap masks them for the chosen head only, dragging paints more", "[ui][mask][paint]") {
    TinyBertWindow f(QSize(1200, 800), kSentence);
    auto* text = f.text;
    auto* heatmap = text->attentionPanel()->heatmap();
    text->attentionPanel()->setSelection(1, 2);
    text->maskControls()->setPaintScope(MaskControlsWidget::PaintScope::ThisHead);
    const float before = text->analysis()->predictions.at(0).top.at(0).probability;
    f.andWait([&] { text->maskControls()->setChoice(MaskControlsWidget::Choice::Custom); });
    CHECK_FALSE(heatmap->isMasked(5, 1));  // nothing painted yet
    f.andWait([&] { emit heatmap->cellClicked(6, 1); });  // disallows (6, 1) for the [MASK]'s row
    CHECK(heatmap->isMasked(6, 1));
    CHECK(text->analysis()->attention.at(1, 2, 6, 1) == 0.f);
    f.andWait([&] { emit heatmap->cellDragged(6, 2); });  // the drag paints the same way
    CHECK(heatmap->isMasked(6, 2));
    CHECK_FALSE(heatmap->isMasked(6, 3));
    // Only head 2 of layer 1 is masked.
    CHECK(text->analysis()->attention.at(1, 1, 6, 1) > 0.f);
    CHECK(text->analysis()->attention.at(0, 2, 6, 1) > 0.f);
    CHECK(text->analysis()->predictions.at(0).top.at(0).probability != Approx(before).margin(1e-7));
    // Clicking a masked cell allows it again.
    f.andWait([&] { emit heatmap->cellClicked(6, 1); });
    CHECK_FALSE(heatmap->isMasked(6, 1));
    CHECK(heatmap->isMasked(6, 2));
    // "This layer": every head of layer 1, none of layer 0.
    text->maskControls()->setPaintScope(MaskControlsWidget::PaintScope::ThisLayer);
    f.andWait([&] { emit heatmap->cellClicked(2, 4); });
    for (int h = 0; h < 4; ++h) CHECK(text->analysis()->attention.at(1, h, 2, 4) == 0.f);
    CHECK(text->analysis()->attention.at(0, 0, 2, 4) > 0.f);
    CHECK(text->analysis()->attention.at(1, 2, 6, 2) == 0.f);  // the head's own cell stays
    CHECK(text->analysis()->attention.at(1, 1, 6, 2) > 0.f);   // and stays its own
    // "This head in every layer": head 1 of both layers, no other head.
    text->attentionPanel()->setSelection(0, 1);
    text->maskControls()->setPaintScope(MaskControlsWidget::PaintScope::HeadInEveryLayer);
    f.andWait([&] { emit heatmap->cellClicked(3, 1); });
    CHECK(text->analysis()->attention.at(0, 1, 3, 1) == 0.f);
    CHECK(text->analysis()->attention.at(1, 1, 3, 1) == 0.f);
    CHECK(text->analysis()->attention.at(0, 0, 3, 1) > 0.f);
    CHECK(text->analysis()->attention.at(1, 1, 2, 4) == 0.f);  // layer 1's own painting still applies to its head 1
}

TEST_CASE("A chip's context menu blocks its token in attention, and the chip shows it", "[ui][mask]") {
    TinyBertWindow f(QSize(1200, 800), kSentence);
    auto* text = f.text;
    f.andWait([&] { emit text->tokenStrip()->blockToggled(3); });
    CHECK(text->maskControls()->choice() == MaskControlsWidget::Choice::Block);
    for (int i = 0; i < 9; ++i) REQUIRE(text->analysis()->attention.at(0, 1, i, 3) == 0.f);
    QApplication::processEvents();
    CHECK(text->tokenStrip()->chip(3)->styleSheet().contains("line-through"));
    CHECK_FALSE(text->tokenStrip()->chip(2)->styleSheet().contains("line-through"));
    f.andWait([&] { emit text->tokenStrip()->blockToggled(3); });
    CHECK(text->analysis()->attention.at(0, 1, 5, 3) > 0.f);
}

TEST_CASE("Padding appends masked pad tokens and says the real tokens' results did not change", "[ui][mask][padding]") {
    TinyBertWindow f(QSize(1200, 800), kSentence);
    auto* text = f.text;
    const auto plain = text->analysis();
    text->maskControls()->setPadding(3);
    f.andWait([&] { text->maskControls()->setChoice(MaskControlsWidget::Choice::Padding); });
    const auto padded = text->analysis();
    REQUIRE(padded->tokens.size() == plain->tokens.size() + 3);
    REQUIRE(text->baseline());
    const int n = static_cast<int>(plain->tokens.size());
    for (int l = 0; l < 2; ++l)
        for (int h = 0; h < 4; ++h)
            for (int i = 0; i < n; ++i)
                for (int j = 0; j < n; ++j) REQUIRE(padded->attention.at(l, h, i, j) == Approx(plain->attention.at(l, h, i, j)).margin(1e-5));
    auto* heatmap = text->attentionPanel()->heatmap();
    REQUIRE(heatmap->cols() == n + 3);
    for (int i = 0; i < n + 3; ++i) CHECK(heatmap->isMasked(i, n + 1));  // a pad key: no query may attend to it
    CHECK(text->noteText().contains("padding changes nothing"));
    CHECK(text->analysis()->predictions.at(0).top.at(0).probability ==
          Approx(plain->predictions.at(0).top.at(0).probability).margin(1e-5));
}

TEST_CASE("Compare shows masked minus unmasked attention on a diverging map and both predictions", "[ui][mask][compare]") {
    TinyBertWindow f(QSize(1200, 800), kSentence);
    auto* text = f.text;
    const auto plain = text->analysis();
    f.andWait([&] { text->setMaskMode(AttentionMaskSpec::Mode::Causal); });
    // The model view draws the masked cells grey too.
    CHECK(text->headGrid()->cellColor(1, 3, 0, 5) == ui::kMaskedColor.rgb());
    CHECK(text->headGrid()->cellColor(1, 3, 5, 0) != ui::kMaskedColor.rgb());
    f.andWait([&] { text->maskControls()->setCompare(true); });
    REQUIRE(text->baseline());
    auto* panel = text->attentionPanel();
    panel->setSelection(1, 3);
    REQUIRE(panel->showsDifference());
    auto* heatmap = panel->heatmap();
    for (int i = 0; i < heatmap->rows(); ++i)
        for (int j = 0; j < heatmap->cols(); ++j)
            REQUIRE(heatmap->valueAt(i, j) ==
                    Approx(text->analysis()->attention.at(1, 3, i, j) - plain->attention.at(1, 3, i, j)).margin(1e-5));
    CHECK(heatmap->valueAt(0, 5) < 0.0);  // attention the causal mask took away
    CHECK(text->predictions()->chartCount() == 2);  // before and after for the one [MASK]
    f.andWait([&] { text->maskControls()->setCompare(false); });
    CHECK_FALSE(panel->showsDifference());
    CHECK(text->predictions()->chartCount() == 1);
}

TEST_CASE("Head importance runs from the Heads tab with progress, fills the grid and the ranked table, and opens a head",
          "[ui][importance]") {
    TinyBertWindow f(QSize(1200, 800), kSentence);
    auto* text = f.text;
    text->showView(TextModePanel::View::Heads);
    auto* heads = text->headsPanel();
    // Shown, the tab computes the head statistics of the analysis (entropy first).
    QApplication::processEvents();
    REQUIRE(heads->measure() == ui::HeadsPanel::Measure::Entropy);
    const auto expected = headStatistics(text->analysis()->attention, tokenRolesOf(text->analysis()->tokens));
    CHECK(heads->grid()->valueAt(1, 2) == Approx(expected[1 * 4 + 2].entropy));
    CHECK(heads->table()->rowCount() == 8);
    QSignalSpy ready(&text->session(), &ui::TextSession::headImportanceReady);
    QSignalSpy progress(&text->session(), &ui::TextSession::headImportanceProgress);
    QTest::mouseClick(heads->importanceButton(), Qt::LeftButton);
    REQUIRE((ready.count() > 0 || ready.wait(20000)));
    QApplication::processEvents();
    CHECK(progress.count() > 0);
    const auto importance = ready.at(0).at(0).value<ui::HeadImportancePtr>();
    REQUIRE(importance);
    CHECK(heads->measure() == ui::HeadsPanel::Measure::Importance);
    for (int l = 0; l < 2; ++l)
        for (int h = 0; h < 4; ++h) {
            CHECK(heads->grid()->valueAt(l, h) == Approx(importance->masks[0].drop(l, h, 4)));
            CHECK(heads->valueOf(l, h) == Approx(importance->masks[0].drop(l, h, 4)));
        }
    auto* table = heads->table();
    REQUIRE(table->rowCount() == 8);
    for (int r = 1; r < 8; ++r) CHECK(table->item(r - 1, 2)->data(Qt::UserRole).toDouble() >= table->item(r, 2)->data(Qt::UserRole).toDouble());
    CHECK(heads->statusText().contains("8 heads"));
    emit heads->grid()->cellClicked(1, 3);
    CHECK(text->currentView() == TextModePanel::View::Attention);
    CHECK(text->attentionPanel()->layer() == 1);
    CHECK(text->attentionPanel()->head() == 3);
    // Another sentence makes the result stale: it is forgotten.
    f.andWait([&] { text->setSentence(QStringLiteral("the [MASK] sat .")); });
    CHECK(std::isnan(heads->valueOf(0, 0)));
}

TEST_CASE("Head importance of a sentence classifier shows what the sentence's label loses", "[ui][importance][task]") {
    TinyBertSpec spec;
    spec.task = "sequence";
    TinyBertWindow f(QSize(1200, 800), QStringLiteral("the cat sat on the mat ."), spec);
    auto* text = f.text;
    text->showView(TextModePanel::View::Heads);
    auto* heads = text->headsPanel();
    QApplication::processEvents();
    QSignalSpy ready(&text->session(), &ui::TextSession::headImportanceReady);
    QTest::mouseClick(heads->importanceButton(), Qt::LeftButton);
    REQUIRE((ready.count() > 0 || ready.wait(20000)));
    QApplication::processEvents();
    const auto importance = ready.at(0).at(0).value<ui::HeadImportancePtr>();
    REQUIRE(importance);
    REQUIRE(importance->masks.size() == 1);
    const auto& top = text->analysis()->labels.front();
    CHECK(importance->masks[0].answer.token == top.label);
    CHECK(heads->answerBox()->itemText(0) == QStringLiteral("The sentence → %1").arg(QString::fromStdString(top.label)));
    for (int l = 0; l < 2; ++l)
        for (int h = 0; h < 4; ++h) CHECK(heads->grid()->valueAt(l, h) == Approx(importance->masks[0].drop(l, h, 4)));
}

TEST_CASE("One head step by step: its softmax is the model's attention row and its sum the head's output",
          "[ui][trace]") {
    TinyBertWindow f(QSize(1200, 900), kSentence);
    auto* text = f.text;
    f.andWait([&] { text->setMaskMode(AttentionMaskSpec::Mode::Causal); });
    f.andWait([&] { text->showView(TextModePanel::View::OneHead); });  // runs again for q, k and v
    REQUIRE_FALSE(text->analysis()->trace.empty());
    auto* step = text->headArithmetic();
    CHECK(step->query() == 6);  // the [MASK]
    text->attentionPanel()->setSelection(1, 2);
    step->setQuery(4);
    const auto& s = step->steps();
    REQUIRE(s.probabilities.size() == 9);
    for (int j = 0; j < 9; ++j) {
        CHECK(s.probabilities[static_cast<std::size_t>(j)] == Approx(text->analysis()->attention.at(1, 2, 4, j)).margin(1e-5));
        CHECK(std::isinf(s.masked[static_cast<std::size_t>(j)]) == (j > 4));  // the causal mask: -inf after the query
        CHECK(s.scaled[static_cast<std::size_t>(j)] == Approx(s.scores[static_cast<std::size_t>(j)] / std::sqrt(4.0)));
    }
    CHECK(s.largestOutputDifference < 1e-4);
    CHECK(step->captionText().contains("equals the model's attention row"));
    CHECK(step->figure(3)->isMasked(0, 7));  // the masked step draws -inf as masked
    CHECK(step->figure(4)->cols() == 9);  // the softmax
    CHECK(step->figure(0)->rows() == 10);  // q over the nine keys
}

TEST_CASE("By layer shows the masked-LM head after every layer, ending in the prediction", "[ui][lens]") {
    TinyBertWindow f(QSize(1200, 800), kSentence);
    auto* text = f.text;
    f.andWait([&] { text->showView(TextModePanel::View::Layers); });
    REQUIRE(text->analysis()->layerPredictions.size() == 1);
    auto* table = text->layerPredictions()->table();
    REQUIRE(table->rowCount() == 3);
    const auto analysis = text->analysis();
    const auto& top = analysis->predictions[0].top[0];
    CHECK(table->item(2, 3)->text().startsWith(QString::fromStdString(top.token)));
    CHECK(table->item(2, 1)->text() == "1");
    CHECK(text->layerPredictions()->captionText().contains(QString::fromStdString(top.token)));
}

TEST_CASE("Colour scaling per row and log, and rollout for text", "[ui][scaling]") {
    TinyBertWindow f(QSize(1200, 800), kSentence);
    auto* panel = f.text->attentionPanel();
    auto* heatmap = panel->heatmap();
    panel->setSelection(1, 0);
    panel->setScaling(ui::AttentionPanel::Scaling::PerRow);
    for (int i = 0; i < heatmap->rows(); ++i) {
        double top = 0;
        for (int j = 0; j < heatmap->cols(); ++j) top = std::max(top, heatmap->valueAt(i, j));
        CHECK(top == Approx(1.0));
    }
    panel->setScaling(ui::AttentionPanel::Scaling::Log);
    const auto analysis = f.text->analysis();
    const auto& a = analysis->attention;
    CHECK(heatmap->valueAt(2, 3) == Approx(std::log10(std::max(a.at(1, 0, 2, 3), 1e-4f))));
    panel->setScaling(ui::AttentionPanel::Scaling::Fixed);
    panel->setAggregation(HeadAggregation::Rollout);
    const auto rollout = attentionRollout(a);
    for (int i = 0; i < 9; ++i)
        for (int j = 0; j < 9; ++j) REQUIRE(heatmap->valueAt(i, j) == Approx(rollout[static_cast<std::size_t>(i) * 9 + j]).margin(1e-6));
    CHECK(panel->selectionTitle().contains("rollout"));
}
