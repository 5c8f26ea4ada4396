// Text mode with a text longer than the model: sliding windows (stepped through, predictions from
// the most central window), truncation (of pairs too), and a strip of 2,000 chips.
#include <QScrollArea>
#include <fstream>
#include <QScrollBar>
#include <QToolButton>
#include <catch2/catch.hpp>

#include "analysis/entity_groups.h"
#include "export/attention_data_writer.h"
#include "export/attention_exporter.h"
#include "inference/text_windows.h"
#include "panels/attention_panel.h"
#include "tiny_bert_window.h"
#include "widgets/entity_list_widget.h"
#include "widgets/heatmap_plot_widget.h"
#include "widgets/long_text_widget.h"
#include "widgets/prediction_chart_widget.h"
#include "widgets/token_strip_widget.h"

using namespace ascope;
using namespace ascope::test;
using ascope::ui::LongTextWidget;
using ascope::ui::TextModePanel;

namespace {
// `words` words, "[MASK]" at the given word indices (the tiny models take 24 tokens).
QString longText(int words, const std::set<int>& masks = {}) {
    static const QStringList pool = {"the", "cat", "sat", "on", "mat", "dog", "sun", "is", "bright", "shiny"};
    QStringList out;
    for (int i = 0; i < words; ++i) out << (masks.count(i) ? QStringLiteral("[MASK]") : pool[(i * 7 + i / 3) % pool.size()]);
    return out.join(QLatin1Char(' '));
}
}  // namespace

