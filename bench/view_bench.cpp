// attention-scope-view-bench [repeats] [tokens]: how long the views take to redraw for a
// BERT-base-shaped analysis (12 layers x 12 heads, random attention rows), on Qt's offscreen
// platform unless QT_QPA_PLATFORM says otherwise. Prints figures, asserts nothing.
#include <QApplication>
#include <QElapsedTimer>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "analysis/head_statistics.h"
#include "widgets/head_grid_widget.h"
#include "widgets/heatmap_plot_widget.h"

namespace {
ascope::AttentionStack randomAttention(int layers, int heads, int tokens) {
    ascope::AttentionStack a;
    a.layers = layers;
    a.heads = heads;
    a.queries = a.keys = tokens;
    a.values.resize(static_cast<std::size_t>(layers) * heads * tokens * tokens);
    std::mt19937 prng(3);
    std::exponential_distribution<float> weight(1.f);
    for (std::size_t row = 0; row < a.values.size(); row += static_cast<std::size_t>(tokens)) {
        float sum = 0;
        for (int k = 0; k < tokens; ++k) sum += (a.values[row + static_cast<std::size_t>(k)] = weight(prng));
        for (int k = 0; k < tokens; ++k) a.values[row + static_cast<std::size_t>(k)] /= sum;
    }
    return a;
}

template <class Work>
void report(const char* label, int repeats, Work work) {
    double best = 1e300, total = 0;
    for (int r = 0; r < repeats; ++r) {
        QElapsedTimer clock;
        clock.start();
        work();
        const double ms = static_cast<double>(clock.nsecsElapsed()) / 1e6;
        best = std::min(best, ms);
        total += ms;
    }
    std::printf("%-58s best %8.2f ms, mean %8.2f ms\n", label, best, total / repeats);
}
}  // namespace

int main(int argc, char** argv) {
    if (!std::getenv("QT_QPA_PLATFORM")) setenv("QT_QPA_PLATFORM", "offscreen", 1);
    QApplication app(argc, argv);
    const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 10;
    const int tokens = argc > 2 ? std::max(2, std::atoi(argv[2])) : 128;
    const auto attention = randomAttention(12, 12, tokens);
    std::printf("Views of a BERT-base-shaped analysis: 12 layers x 12 heads, %d tokens\n", tokens);

    ascope::ui::HeadGridWidget grid;
    grid.resize(1200, 800);
    std::vector<float> headMask(144, 1.f);
    headMask[5] = 0.f;
    report("model view: new attention (144 heatmaps) and a repaint", repeats, [&] {
        grid.setAttention(attention);
        grid.setHeadMask(headMask);
        (void)grid.grab();
    });
    report("model view: repaint only (hover, a head switched off)", repeats, [&] { (void)grid.grab(); });

    ascope::ui::HeatmapPlotWidget heatmap;
    heatmap.resize(900, 700);
    QStringList labels;
    for (int i = 0; i < tokens; ++i) labels << QStringLiteral("t%1").arg(i);
    std::vector<float> one(attention.matrix(3, 5), attention.matrix(3, 5) + static_cast<std::size_t>(tokens) * tokens);
    report("heatmap: one head with token labels, replotted", repeats, [&] {
        heatmap.setMatrix(tokens, tokens, one, labels, labels);
        (void)heatmap.grab();
    });
    std::vector<ascope::Token> toks(static_cast<std::size_t>(tokens));
    report("head statistics of every head", repeats, [&] {
        auto stats = ascope::headStatistics(attention, ascope::tokenRolesOf(toks));
        (void)stats;
    });
    return 0;
}
