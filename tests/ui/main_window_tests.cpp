#include <QCheckBox>
#include <QScrollArea>
#include <QScrollBar>
#include <QFile>
#include <QImage>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTest>
#include <QToolButton>
#include <catch2/catch.hpp>
#include <filesystem>
#include <set>

#include "export/figure_exporter.h"
#include "inference/text_model.h"
#include "panels/attention_panel.h"
#include "panels/positional_encoding_panel.h"
#include "panels/text_mode_panel.h"
#include "widgets/long_text_widget.h"
#include "temp_dir.h"
#include "tiny_bert_fixture.h"
#include "tiny_bert_window.h"
#include "widgets/head_grid_widget.h"
#include "widgets/heatmap_plot_widget.h"
#include "widgets/prediction_chart_widget.h"
#include "widgets/token_strip_widget.h"
#include "window/main_window.h"

using namespace ascope;
using namespace ascope::test;
using ascope::ui::MainWindow;
using ascope::ui::TextModePanel;
using ascope::test::TinyBertWindow;


TEST_CASE("Typing a sentence and clicking a token gives predictions and a heatmap equal to the core's attention",
          "[ui][window]") {
    TempDir dir;
    writeTinyBert(dir.file("m"));
    MainWindow w;
    w.show();
    openTinyModel(w, dir.file("m"));

    QSignalSpy shown(w.textPanel(), &TextModePanel::analysisShown);
    w.textPanel()->setSentence(QStringLiteral("the cat sat on the mat ."));
    REQUIRE(waitForAnalysis(w, shown));
    REQUIRE(w.textPanel()->tokenStrip()->chipCount() == 9);
    CHECK(w.textPanel()->predictions()->chartCount() == 0);

    // Click "mat" (token 6) in the strip: it becomes [MASK] and predictions appear.
    shown.clear();
    QTest::mouseClick(w.textPanel()->tokenStrip()->chip(6), Qt::LeftButton);
    REQUIRE(waitForAnalysis(w, shown));
    REQUIRE(w.textPanel()->analysis());
    CHECK(w.textPanel()->analysis()->tokens[6].text == "[MASK]");
    CHECK(w.textPanel()->tokenStrip()->chip(6)->text() == "[MASK]");
    REQUIRE(w.textPanel()->predictions()->chartCount() == 1);
    REQUIRE(w.textPanel()->analysis()->predictions.size() == 1);
    CHECK(w.textPanel()->analysis()->predictions[0].position == 6);

    // Select layer 1, head 2 and compare every heatmap cell with the core run independently.
    w.textPanel()->attentionPanel()->setSelection(1, 2);
    auto model = TextModel::load(dir.file("m"));
    REQUIRE(model.hasValue());
    auto tokens = (*model)->tokenizer().encode("the cat sat on the mat .");
    tokens[6].id = (*model)->tokenizer().maskId();
    auto expected = (*model)->analyseTokens("the cat sat on the mat .", tokens);
    REQUIRE(expected.hasValue());
    auto* heatmap = w.textPanel()->attentionPanel()->heatmap();
    REQUIRE(heatmap->rows() == 9);
    for (int i = 0; i < 9; ++i)
        for (int j = 0; j < 9; ++j) REQUIRE(heatmap->valueAt(i, j) == Approx(expected->attention.at(1, 2, i, j)).margin(1e-6));
    CHECK(w.textPanel()->analysis()->predictions[0].top[0].id == expected->predictions[0].top[0].id);

    // Clicking the chip again restores the token.
    shown.clear();
    QTest::mouseClick(w.textPanel()->tokenStrip()->chip(6), Qt::LeftButton);
    REQUIRE(waitForAnalysis(w, shown));
    CHECK(w.textPanel()->analysis()->tokens[6].text == "mat");
    CHECK(w.textPanel()->predictions()->chartCount() == 0);
}