TEST_CASE("A text longer than the model runs in windows that the window steps through", "[ui][windows]") {
    TinyBertWindow f(QSize(1300, 800), QStringLiteral("the cat"));
    auto* bar = f.text->longText();
    CHECK_FALSE(bar->isVisible());
    CHECK(bar->window() == 24);  // the tiny model's maximum (below 512)
    CHECK(bar->stride() == 12);
    f.andWait([&] { bar->setWindowAndStride(16, 6); });  // no run: the text fits
    const QString text = longText(60, {5, 40});
    f.andWait([&] { f.text->setSentence(text); });
    REQUIRE(bar->isVisible());
    const auto windowed = f.text->windowed();
    REQUIRE(windowed);
    CHECK(f.text->messageText().isEmpty());

    // The same as the engine computes for the strip's tokens, window by window.
    const auto& model = *f.text->session().model();
    const auto tokens = model.tokenizer().encode(text.toStdString());
    auto expected = analyseTokensInWindows(model, text.toStdString(), tokens, 16, 6, {});
    REQUIRE(expected.hasValue());
    REQUIRE(windowed->windows.size() == expected->windows.size());
    REQUIRE(bar->windowCount() == static_cast<int>(expected->windows.size()));
    REQUIRE(windowed->merged.predictions.size() == 2);
    for (std::size_t m = 0; m < 2; ++m) {
        CHECK(windowed->predictionWindow[m] == expected->predictionWindow[m]);
        CHECK(windowed->merged.predictions[m].top.front().id == expected->merged.predictions[m].top.front().id);
    }
    // The predictions shown are the whole text's (one chart per [MASK]), whichever window is shown.
    CHECK(f.text->predictions()->chartCount() == 2);

    // The views show window 1, then 2: its tokens, its attention; the strip's band follows.
    REQUIRE(f.text->analysis().get() == &windowed->windows[0]);
    CHECK(f.text->tokenStrip()->highlightedRange() == std::make_pair(1, 14));
    f.andWait([&] { f.text->stepWindow(1); });
    REQUIRE(bar->currentWindow() == 1);
    const auto& second = windowed->windows[1];
    REQUIRE(f.text->analysis().get() == &second);
    CHECK(f.text->analysis()->tokens.size() == 16);
    CHECK(f.text->attentionPanel()->heatmap()->valueAt(3, 4) == Approx(second.attention.at(0, 0, 3, 4)));
    const int first = windowed->firstToken[1];
    CHECK(f.text->tokenStrip()->highlightedRange() == std::make_pair(first, first + 13));
    CHECK(bar->positionText().contains(QStringLiteral("window 2 of %1").arg(windowed->windows.size())));
    CHECK(f.text->predictions()->chartCount() == 2);
    // Stepping past the ends stays on the first or last window.
    bar->setCurrentWindow(99);
    CHECK(bar->currentWindow() == bar->windowCount() - 1);

    SECTION("A chip masked in a later window is predicted there, and the window stays") {
        const int last = bar->currentWindow();
        const int chip = static_cast<int>(tokens.size()) - 4;
        f.andWait([&] { f.text->toggleToken(chip); });
        const auto again = f.text->windowed();
        REQUIRE(again);
        REQUIRE(again != windowed);
        CHECK(bar->currentWindow() == last);
        REQUIRE(again->merged.predictions.size() == 3);
        CHECK(again->merged.predictions.back().position == chip);
        CHECK(again->merged.tokens[static_cast<std::size_t>(chip)].id == model.tokenizer().maskId());
    }
    SECTION("Export writes every window with a leading window axis") {
        const std::string path = f.dir.file("windows.npy");
        REQUIRE(ui::writeWindowedAttentionFile(QString::fromStdString(path), *windowed).isEmpty());
        std::vector<AttentionWindow> all;
        for (std::size_t w = 0; w < windowed->windows.size(); ++w) all.push_back({&windowed->windows[w].attention, {}, windowed->firstToken[w]});
        const auto bytes = exportWindowedAttention(all, 16, 6, {}, ExportFormat::Npy);
        REQUIRE(bytes.hasValue());
        std::ifstream in(path, std::ios::binary);
        const std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        CHECK(written == *bytes);
        CHECK(written.find("(" + std::to_string(windowed->windows.size()) + ", 2, 4, 16, 16)") != std::string::npos);
    }
    SECTION("Truncation runs the first tokens and the end token instead") {
        f.andWait([&] { bar->setMode(LongTextWidget::Mode::Truncate); });
        CHECK_FALSE(f.text->windowed());
        const auto analysis = f.text->analysis();
        REQUIRE(analysis->tokens.size() == 24);
        CHECK(analysis->tokens.back().id == tokens.back().id);
        for (std::size_t i = 0; i + 1 < 24; ++i) CHECK(analysis->tokens[i].id == tokens[i].id);
        REQUIRE(analysis->predictions.size() == 1);  // the second [MASK] was cut
        CHECK(f.text->tokenStrip()->highlightedRange() == std::make_pair(0, 22));
        CHECK(bar->positionText().contains(QStringLiteral("first 24 tokens")));
    }
    SECTION("A text that fits again runs whole and hides the bar") {
        f.andWait([&] { f.text->setSentence(QStringLiteral("the [MASK] sat")); });
        CHECK_FALSE(bar->isVisible());
        CHECK_FALSE(f.text->windowed());
        CHECK(f.text->analysis()->tokens.size() == 5);
        CHECK(f.text->tokenStrip()->highlightedRange() == std::make_pair(-1, -1));
    }
    SECTION("A sentence pair that is too long is truncated longest first, and windows come back without B") {
        f.andWait([&] { f.text->setSentencePair(QStringLiteral("the cat")); });
        CHECK(f.text->messageText().isEmpty());
        CHECK_FALSE(f.text->windowed());
        REQUIRE(bar->isVisible());
        CHECK(bar->isPair());
        CHECK(bar->mode() == LongTextWidget::Mode::Truncate);
        const auto pairTokens = model.tokenizer().encodePair(text.toStdString(), "the cat");
        const auto kept = truncatedTokens(pairTokens, 24);
        const auto analysis = f.text->analysis();
        REQUIRE(analysis->tokens.size() == kept.size());
        for (std::size_t i = 0; i < kept.size(); ++i) CHECK(analysis->tokens[i].id == kept[i].id);
        // 21 tokens for the sentences: B's two stay, A keeps 19; the bands are [CLS] + A's start,
        // and A's [SEP] with B and its [SEP].
        const int n = static_cast<int>(pairTokens.size());
        CHECK(f.text->tokenStrip()->highlightedRanges() ==
              std::vector<std::pair<int, int>>{{0, 19}, {n - 4, n - 1}});
        CHECK(bar->positionText().contains(QStringLiteral("longer cut first")));
        f.andWait([&] { f.text->setSentencePair(QString()); });
        CHECK_FALSE(bar->isPair());
        CHECK(bar->mode() == LongTextWidget::Mode::Windows);
        CHECK(f.text->windowed());
    }
}

