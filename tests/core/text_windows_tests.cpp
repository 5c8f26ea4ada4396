// Long texts in overlapping windows (inference/text_windows.h) on tiny generated checkpoints.
#include <catch2/catch.hpp>
#include <cstring>

#include "export/attention_exporter.h"
#include "inference/text_model.h"
#include "inference/text_windows.h"
#include "reference_bert.h"
#include "tiny_bert_fixture.h"
#include "tokenizer/bpe_tokenizer.h"
#include "temp_dir.h"

using namespace ascope;
using namespace ascope::test;

namespace {
// 40 words: longer than the tiny models' 24 positions.
std::string longText(const std::string& masked) {
    std::string s;
    for (int i = 0; i < 10; ++i) s += i == 7 ? masked + " " : "the cat sat on ";
    return s + "the mat .";
}
}  // namespace

TEST_CASE("Windows overlap by the stride and the last one ends with the text", "[core][windows]") {
    CHECK(*windowStarts(10, 4, 1) == std::vector<int>{0, 3, 6});
    CHECK(*windowStarts(10, 4, 0) == std::vector<int>{0, 4, 6});
    CHECK(*windowStarts(3, 4, 2) == std::vector<int>{0});
    CHECK(*windowStarts(510 + 254 * 3, 510, 256) == std::vector<int>{0, 254, 508, 762});
    CHECK_FALSE(windowStarts(10, 4, 4).hasValue());
    CHECK_FALSE(windowStarts(10, 4, -1).hasValue());
    CHECK_FALSE(windowStarts(10, 0, 0).hasValue());
}

TEST_CASE("A long text runs in windows, each [MASK] predicted by the window where it sits most centrally",
          "[core][windows]") {
    TempDir dir;
    const TinyBert tiny = writeTinyBert(dir.path().string());
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    const std::string text = longText("the [MASK] sat [MASK]");
    REQUIRE_FALSE((*model)->analyse(text).hasValue());  // too long in one piece
    TextRunOptions options;
    options.topK = 3;
    auto run = analyseInWindows(**model, text, 16, 6, options);
    REQUIRE(run.hasValue());
    const auto& merged = run->merged;
    const auto whole = (*model)->tokenizer().encode(text);
    REQUIRE(merged.tokens.size() == whole.size());
    for (std::size_t i = 0; i < whole.size(); ++i) REQUIRE(merged.tokens[i].id == whole[i].id);
    const int textTokens = static_cast<int>(whole.size()) - 2;
    const auto starts = *windowStarts(textTokens, 14, 6);
    REQUIRE(run->windows.size() == starts.size());
    REQUIRE(merged.predictions.size() == 2);
    for (std::size_t w = 0; w < run->windows.size(); ++w) {
        const auto& window = run->windows[w];
        REQUIRE(window.tokens.size() == 16);  // every window full, the last one included
        REQUIRE(run->firstToken[w] == starts[w] + 1);
        // Each window is the model on [CLS] + its slice + [SEP], as the plain reference computes it.
        std::vector<int> ids = {whole.front().id};
        for (int k = 0; k < 14; ++k) ids.push_back(whole[static_cast<std::size_t>(starts[w] + 1 + k)].id);
        ids.push_back(whole.back().id);
        for (std::size_t k = 0; k < ids.size(); ++k) REQUIRE(window.tokens[k].id == ids[k]);
        const auto ref = referenceBert(tiny, ids, {});
        for (int l = 0; l < 2; ++l)
            for (int h = 0; h < 4; ++h)
                for (int i = 0; i < 16; ++i)
                    for (int j = 0; j < 16; ++j) REQUIRE(window.attention.at(l, h, i, j) == Approx(ref.attention[l][h][i][j]).margin(1e-4));
    }
    for (std::size_t m = 0; m < merged.predictions.size(); ++m) {
        const int position = merged.predictions[m].position;
        REQUIRE(merged.tokens[static_cast<std::size_t>(position)].text == "[MASK]");
        // The most central window, found here independently.
        int best = -1, bestMargin = -1;
        for (std::size_t w = 0; w < starts.size(); ++w) {
            const int first = starts[w] + 1, last = starts[w] + 14;
            if (position < first || position > last) continue;
            const int margin = std::min(position - first, last - position);
            if (margin > bestMargin) {
                bestMargin = margin;
                best = static_cast<int>(w);
            }
        }
        REQUIRE(run->predictionWindow[m] == best);
        const auto& inWindow = run->windows[static_cast<std::size_t>(best)].predictions;
        const auto local = position - starts[static_cast<std::size_t>(best)];
        const auto it = std::find_if(inWindow.begin(), inWindow.end(), [&](const MaskPrediction& p) { return p.position == local; });
        REQUIRE(it != inWindow.end());
        REQUIRE(merged.predictions[m].top.front().id == it->top.front().id);
        REQUIRE(merged.predictions[m].top.front().probability == it->top.front().probability);
    }
}