TEST_CASE("A RoBERTa model's chips show word starts as a marker and mask with <mask>, typed or clicked", "[ui][window][roberta]") {
    TempDir dir;
    TinyBertSpec spec;
    spec.family = "roberta";
    writeTinyBert(dir.file("r"), spec);
    MainWindow w;
    w.show();
    openTinyModel(w, dir.file("r"));

    QSignalSpy shown(w.textPanel(), &TextModePanel::analysisShown);
    w.textPanel()->setSentence(QStringLiteral("the cat sat on <mask>"));
    REQUIRE(waitForAnalysis(w, shown));
    auto* strip = w.textPanel()->tokenStrip();
    REQUIRE(strip->chipCount() == 7);  // <s> the ·cat ·sat ·on <mask> </s>
    CHECK(strip->chip(2)->text() == QString::fromUtf8("\xC2\xB7" "cat"));
    CHECK(strip->chip(5)->text() == "<mask>");
    CHECK(strip->chip(5)->isChecked());
    REQUIRE(w.textPanel()->analysis()->predictions.size() == 1);
    CHECK(w.textPanel()->analysis()->predictions[0].position == 5);
    bool namesItsOwnSpecialTokens = false;
    for (auto* box : w.textPanel()->attentionPanel()->findChildren<QCheckBox*>())
        namesItsOwnSpecialTokens = namesItsOwnSpecialTokens || box->text() == "Hide <s>/</s>";
    CHECK(namesItsOwnSpecialTokens);

    // Clicking "·cat" masks it with RoBERTa's own mask token; a typed <mask> has nothing to restore.
    shown.clear();
    QTest::mouseClick(strip->chip(2), Qt::LeftButton);
    REQUIRE(waitForAnalysis(w, shown));
    CHECK(strip->chip(2)->text() == "<mask>");
    CHECK(w.textPanel()->analysis()->tokens[2].text == "<mask>");
    CHECK(w.textPanel()->analysis()->tokens[2].id == 4);
    REQUIRE(w.textPanel()->analysis()->predictions.size() == 2);
    QTest::mouseClick(strip->chip(5), Qt::LeftButton);
    CHECK(strip->chip(5)->text() == "<mask>");
}

TEST_CASE("An ALBERT model opens in the window: [MASK] chips, shared layers shown one by one, narrow position embeddings",
          "[ui][window][albert]") {
    TempDir dir;
    TinyBertSpec spec;
    spec.family = "albert";
    spec.layers = 4;
    spec.groups = 2;
    writeTinyBert(dir.file("a"), spec);
    MainWindow w;
    w.show();
    openTinyModel(w, dir.file("a"));
    QSignalSpy shown(w.textPanel(), &TextModePanel::analysisShown);
    w.textPanel()->setSentence(QStringLiteral("I love to [MASK] in the park."));
    REQUIRE(waitForAnalysis(w, shown));
    const auto analysis = w.textPanel()->analysis();
    REQUIRE(analysis->attention.layers == 4);
    REQUIRE(analysis->predictions.size() == 1);
    auto* strip = w.textPanel()->tokenStrip();
    CHECK(strip->chip(0)->text() == "[CLS]");
    // Clicking a word chip masks it with ALBERT's [MASK].
    shown.clear();
    QTest::mouseClick(strip->chip(2), Qt::LeftButton);
    REQUIRE(waitForAnalysis(w, shown));
    CHECK(w.textPanel()->analysis()->tokens[2].text == "[MASK]");
    CHECK(w.textPanel()->analysis()->predictions.size() == 2);
    // The learned position embeddings are embedding_size wide (8), not hidden_size (16).
    w.textPanel()->showView(TextModePanel::View::Positional);
    CHECK(w.textPanel()->positionalPanel()->learnedHeatmap()->cols() == spec.embedding);
}

TEST_CASE("Hiding [CLS] and [SEP] renormalises the rows, and mean and max aggregate the heads", "[ui][window]") {
    TempDir dir;
    writeTinyBert(dir.file("m"));
    MainWindow w;
    openTinyModel(w, dir.file("m"));
    QSignalSpy shown(w.textPanel(), &TextModePanel::analysisShown);
    w.textPanel()->setSentence(QStringLiteral("the dog ran"));
    REQUIRE(waitForAnalysis(w, shown));
    auto* panel = w.textPanel()->attentionPanel();
    const auto& shownMatrix = panel->shownMatrix();
    CHECK(shownMatrix.rows == 5);
    panel->findChild<QCheckBox*>()->setChecked(true);
    REQUIRE(panel->shownMatrix().rows == 3);
    for (int r = 0; r < 3; ++r) {
        double sum = 0;
        for (int c = 0; c < 3; ++c) sum += panel->heatmap()->valueAt(r, c);
        CHECK(sum == Approx(1.0).margin(1e-5));
    }
}

