#include "cli/train_commands.h"

#include <csignal>
#include <functional>
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

// --intermediate (default 4 x hidden) and --seed, shared by both trainers.
Status readModelShape(const CliOptions& o, int hidden, int& intermediate, unsigned& seed) {
    auto inter = o.intValue("--intermediate", 4 * hidden, 8, 65536);
    auto s = o.intValue("--seed", 1, 0, 1 << 30);
    if (!inter) return inter.errorValue();
    if (!s) return s.errorValue();
    intermediate = *inter;
    seed = static_cast<unsigned>(*s);
    return Status::ok();
}

// Runs a trainer with a terminal progress bar; Ctrl+C stops it cleanly after a checkpoint.
// --stop-after N ends training cleanly after step N (keeping the learning-rate schedule of --steps).
Expected<int> runWithProgress(const char* items, int stopAfter,
                              const std::function<Expected<int>(const TrainCallback&)>& train) {
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    ProgressPrinter printer(items);
    auto steps = train([&](const TrainProgress& p) {
        printer.print(p);
        return g_interrupted == 0 && (stopAfter <= 0 || p.step < stopAfter);
    });
    printer.finish();
    return steps;
}
}  // namespace

int runTrainMlm(const std::vector<std::string>& args) {
    auto o = CliOptions::parse(args,
                               {"--corpus", "--out", "--layers", "--hidden", "--heads", "--intermediate", "--steps",
                                "--seed", "--vocab-size", "--max-tokens", "--batch-tokens", "--lr",
                                "--checkpoint-every", "--dropout", "--stop-after"},
                               {"--resume", "--half"});
    if (!o) return fail(o.error());
    MlmTrainConfig c;
    c.corpusPath = o->value("--corpus").value_or("");
    c.outDir = o->value("--out").value_or("");
    if (c.corpusPath.empty() || c.outDir.empty()) return fail("--corpus FILE and --out DIR are required");
    if (auto st = o->readInts({{"--layers", &c.layers, 1, 48}, {"--hidden", &c.hidden, 8, 4096}, {"--heads", &c.heads, 1, 64},
                               {"--steps", &c.steps, 1, 100000000}, {"--vocab-size", &c.vocabSize, 100, 200000},
                               {"--max-tokens", &c.maxTokens, 8, 512}, {"--batch-tokens", &c.batchTokens, 64, 1 << 20},
                               {"--checkpoint-every", &c.checkpointEvery, 1, 100000000}});
        !st)
        return fail(st.error());
    if (auto st = readModelShape(*o, c.hidden, c.intermediate, c.seed); !st) return fail(st.error());
    c.resume = o->has("--resume");
    c.halfPrecisionOutput = o->has("--half");
    try {
        if (auto lr = o->value("--lr")) c.learningRate = std::stod(*lr);
        if (auto d = o->value("--dropout")) c.dropout = std::stod(*d);
    } catch (const std::exception&) {
        return fail("--lr and --dropout take numbers");
    }
    int stopAfter = 0;
    if (auto st = o->readInts({{"--stop-after", &stopAfter, 0, 100000000}}); !st) return fail(st.error());
    auto steps = runWithProgress("tokens", stopAfter, [&](const TrainCallback& cb) { return trainMaskedLm(c, cb); });
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
                                "--steps", "--batch", "--seed", "--lr", "--checkpoint-every", "--stop-after"},
                               {"--resume"});
    if (!o) return fail(o.error());
    VitTrainConfig c;
    c.outDir = o->value("--out").value_or("");
    if (c.outDir.empty()) return fail("--out DIR is required");
    if (auto st = o->readInts({{"--image-size", &c.imageSize, 8, 1024}, {"--patch-size", &c.patchSize, 2, 256},
                               {"--layers", &c.layers, 1, 48}, {"--hidden", &c.hidden, 8, 4096}, {"--heads", &c.heads, 1, 64},
                               {"--steps", &c.steps, 1, 100000000}, {"--batch", &c.batchSize, 1, 4096},
                               {"--checkpoint-every", &c.checkpointEvery, 1, 100000000}});
        !st)
        return fail(st.error());
    if (auto st = readModelShape(*o, c.hidden, c.intermediate, c.seed); !st) return fail(st.error());
    c.resume = o->has("--resume");
    try {
        if (auto lr = o->value("--lr")) c.learningRate = std::stod(*lr);
    } catch (const std::exception&) {
        return fail("--lr takes a number");
    }
    int stopAfter = 0;
    if (auto st = o->readInts({{"--stop-after", &stopAfter, 0, 100000000}}); !st) return fail(st.error());
    auto steps = runWithProgress("images", stopAfter, [&](const TrainCallback& cb) { return trainVitShapes(c, cb); });
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