TEST_CASE("Windowed token labels come from each token's most central window, and sentence labels are the windows' mean",
          "[core][windows][task]") {
    TempDir dir;
    TinyBertSpec tags;
    tags.task = "tokens";
    tags.labels = {"O", "B-PER", "I-PER"};
    const TinyBert tagger = writeTinyBert(dir.file("t"), tags);
    auto model = TextModel::load(tagger.dir);
    REQUIRE(model.hasValue());
    const std::string text = longText("a dog ran");
    auto run = analyseInWindows(**model, text, 12, 4, {});
    REQUIRE(run.hasValue());
    REQUIRE(run->merged.tokenLabels.size() == run->merged.tokens.size());
    REQUIRE(run->windows.size() > 2);
    // The token right after the first window's centre comes from the first window.
    const int i = run->firstToken[0] + 3;
    const auto& fromFirst = run->windows[0].tokenLabels[static_cast<std::size_t>(i - run->firstToken[0] + 1)];
    CHECK(run->merged.tokenLabels[static_cast<std::size_t>(i)].best.score == fromFirst.best.score);

    TinyBertSpec sentences;
    sentences.task = "sequence";
    const TinyBert classifier = writeTinyBert(dir.file("s"), sentences);
    auto model2 = TextModel::load(classifier.dir);
    REQUIRE(model2.hasValue());
    auto run2 = analyseInWindows(**model2, text, 12, 4, {});
    REQUIRE(run2.hasValue());
    REQUIRE(run2->merged.labels.size() == 2);
    for (const auto& l : run2->merged.labels) {
        double sum = 0;
        for (const auto& w : run2->windows)
            for (const auto& wl : w.labels)
                if (wl.id == l.id) sum += wl.score;
        CHECK(l.score == Approx(sum / static_cast<double>(run2->windows.size())));
    }
}

TEST_CASE("A windowed export has a leading window axis in NPY and whole-text indices in CSV", "[core][windows][export]") {
    TempDir dir;
    const TinyBert tiny = writeTinyBert(dir.path().string());
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    auto run = analyseInWindows(**model, longText("a big dog"), 10, 3, {});
    REQUIRE(run.hasValue());
    std::vector<AttentionWindow> windows;
    for (std::size_t w = 0; w < run->windows.size(); ++w) {
        AttentionWindow one{&run->windows[w].attention, {}, run->firstToken[w]};
        for (const auto& t : run->windows[w].tokens) one.labels.push_back(t.text);
        windows.push_back(std::move(one));
    }
    auto npy = exportWindowedAttention(windows, 10, 3, {}, ExportFormat::Npy);
    REQUIRE(npy.hasValue());
    const std::string shape = "(" + std::to_string(windows.size()) + ", 2, 4, 10, 10)";
    CHECK(npy->find(shape) != std::string::npos);
    // The last window's last value sits at the end of the data.
    float last = 0;
    std::memcpy(&last, npy->data() + npy->size() - 4, 4);
    CHECK(last == run->windows.back().attention.at(1, 3, 9, 9));
    auto csv = exportWindowedAttention(windows, 10, 3, {1, 2}, ExportFormat::Csv);
    REQUIRE(csv.hasValue());
    // Window 1, layer 1, head 2: its query 1 is the whole text's token firstToken; key 0 its [CLS].
    const std::string row = "1,1,2," + std::to_string(windows[1].firstToken) + "," + windows[1].labels[1] + ",0,[CLS],";
    CHECK(csv->find("\n" + row) != std::string::npos);
    CHECK(std::count(csv->begin(), csv->end(), '\n') == 1 + static_cast<long>(windows.size()) * 100);
    auto json = exportWindowedAttention(windows, 10, 3, {0, -1}, ExportFormat::Json);
    REQUIRE(json.hasValue());
    CHECK(json->find("\"first_token\"") != std::string::npos);
}

TEST_CASE("Windows refuse what would not line up: token-naming masks and windows longer than the model", "[core][windows][errors]") {
    TempDir dir;
    const TinyBert tiny = writeTinyBert(dir.path().string());
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    TextRunOptions blocked;
    blocked.attentionMask.mode = AttentionMaskSpec::Mode::Block;
    blocked.attentionMask.blockedKeys = {2};
    auto r = analyseInWindows(**model, longText("a"), 12, 4, blocked);
    REQUIRE_FALSE(r.hasValue());
    CHECK_THAT(r.error(), Catch::Contains("cannot be used with windows"));
    r = analyseInWindows(**model, longText("a"), 25, 4, {});
    REQUIRE_FALSE(r.hasValue());
    CHECK_THAT(r.error(), Catch::Contains("longer than this model takes (24)"));
    TextRunOptions causal;
    causal.attentionMask.mode = AttentionMaskSpec::Mode::Causal;
    CHECK(analyseInWindows(**model, longText("a"), 0, 4, causal).hasValue());  // 0: the model's maximum
}

