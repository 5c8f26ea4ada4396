#include "cli/train_commands.h"

#include <csignal>
#include <cstdio>

#include "cli/cli_options.h"
#include "cli/progress_printer.h"
#include "cli/text_commands.h"
#include "training/mlm_trainer.h"
#include "training/vit_trainer.h"

namespace ascope::cli {

namespace {
volatile std::sig_atomic_t g_interrupted = 0;
void onSignal(int) { g_interrupted = 1; }
}  // namespace

int runTrainMlm(const std::vector<std::string>& args) {
    auto o = CliOptions::parse(args,
                               {"--corpus", "--out", "--layers", "--hidden", "--heads", "--intermediate", "--steps",
                                "--seed", "--vocab-size", "--max-tokens", "--batch-tokens", "--lr",
                                "--checkpoint-every", "--dropout"},
                               {"--resume", "--half"});
    if (!o) return fail(o.error());
    MlmTrainConfig c;
    c.corpusPath = o->value("--corpus").value_or("");
    c.outDir = o->value("--out").value_or("");
    if (c.corpusPath.empty() || c.outDir.empty()) return fail("--corpus FILE and --out DIR are required");
    struct IntFlag {
        const char* name;
        int* target;
        int lo, hi;
    };
    const IntFlag ints[] = {{"--layers", &c.layers, 1, 48},          {"--hidden", &c.hidden, 8, 4096},
                            {"--heads", &c.heads, 1, 64},            {"--steps", &c.steps, 1, 100000000},
                            {"--vocab-size", &c.vocabSize, 100, 200000}, {"--max-tokens", &c.maxTokens, 8, 512},
                            {"--batch-tokens", &c.batchTokens, 64, 1 << 20}, {"--checkpoint-every", &c.checkpointEvery, 1, 100000000}};
    c.intermediate = -1;
    for (const auto& f : ints) {
        auto v = o->intValue(f.name, *f.target, f.lo, f.hi);
        if (!v) return fail(v.error());
        *f.target = *v;
    }
    auto inter = o->intValue("--intermediate", 4 * c.hidden, 8, 65536);
    auto seed = o->intValue("--seed", 1, 0, 1 << 30);
    if (!inter) return fail(inter.error());
    if (!seed) return fail(seed.error());
    c.intermediate = *inter;
    c.seed = static_cast<unsigned>(*seed);
    c.resume = o->has("--resume");
    c.halfPrecisionOutput = o->has("--half");
    try {
        if (auto lr = o->value("--lr")) c.learningRate = std::stod(*lr);
        if (auto d = o->value("--dropout")) c.dropout = std::stod(*d);
    } catch (const std::exception&) {
        return fail("--lr and --dropout take numbers");
    }
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    ProgressPrinter printer("tokens");
    auto steps = trainMaskedLm(c, [&](const TrainProgress& p) {
        printer.print(p);
        return g_interrupted == 0;
    });
    printer.finish();
    if (!steps) return fail(steps.error());
    std::fprintf(stderr, "%s after %d steps; model written to %s\n", g_interrupted ? "stopped" : "finished", *steps,
                 c.outDir.c_str());
    return g_interrupted ? 130 : 0;
}

int runEvalMlm(const std::vector<std::string>& args) {
    auto o = CliOptions::parse(args, {"--model", "--corpus", "--lines", "--seed"}, {});
    if (!o) return fail(o.error());
    const auto model = o->value("--model"), corpus = o->value("--corpus");
    if (!model || !corpus) return fail("--model DIR and --corpus FILE are required");
    auto lines = o->intValue("--lines", 2000, 1, 10000000);
    auto seed = o->intValue("--seed", 1234, 0, 1 << 30);
    if (!lines) return fail(lines.error());
    if (!seed) return fail(seed.error());
    auto e = evaluateMaskedLm(*model, *corpus, MlmTrainConfig{}.heldOutFraction, *lines, static_cast<unsigned>(*seed));
    if (!e) return fail(e.error());
    std::printf("held-out masked tokens: %d\ntop-1 accuracy: %.1f%%\ntop-5 accuracy: %.1f%%\n", e->maskedTokens,
                100 * e->top1, 100 * e->top5);
    return 0;
}

int runTrainVitShapes(const std::vector<std::string>& args) {
    auto o = CliOptions::parse(args,
                               {"--out", "--image-size", "--patch-size", "--layers", "--hidden", "--heads", "--intermediate",
                                "--steps", "--batch", "--seed", "--lr", "--checkpoint-every"},
                               {"--resume"});
    if (!o) return fail(o.error());
    VitTrainConfig c;
    c.outDir = o->value("--out").value_or("");
    if (c.outDir.empty()) return fail("--out DIR is required");
    struct IntFlag {
        const char* name;
        int* target;
        int lo, hi;
    };
    const IntFlag ints[] = {{"--image-size", &c.imageSize, 8, 1024}, {"--patch-size", &c.patchSize, 2, 256},
                            {"--layers", &c.layers, 1, 48},          {"--hidden", &c.hidden, 8, 4096},
                            {"--heads", &c.heads, 1, 64},            {"--steps", &c.steps, 1, 100000000},
                            {"--batch", &c.batchSize, 1, 4096},      {"--checkpoint-every", &c.checkpointEvery, 1, 100000000}};
    for (const auto& f : ints) {
        auto v = o->intValue(f.name, *f.target, f.lo, f.hi);
        if (!v) return fail(v.error());
        *f.target = *v;
    }
    auto inter = o->intValue("--intermediate", 4 * c.hidden, 8, 65536);
    auto seed = o->intValue("--seed", 1, 0, 1 << 30);
    if (!inter) return fail(inter.error());
    if (!seed) return fail(seed.error());
    c.intermediate = *inter;
    c.seed = static_cast<unsigned>(*seed);
    c.resume = o->has("--resume");
    try {
        if (auto lr = o->value("--lr")) c.learningRate = std::stod(*lr);
    } catch (const std::exception&) {
        return fail("--lr takes a number");
    }
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    ProgressPrinter printer("images");
    auto steps = trainVitShapes(c, [&](const TrainProgress& p) {
        printer.print(p);
        return g_interrupted == 0;
    });
    printer.finish();
    if (!steps) return fail(steps.error());
    auto acc = evaluateVitShapes(c.outDir, 600, c.seed);
    if (!acc) return fail(acc.error());
    std::fprintf(stderr, "%s after %d steps; held-out accuracy %.1f%% on 600 fresh images; model written to %s\n",
                 g_interrupted ? "stopped" : "finished", *steps, 100 * *acc, c.outDir.c_str());
    return g_interrupted ? 130 : 0;
}

int runEvalVitShapes(const std::vector<std::string>& args) {
    auto o = CliOptions::parse(args, {"--model", "--count", "--seed"}, {});
    if (!o) return fail(o.error());
    const auto model = o->value("--model");
    if (!model) return fail("--model DIR is required");
    auto count = o->intValue("--count", 1000, 1, 1000000);
    auto seed = o->intValue("--seed", 1, 0, 1 << 30);
    if (!count) return fail(count.error());
    if (!seed) return fail(seed.error());
    auto acc = evaluateVitShapes(*model, *count, static_cast<unsigned>(*seed));
    if (!acc) return fail(acc.error());
    std::printf("held-out shapes: %d\naccuracy: %.1f%%\n", *count, 100 * *acc);
    return 0;
}

}  // namespace ascope::cli