TEST_CASE("A model loaded at start-up leaves the mode the command line chose and one the user opens shows its mode",
          "[ui][window]") {
    TempDir dir;
    writeTinyBert(dir.file("m"));
    MainWindow w;
    w.show();
    w.showMode(MainWindow::Mode::Image);  // as --mode image or --image does before the text model loads
    QSignalSpy loaded(&w.textPanel()->session(), &ui::TextSession::modelLoaded);
    w.openModel(QString::fromStdString(dir.file("m")), MainWindow::Show::Keep);
    REQUIRE((loaded.count() > 0 || loaded.wait(20000)));
    CHECK(w.currentMode() == MainWindow::Mode::Image);
    loaded.clear();
    w.openModel(QString::fromStdString(dir.file("m")));  // File > Open Model
    REQUIRE((loaded.count() > 0 || loaded.wait(20000)));
    CHECK(w.currentMode() == MainWindow::Mode::Text);
}

TEST_CASE("A bad model folder shows a message and keeps the previous model", "[ui][window]") {
    TempDir dir;
    writeTinyBert(dir.file("m"));
    MainWindow w;
    openTinyModel(w, dir.file("m"));
    QSignalSpy failed(&w.textPanel()->session(), &ui::TextSession::modelFailed);
    std::filesystem::create_directories(dir.file("broken"));
    writeText(dir.file("broken/config.json"), "{ not json");
    w.openModel(QString::fromStdString(dir.file("broken")));
    REQUIRE((failed.count() > 0 || failed.wait(20000)));
    CHECK(w.textPanel()->messageText().contains("config.json"));
    REQUIRE(w.textPanel()->session().model());
    CHECK(w.textPanel()->session().model()->directory() == dir.file("m"));
}

TEST_CASE("A sentence pair longer than the model is truncated longest first in the window", "[ui][window][pair]") {
    TempDir dir;
    writeTinyBert(dir.file("m"));  // 24 positions
    MainWindow w;
    openTinyModel(w, dir.file("m"));
    QSignalSpy shown(w.textPanel(), &TextModePanel::analysisShown);
    w.textPanel()->setSentence(QStringLiteral("the cat"));
    REQUIRE(waitForAnalysis(w, shown));
    QString longText;
    for (int i = 0; i < 20; ++i) longText += QStringLiteral("the cat ");
    shown.clear();
    w.textPanel()->setSentencePair(longText);
    REQUIRE(waitForAnalysis(w, shown));
    CHECK(w.textPanel()->messageText().isEmpty());
    CHECK_FALSE(w.textPanel()->windowed());
    // A (2 tokens) fits in half of the 21 left for the sentences: it stays whole, B keeps 19.
    const auto& tokens = w.textPanel()->analysis()->tokens;
    REQUIRE(tokens.size() == 24);
    CHECK(tokens[1].text == "the");
    CHECK(tokens[2].text == "cat");
    CHECK(tokens[3].text == "[SEP]");
    CHECK(tokens[3].segment == 0);
    CHECK(tokens[4].segment == 1);
    CHECK(tokens.back().text == "[SEP]");
    CHECK_FALSE(w.textPanel()->longText()->isHidden());
}