TEST_CASE("Edited tokens run in windows as typed: a chip masked in the strip is predicted like a typed [MASK]",
          "[core][windows]") {
    TempDir dir;
    const TinyBert tiny = writeTinyBert(dir.path().string());
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    const auto& tok = (*model)->tokenizer();
    const std::string plain = longText("the dog sat on"), typed = longText("the [MASK] sat on");
    auto edited = tok.encode(plain);
    const auto reference = tok.encode(typed);
    REQUIRE(edited.size() == reference.size());
    int changed = -1;
    for (std::size_t i = 0; i < edited.size(); ++i)
        if (edited[i].id != reference[i].id) changed = static_cast<int>(i);
    REQUIRE(changed > 0);
    tok.mask(edited[static_cast<std::size_t>(changed)]);
    TextRunOptions options;
    std::vector<std::pair<int, int>> progress;
    options.onLayer = [&](int done, int total) {
        progress.emplace_back(done, total);
        return true;
    };
    auto fromChips = analyseTokensInWindows(**model, plain, edited, 16, 6, options);
    options.onLayer = {};
    auto fromText = analyseInWindows(**model, typed, 16, 6, options);
    REQUIRE(fromChips.hasValue());
    REQUIRE(fromText.hasValue());
    REQUIRE(fromChips->merged.text == plain);
    REQUIRE(fromChips->merged.predictions.size() == 1);
    REQUIRE(fromChips->merged.predictions[0].position == changed);
    REQUIRE(fromChips->predictionWindow == fromText->predictionWindow);
    for (std::size_t k = 0; k < fromText->merged.predictions[0].top.size(); ++k)
        REQUIRE(fromChips->merged.predictions[0].top[k].probability ==
                Approx(fromText->merged.predictions[0].top[k].probability).margin(1e-6));
    // Progress counts the layers of every window in a row, up to windows x layers.
    const int total = static_cast<int>(fromChips->windows.size()) * 2;
    REQUIRE(fromChips->windows.size() > 1);
    REQUIRE(progress.size() == static_cast<std::size_t>(total));
    for (std::size_t k = 0; k < progress.size(); ++k) REQUIRE(progress[k] == std::make_pair(static_cast<int>(k), total));
}

TEST_CASE("A windowed run stops when its progress callback says so", "[core][windows]") {
    TempDir dir;
    const TinyBert tiny = writeTinyBert(dir.path().string());
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    TextRunOptions options;
    int calls = 0;
    options.onLayer = [&](int, int) { return ++calls < 3; };
    const auto run = analyseInWindows(**model, longText("a"), 16, 6, options);
    REQUIRE_FALSE(run.hasValue());
    REQUIRE(calls == 3);  // the second window was cut short, the rest never started
}

TEST_CASE("Truncation keeps the first tokens and the end token", "[core][windows]") {
    std::vector<Token> tokens;
    for (int i = 0; i < 10; ++i) tokens.push_back({"t" + std::to_string(i), i});
    const auto cut = truncatedTokens(tokens, 4);
    REQUIRE(cut.size() == 4);
    CHECK(cut[0].id == 0);
    CHECK(cut[2].id == 2);
    CHECK(cut[3].id == 9);
    CHECK(truncatedTokens(tokens, 10).size() == 10);
    CHECK(truncatedTokens(tokens, 40).size() == 10);
}