TEST_CASE("A long text's token labels cover every chip, and an entity in another window brings its window", "[ui][windows][task]") {
    TinyBertSpec spec;
    spec.task = "tokens";
    spec.labels = {"O", "B-PER", "I-PER", "B-LOC", "I-LOC"};
    spec.seed = 11;
    TinyBertWindow f(QSize(1300, 800), QStringLiteral("the cat"), spec);
    f.andWait([&] { f.text->longText()->setWindowAndStride(16, 6); });
    f.andWait([&] { f.text->setSentence(longText(50)); });
    const auto windowed = f.text->windowed();
    REQUIRE(windowed);
    auto* strip = f.text->tokenStrip();
    REQUIRE(strip->chipCount() == static_cast<int>(windowed->merged.tokens.size()));
    REQUIRE(strip->hasTags());
    for (int i = 1; i + 1 < strip->chipCount(); ++i)
        CHECK(strip->chip(i)->text().endsWith(
            QStringLiteral("\n") + QString::fromStdString(windowed->merged.tokenLabels[static_cast<std::size_t>(i)].best.label)));
    const std::vector<EntitySpan> entities = f.text->entityList()->entities();  // a copy: the list is rebuilt
    const auto last = std::find_if(entities.rbegin(), entities.rend(), [&](const EntitySpan& e) {
        return windowIndexOf(*windowed, 0, e.firstToken) < 0;  // not in the first window
    });
    REQUIRE(last != entities.rend());  // this seed labels tokens past the first window
    const int index = static_cast<int>(entities.rend() - last) - 1;
    f.andWait([&] { f.text->entityList()->entityButton(index)->click(); });
    const int w = f.text->longText()->currentWindow();
    REQUIRE(w > 0);
    const auto highlight = f.text->attentionPanel()->highlightedTokens();
    CHECK(highlight.first == windowIndexOf(*windowed, w, last->firstToken));
    CHECK(highlight.second == windowIndexOf(*windowed, w, last->lastToken));
    CHECK(f.text->entityList()->selectedEntity() == index);
}

TEST_CASE("The token strip holds 2,000 tokens without clipping and scrolls to the window shown", "[ui][windows]") {
    TinyBertWindow f(QSize(1300, 800), QStringLiteral("the cat"));
    const QString text = longText(2000, {1990});
    f.andWait([&] { f.text->setSentence(text); });
    auto* strip = f.text->tokenStrip();
    const int tokens = static_cast<int>(f.text->session().model()->tokenizer().encode(text.toStdString()).size());
    REQUIRE(tokens >= 2002);
    REQUIRE(strip->chipCount() == tokens);
    auto* lastChip = strip->chip(tokens - 1);
    CHECK(lastChip->geometry().right() <= strip->width());
    CHECK(lastChip->width() >= lastChip->sizeHint().width());
    auto* bar = f.text->longText();
    f.andWait([&] { bar->setCurrentWindow(1); });
    auto* scroll = f.text->tokenStripArea()->horizontalScrollBar();
    CHECK(scroll->value() == strip->chip(f.text->windowed()->firstToken[1])->x() - 8);
    f.andWait([&] { bar->setCurrentWindow(bar->windowCount() - 1); });
    const int first = f.text->windowed()->firstToken.back();
    CHECK(scroll->value() > 0);
    CHECK(std::abs(scroll->value() - std::min(strip->chip(first)->x() - 8, scroll->maximum())) <= 1);
    CHECK(scroll->value() == scroll->maximum());  // the last window is at the end
}