TEST_CASE("Every view exports valid PNG, SVG and PDF files", "[ui][export]") {
    TempDir dir;
    writeTinyBert(dir.file("m"));
    MainWindow w;
    w.resize(1200, 800);
    w.show();
    openTinyModel(w, dir.file("m"));
    QSignalSpy shown(w.textPanel(), &TextModePanel::analysisShown);
    w.textPanel()->setSentence(QStringLiteral("the [MASK] sat on the mat ."));
    REQUIRE(waitForAnalysis(w, shown));
    for (int tab = 0; tab < 4; ++tab) {
        w.textPanel()->showView(static_cast<TextModePanel::View>(tab));
        auto* view = w.currentExportable();
        REQUIRE(view);
        const QString base = QString::fromStdString(dir.file("fig")) + QString::number(tab);
        REQUIRE(ui::saveFigure(*view, base + ".png", QSize(640, 480), 2.0).isEmpty());
        QImage png(base + ".png");
        REQUIRE_FALSE(png.isNull());
        CHECK(png.width() == 1280);
        CHECK(png.height() == 960);
        // Not a blank page: more than one colour.
        std::set<QRgb> colours;
        for (int y = 0; y < png.height(); y += 16)
            for (int x = 0; x < png.width(); x += 16) colours.insert(png.pixel(x, y));
        CHECK(colours.size() > 4);
        REQUIRE(ui::saveFigure(*view, base + ".svg", QSize(640, 480), 1.0).isEmpty());
        const auto svg = readText((base + ".svg").toStdString());
        CHECK_THAT(svg, Catch::Contains("<svg") && Catch::Contains("</svg>"));
        REQUIRE(ui::saveFigure(*view, base + ".pdf", QSize(640, 480), 1.0).isEmpty());
        const auto pdf = readText((base + ".pdf").toStdString());
        CHECK_THAT(pdf, Catch::StartsWith("%PDF-"));
        CHECK_THAT(pdf, Catch::Contains("%%EOF"));
    }
    CHECK(w.textPanel()->attentionPanel()->heatmap()->exportBaseName() == "attention_L0_H0_the-mask-sat-on-the-mat");
    CHECK_FALSE(ui::saveFigure(*w.currentExportable(), QString::fromStdString(dir.file("x.bmpx")), QSize(100, 100), 1).isEmpty());
}

TEST_CASE("Clicking a cell of the model view selects that layer and head", "[ui][window]") {
    TempDir dir;
    writeTinyBert(dir.file("m"));
    MainWindow w;
    w.resize(1000, 700);
    w.show();
    openTinyModel(w, dir.file("m"));
    QSignalSpy shown(w.textPanel(), &TextModePanel::analysisShown);
    w.textPanel()->setSentence(QStringLiteral("the cat"));
    REQUIRE(waitForAnalysis(w, shown));
    w.textPanel()->showView(TextModePanel::View::ModelView);
    QApplication::processEvents();
    auto* grid = w.textPanel()->headGrid();
    REQUIRE(grid->rows() == 2);
    REQUIRE(grid->cols() == 4);
    QTest::mouseClick(grid, Qt::LeftButton, {}, grid->cellCenter(1, 3));
    CHECK(w.textPanel()->attentionPanel()->layer() == 1);
    CHECK(w.textPanel()->attentionPanel()->head() == 3);
    CHECK(w.textPanel()->currentView() == TextModePanel::View::Attention);
}

TEST_CASE("Positional encodings show the sinusoid and the learned embeddings", "[ui][positional]") {
    TempDir dir;
    const auto tiny = writeTinyBert(dir.file("m"));
    MainWindow w;
    openTinyModel(w, dir.file("m"));
    auto* panel = w.textPanel()->positionalPanel();
    CHECK(panel->sinusoidHeatmap()->cols() == 16);
    CHECK(panel->sinusoidHeatmap()->valueAt(0, 1) == Approx(1.0));  // cos(0)
    CHECK(panel->learnedHeatmap()->rows() == 24);
    CHECK(panel->learnedHeatmap()->valueAt(3, 5) == Approx(tiny.w("embeddings.position_embeddings.weight").values[3 * 16 + 5]));
    CHECK(panel->similarityHeatmap()->valueAt(7, 7) == Approx(1.0).margin(1e-5));
}