TEST_CASE("A sentence pair is truncated longest first, keeping the tokens the template added", "[core][windows][pair]") {
    // [CLS] a0..a5 [SEP] b0..b2 [SEP]: the template's tokens are special and have no span.
    auto pairOf = [](int a, int b) {
        std::vector<Token> tokens{{"[CLS]", 100, 0, 0, true, 0}};
        for (int i = 0; i < a; ++i) tokens.push_back({"a" + std::to_string(i), i, std::size_t(i), std::size_t(i) + 1, false, 0});
        tokens.push_back({"[SEP]", 101, std::size_t(a), std::size_t(a), true, 0});
        for (int i = 0; i < b; ++i) tokens.push_back({"b" + std::to_string(i), 50 + i, std::size_t(a + i), std::size_t(a + i) + 1, false, 1});
        tokens.push_back({"[SEP]", 101, std::size_t(a + b), std::size_t(a + b), true, 1});
        return tokens;
    };
    auto shape = [](const std::vector<Token>& tokens) {
        std::string out;
        for (const auto& t : tokens) out += (out.empty() ? "" : " ") + t.text;
        return out;
    };
    // 5 tokens left for the sentences: both are longer than half of that, so A keeps 2 and B 3
    // (the odd one); the tokenizers library and the slow tokenizers' one-at-a-time cut agree.
    CHECK(shape(truncatedTokens(pairOf(6, 6), 8)) == "[CLS] a0 a1 [SEP] b0 b1 b2 [SEP]");
    // B fits in half: only A is cut. A fits in half: only B is cut.
    CHECK(shape(truncatedTokens(pairOf(10, 2), 8)) == "[CLS] a0 a1 a2 [SEP] b0 b1 [SEP]");
    CHECK(shape(truncatedTokens(pairOf(2, 10), 8)) == "[CLS] a0 a1 [SEP] b0 b1 b2 [SEP]");
    // The longer by far is cut to what the shorter leaves.
    CHECK(shape(truncatedTokens(pairOf(1, 30), 9)) == "[CLS] a0 [SEP] b0 b1 b2 b3 b4 [SEP]");
    CHECK(truncationKept(pairOf(3, 3), 9).size() == 9);  // fits: everything
    // A typed [MASK] has a span: it is a sentence's token, cut like the others.
    auto typed = pairOf(4, 1);
    typed[4] = {"[MASK]", 103, 3, 9, true, 0};
    CHECK(shape(truncatedTokens(typed, 6)) == "[CLS] a0 a1 [SEP] b0 [SEP]");

    // RoBERTa's template: <s> A </s></s> B </s>, four tokens added.
    auto roberta = BpeTokenizer::fromJsonText(tinyRobertaTokenizerJson(), "tokenizer.json");
    REQUIRE(roberta.hasValue());
    const auto tokens = roberta->encodePair("the cat sat on the mat", "a dog ran");
    REQUIRE(tokens.size() == 13);
    const std::string g = "\xC4\xA0";  // the byte-level space, Ġ
    CHECK(shape(truncatedTokens(tokens, 9)) == "<s> the " + g + "cat " + g + "sat </s> </s> a " + g + "dog </s>");
}

TEST_CASE("The most central window of a token or an entity is the one with most room to its nearer edge", "[core][windows]") {
    // Windows of 8 text tokens starting at whole-text tokens 1, 4 and 10 of [CLS] t1..t17 [SEP].
    WindowedAnalysis run;
    run.merged.tokens.resize(19);
    for (int first : {1, 4, 10}) {
        run.firstToken.push_back(first);
        run.windows.emplace_back();
        run.windows.back().tokens.resize(10);
    }
    CHECK(mostCentralWindow(run, 2, 2) == 0);
    CHECK(mostCentralWindow(run, 6, 6) == 0);   // 2 tokens to either nearer edge in both: the earlier
    CHECK(mostCentralWindow(run, 7, 7) == 1);   // 1 in the first, 3 in the second
    CHECK(mostCentralWindow(run, 10, 11) == 1); // at an edge of both the second and the third: the earlier
    CHECK(mostCentralWindow(run, 15, 17) == 2);
    CHECK(mostCentralWindow(run, 3, 12) == -1); // no window holds them all
    CHECK(mostCentralWindow(run, 11, 10) == -1);
}

TEST_CASE("Window and whole-text token indices map onto each other", "[core][windows]") {
    TempDir dir;
    const TinyBert tiny = writeTinyBert(dir.path().string());
    auto model = TextModel::load(tiny.dir);
    REQUIRE(model.hasValue());
    auto run = analyseInWindows(**model, longText("a"), 12, 4, {});
    REQUIRE(run.hasValue());
    const int n = static_cast<int>(run->merged.tokens.size());
    for (int w = 0; w < static_cast<int>(run->windows.size()); ++w) {
        const auto& window = run->windows[static_cast<std::size_t>(w)];
        int held = 0;
        for (int i = 0; i < n; ++i) {
            const int local = windowIndexOf(*run, w, i);
            if (local < 0) continue;
            ++held;
            // The same token, found by its position: ids and spans agree.
            REQUIRE(window.tokens[static_cast<std::size_t>(local)].id == run->merged.tokens[static_cast<std::size_t>(i)].id);
            REQUIRE(window.tokens[static_cast<std::size_t>(local)].byteBegin == run->merged.tokens[static_cast<std::size_t>(i)].byteBegin);
            REQUIRE(wholeTextIndexOf(*run, w, local) == i);
        }
        REQUIRE(held == static_cast<int>(window.tokens.size()));
        CHECK(wholeTextIndexOf(*run, w, static_cast<int>(window.tokens.size())) == -1);
        CHECK(wholeTextIndexOf(*run, w, -1) == -1);
    }
    CHECK(windowIndexOf(*run, static_cast<int>(run->windows.size()), 0) == -1);
    CHECK(windowIndexOf(*run, 0, n - 2) == -1);  // the last text token is not in the first window
}
