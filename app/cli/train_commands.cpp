#include "cli/train_commands.h"

#include <csignal>
#include <functional>
#include <cstdio>

#include "cli/cli_options.h"
#include "cli/progress_printer.h"
#include "cli/text_commands.h"
#include "training/fine_tuner.h"
#include "training/mlm_trainer.h"
#include "util/resource_paths.h"
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

int runFineTune(const std::vector<std::string>& args) {
    auto o = CliOptions::parse(args,
                               {"--model", "--data", "--task", "--out", "--epochs", "--lr", "--seed", "--batch", "--max-tokens",
                                "--held-out", "--warmup", "--dropout", "--checkpoint-every", "--stop-after"},
                               {"--resume"});
    if (!o) return fail(o.error());
    FineTuneConfig c;
    c.modelDir = o->value("--model").value_or(builtinModelDir("demo-bert"));
    c.dataPath = o->value("--data").value_or("");
    c.outDir = o->value("--out").value_or("");
    if (c.dataPath.empty() || c.outDir.empty()) return fail("--data FILE and --out DIR are required");
    if (c.modelDir.empty()) return fail("no --model given and the built-in demo model is not installed");
    const std::string task = o->value("--task").value_or("sentence");
    if (task == "sentence") c.task = FineTuneTask::Sentence;
    else if (task == "tokens") c.task = FineTuneTask::Tokens;
    else return fail("--task must be sentence or tokens");
    int seed = 1;
    if (auto st = o->readInts({{"--epochs", &c.epochs, 1, 10000}, {"--batch", &c.batchSize, 1, 4096},
                               {"--max-tokens", &c.maxTokens, 3, 100000}, {"--seed", &seed, 0, 1 << 30},
                               {"--checkpoint-every", &c.checkpointEvery, 1, 100000000}});
        !st)
        return fail(st.error());
    c.seed = static_cast<unsigned>(seed);
    c.resume = o->has("--resume");
    try {
        if (auto v = o->value("--lr")) c.learningRate = std::stod(*v);
        if (auto v = o->value("--held-out")) c.heldOutFraction = std::stod(*v);
        if (auto v = o->value("--warmup")) c.warmupFraction = std::stod(*v);
        if (auto v = o->value("--dropout")) c.dropout = std::stod(*v);
    } catch (const std::exception&) {
        return fail("--lr, --held-out, --warmup and --dropout take numbers");
    }
    if (auto st = validateFineTuneConfig(c); !st) return fail(st.error());
    int stopAfter = 0;
    if (auto st = o->readInts({{"--stop-after", &stopAfter, 0, 100000000}}); !st) return fail(st.error());
    FineTuneReport report;
    auto steps = runWithProgress("examples", stopAfter, [&](const TrainCallback& cb) -> Expected<int> {
        auto r = fineTune(c, cb);
        if (!r) return r.errorValue();
        report = *r;
        return r->steps;
    });
    if (!steps) return fail(steps.error());
    std::fprintf(stderr, "%s after %d of %d steps (%d training examples); model written to %s\n",
                 g_interrupted ? "stopped" : "finished", report.steps, report.totalSteps, report.trainExamples, c.outDir.c_str());
    if (report.heldOutExamples > 0) {
        std::printf("held-out sentences: %d\n%s: %.1f%%\n", report.heldOutExamples,
                    c.task == FineTuneTask::Tokens ? "token accuracy" : "accuracy", 100 * report.heldOutAccuracy);
        std::printf("%-20s %8s %10s %8s\n", "label", "support", "precision", "recall");
        for (const auto& l : report.labels)
            std::printf("%-20s %8d %9.1f%% %7.1f%%\n", l.label.c_str(), l.support, 100 * l.precision, 100 * l.recall);
    }
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