TEST_CASE("A long sentence scrolls the token strip without clipping its chips", "[ui][window]") {
    TempDir dir;
    writeTinyBert(dir.file("m"));
    MainWindow w;
    w.resize(900, 700);
    w.show();
    openTinyModel(w, dir.file("m"));
    QString text;
    for (int i = 0; i < 59; ++i) text += QStringLiteral("the cat ");
    w.textPanel()->setSentence(text.trimmed());  // 120 tokens with [CLS] and [SEP]
    QApplication::processEvents();
    auto* strip = w.textPanel()->tokenStrip();
    auto* area = w.textPanel()->tokenStripArea();
    REQUIRE(strip->chipCount() == 120);
    QApplication::processEvents();
    REQUIRE(area->horizontalScrollBar()->isVisible());
    const int visibleHeight = area->viewport()->height();
    for (int i = 0; i < strip->chipCount(); i += 7) {
        const QRect g = strip->chip(i)->geometry();
        INFO("chip " << i << " spans y " << g.top() << ".." << g.bottom() << ", viewport height " << visibleHeight);
        CHECK(g.top() >= 0);
        CHECK(g.bottom() < visibleHeight);
    }
}

TEST_CASE("Choosing the causal mask draws the upper triangle as masked and changes the predictions", "[ui][mask]") {
    TinyBertWindow f(QSize(1200, 800), QStringLiteral("the cat sat on the [MASK] ."));
    auto& w = f.w;
    auto* text = f.text;
    QSignalSpy shown(text, &TextModePanel::analysisShown);
    const float before = text->analysis()->predictions.at(0).top.at(0).probability;
    auto* heatmap = text->attentionPanel()->heatmap();
    CHECK_FALSE(heatmap->isMasked(0, 8));
    CHECK(text->attentionPanel()->maskLegend().isEmpty());

    shown.clear();
    text->setMaskMode(AttentionMaskSpec::Mode::Causal);
    REQUIRE(waitForAnalysis(w, shown));
    text->attentionPanel()->setSelection(1, 2);
    REQUIRE(heatmap->rows() == 9);
    for (int i = 0; i < 9; ++i)
        for (int j = 0; j < 9; ++j) REQUIRE(heatmap->isMasked(i, j) == (j > i));
    CHECK(text->attentionPanel()->maskLegend().contains("masked"));
    CHECK(text->analysis()->predictions.at(0).top.at(0).probability != Approx(before).margin(1e-6));

    // Block mode: clicking a key column of the heatmap blocks that token for every query.
    shown.clear();
    text->setMaskMode(AttentionMaskSpec::Mode::Block);
    REQUIRE(waitForAnalysis(w, shown));
    shown.clear();
    emit heatmap->cellClicked(0, 3);
    REQUIRE(waitForAnalysis(w, shown));
    for (int i = 0; i < 9; ++i) REQUIRE(heatmap->isMasked(i, 3));
    CHECK_FALSE(heatmap->isMasked(0, 2));
}

TEST_CASE("Right-clicking a head in the model view switches it off: marked, zero, and the predictions change",
          "[ui][mask]") {
    TinyBertWindow f(QSize(1100, 750), QStringLiteral("the cat sat on the [MASK] ."));
    auto& w = f.w;
    auto* text = f.text;
    QSignalSpy shown(text, &TextModePanel::analysisShown);
    const float before = text->analysis()->predictions.at(0).top.at(0).probability;
    text->showView(TextModePanel::View::ModelView);
    QApplication::processEvents();
    auto* grid = text->headGrid();
    shown.clear();
    QTest::mouseClick(grid, Qt::RightButton, {}, grid->cellCenter(1, 2));
    REQUIRE(waitForAnalysis(w, shown));
    CHECK(grid->isAblated(1, 2));
    CHECK_FALSE(grid->isAblated(1, 1));
    CHECK(text->ablatedHeads().count({1, 2}) == 1);
    CHECK(text->currentView() == TextModePanel::View::ModelView);  // a right-click does not open the head
    CHECK(text->analysis()->predictions.at(0).top.at(0).probability != Approx(before).margin(1e-6));
    text->attentionPanel()->setSelection(1, 2);
    for (int i = 0; i < 9; ++i)
        for (int j = 0; j < 9; ++j) REQUIRE(text->attentionPanel()->heatmap()->valueAt(i, j) == 0.0);

    shown.clear();
    QTest::mouseClick(grid, Qt::LeftButton, Qt::ControlModifier, grid->cellCenter(1, 2));  // Ctrl+click: on again
    REQUIRE(waitForAnalysis(w, shown));
    CHECK_FALSE(grid->isAblated(1, 2));
    CHECK(text->analysis()->predictions.at(0).top.at(0).probability == Approx(before).margin(1e-6));
}
