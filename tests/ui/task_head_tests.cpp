// Text mode with a task head: a sequence classifier's labels as bars, a token classifier's labels
// under the chips with entity spans that select their tokens in the heatmap.
#include <QApplication>
#include <QTest>
#include <QToolButton>
#include <catch2/catch.hpp>

#include "analysis/entity_groups.h"
#include "panels/attention_panel.h"
#include "tiny_bert_window.h"
#include "widgets/entity_list_widget.h"
#include "widgets/heatmap_plot_widget.h"
#include "widgets/mask_controls_widget.h"
#include "widgets/prediction_chart_widget.h"
#include "widgets/token_strip_widget.h"

using namespace ascope;
using namespace ascope::test;
using ascope::ui::TextModePanel;

TEST_CASE("A sentiment-style classifier shows its labels as one bar chart, highest first", "[ui][task]") {
    TinyBertSpec spec;
    spec.task = "sequence";
    spec.labels = {"NEGATIVE", "POSITIVE"};
    TinyBertWindow f(QSize(1300, 800), QStringLiteral("the sun is bright"), spec);
    const auto analysis = f.text->analysis();
    REQUIRE(analysis->task == TextTask::SentenceLabels);
    REQUIRE(analysis->labels.size() == 2);
    CHECK(f.text->predictions()->chartCount() == 1);
    CHECK_FALSE(f.text->entityList()->isVisible());
    CHECK_FALSE(f.text->tokenStrip()->hasTags());
    // All attention views work as for fill-mask: the heatmap shows the analysis' layer 0, head 0.
    const auto& a = analysis->attention;
    CHECK(f.text->attentionPanel()->heatmap()->valueAt(1, 2) == Approx(a.at(0, 0, 1, 2)));

    SECTION("Compare shows the labels without and with a mask inside attention") {
        f.andWait([&] { f.text->setMaskMode(AttentionMaskSpec::Mode::Causal); });
        f.andWait([&] { f.text->maskControls()->setCompare(true); });
        REQUIRE(f.text->baseline());
        CHECK(f.text->predictions()->chartCount() == 2);
    }
}

TEST_CASE("A token classifier's labels sit under the chips, and clicking an entity outlines its tokens", "[ui][task]") {
    TinyBertSpec spec;
    spec.task = "tokens";
    spec.labels = {"O", "B-PER", "I-PER", "B-LOC", "I-LOC"};
    spec.seed = 11;
    TinyBertWindow f(QSize(1300, 800), QStringLiteral("the shiny cat sat on the mat in the sun"), spec);
    const auto analysis = f.text->analysis();
    REQUIRE(analysis->task == TextTask::TokenLabels);
    auto* strip = f.text->tokenStrip();
    REQUIRE(strip->hasTags());
    for (int i = 0; i < strip->chipCount(); ++i) {
        const auto& token = analysis->tokens[static_cast<std::size_t>(i)];
        const QString text = strip->chip(i)->text();
        if (!isLabelledToken(token)) {
            CHECK_FALSE(text.contains(QLatin1Char('\n')));
            continue;
        }
        CHECK(text == QString::fromStdString(token.text) + QLatin1Char('\n') +
                          QString::fromStdString(analysis->tokenLabels[static_cast<std::size_t>(i)].best.label));
    }
    // The strip is tall enough for two-line chips.
    CHECK(f.text->tokenStripArea()->height() >= strip->rowHeight(true));

    auto* list = f.text->entityList();
    REQUIRE(list->isVisible());
    const auto expected = groupEntities(analysis->text, analysis->tokens, analysis->tokenLabels);
    REQUIRE(list->entities().size() == expected.size());
    REQUIRE(expected.size() >= 2);
    for (const char* type : {"PER", "LOC"}) CHECK(list->legendText().contains(QLatin1String(type)));
    CHECK_FALSE(list->legendText().contains(QLatin1String(">&nbsp;O&nbsp;<")));

    const auto& e = expected[1];
    auto* heatmap = f.text->attentionPanel()->heatmap();
    QTest::mouseClick(list->entityButton(1), Qt::LeftButton);
    CHECK(f.text->attentionPanel()->highlightedTokens() == std::make_pair(e.firstToken, e.lastToken));
    CHECK(heatmap->selectionBand() == std::make_pair(e.firstToken, e.lastToken));  // [CLS] shown: rows are tokens
    // Hiding [CLS]/[SEP] shifts the rows; the band follows its tokens.
    f.text->attentionPanel()->setHideSpecialTokens(true);
    CHECK(heatmap->selectionBand() == std::make_pair(e.firstToken - 1, e.lastToken - 1));
    f.text->attentionPanel()->setHideSpecialTokens(false);
    // Another layer keeps the selection; a second click clears it.
    f.text->attentionPanel()->setSelection(1, 2);
    CHECK(heatmap->selectionBand() == std::make_pair(e.firstToken, e.lastToken));
    QTest::mouseClick(list->entityButton(1), Qt::LeftButton);
    CHECK(heatmap->selectionBand() == std::make_pair(-1, -1));
    CHECK(list->selectedEntity() == -1);

    SECTION("Another sentence drops the selection and relabels the chips") {
        QTest::mouseClick(list->entityButton(0), Qt::LeftButton);
        f.andWait([&] { f.text->setSentence(QStringLiteral("a big red house")); });
        CHECK(f.text->analysis()->tokenLabels.size() == 6);
        CHECK(strip->chipCount() == 6);
        CHECK(strip->hasTags());
        // The outline stays only where the same tokens are still one entity, and then it is the selected one.
        const auto band = heatmap->selectionBand();
        if (list->selectedEntity() < 0) {
            CHECK(band == std::make_pair(-1, -1));
        } else {
            const auto& kept = list->entities()[static_cast<std::size_t>(list->selectedEntity())];
            CHECK(band == std::make_pair(kept.firstToken, kept.lastToken));
        }
    }
}

TEST_CASE("A long entity is shortened on its button and never widens the entity list", "[ui][task]") {
    // One PER entity over 30 words: every token but [CLS]/[SEP] tagged I-PER.
    TextAnalysis a;
    a.task = TextTask::TokenLabels;
    a.labelNames = {"O", "B-PER", "I-PER"};
    for (int i = 0; i < 30; ++i) a.text += (i ? " " : "") + std::string("word") + std::to_string(i);
    a.tokens.push_back({"[CLS]", 1, 0, 0, true, 0});
    std::size_t at = 0;
    for (int i = 0; i < 30; ++i) {
        const std::string w = "word" + std::to_string(i);
        a.tokens.push_back({w, 10 + i, at, at + w.size(), false, 0});
        at += w.size() + 1;
    }
    a.tokens.push_back({"[SEP]", 2, a.text.size(), a.text.size(), true, 0});
    for (std::size_t i = 0; i < a.tokens.size(); ++i) {
        TokenLabel l;
        l.scores = {0.f, 0.f, 1.f};
        l.best = {"I-PER", 2, 1.f};
        a.tokenLabels.push_back(l);
    }
    ui::EntityListWidget list;
    list.resize(300, 400);
    list.setAnalysis(a);
    list.show();
    QApplication::processEvents();
    REQUIRE(list.entities().size() == 1);
    auto* button = list.entityButton(0);
    CHECK(button->text().startsWith(QStringLiteral("word0 word1")));
    CHECK(button->text().contains(QChar(0x2026)));
    CHECK(button->text().contains(QStringLiteral("word29   PER")));
    CHECK(button->toolTip().contains(QString::fromStdString(a.text)));  // the whole text on hover
    CHECK(button->width() <= list.width());
    CHECK(list.minimumSizeHint().width() <= 300);
}
