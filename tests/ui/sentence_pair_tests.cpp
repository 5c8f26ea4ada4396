// Sentence pairs in text mode: a second box for sentence B, token types, the boundary in the heatmap.
#include <QTest>
#include <catch2/catch.hpp>

#include "panels/attention_panel.h"
#include "tiny_bert_window.h"
#include "widgets/heatmap_plot_widget.h"
#include "widgets/token_strip_widget.h"
#include "window/session_controller.h"

using namespace ascope;
using namespace ascope::test;

TEST_CASE("A second sentence makes a pair whose boundary the heatmap marks, kept in the session", "[ui][pair]") {
    TinyBertWindow f(QSize(1300, 800), QStringLiteral("the cat sat on the [MASK] ."));
    f.andWait([&] { f.text->setSentencePair(QStringLiteral("a dog ran")); });
    const auto a = f.text->analysis();
    REQUIRE(a->tokens.size() == 13);  // [CLS] 7 [SEP] 3 [SEP]
    CHECK(a->text == "the cat sat on the [MASK] .\na dog ran");
    for (std::size_t i = 0; i < a->tokens.size(); ++i) CHECK(a->tokens[i].segment == (i >= 9 ? 1 : 0));
    CHECK(f.text->tokenStrip()->chipCount() == 13);
    auto* heatmap = f.text->attentionPanel()->heatmap();
    CHECK(heatmap->segmentBoundary() == 9);
    // The model read the pair: the same ids as one segment give other numbers.
    auto model = f.text->session().model();
    std::vector<Token> single = a->tokens;
    for (auto& t : single) t.segment = 0;
    auto flat = model->analyseTokens(a->text, single);
    REQUIRE(flat.hasValue());
    CHECK(flat->attention.at(0, 0, 1, 1) != Approx(a->attention.at(0, 0, 1, 1)).margin(1e-6));
    // Hiding [CLS]/[SEP] moves the line to B's first word.
    f.text->attentionPanel()->setHideSpecialTokens(true);
    CHECK(heatmap->segmentBoundary() == 7);
    f.text->attentionPanel()->setHideSpecialTokens(false);

    // Saved and reopened, the pair comes back.
    const auto path = QString::fromStdString(f.dir.file("pair.ascope"));
    REQUIRE(f.w.sessions()->save(path).isEmpty());
    f.andWait([&] { f.text->setSentencePair(QString()); });
    CHECK(f.text->analysis()->tokens.size() == 9);
    CHECK(heatmap->segmentBoundary() == -1);
    f.w.openSession(path);
    REQUIRE(QTest::qWaitFor([&] { return f.text->analysis()->tokens.size() == 13 && !f.text->session().isBusy(); }, 20000));
    CHECK(f.text->sentencePair() == QStringLiteral("a dog ran"));
}
