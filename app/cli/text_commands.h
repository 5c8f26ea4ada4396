#pragma once
// The text-model subcommands of attention-scope-cli. Each returns the process exit code.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cli/cli_options.h"
#include "inference/text_model.h"
#include "inference/text_windows.h"

namespace ascope::cli {

// --model DIR (the built-in demo model without it) and --text T, shared by the text commands.
// `builtin` names the built-in model used without --model.
Expected<std::unique_ptr<TextModel>> openTextModel(const CliOptions& options, const std::string& builtin = "demo-bert");
Expected<std::string> requireText(const CliOptions& options);
// What the text commands that run the model share: --text, the attention controls (into
// options), and the model; with needsMlmHead, one that has a masked-LM head.
struct TextRun {
    std::string text;
    std::string pair;  // --text-pair: sentence B ("" for one sentence)
    std::unique_ptr<TextModel> model;
    TextRunOptions options;
    int window = 0;    // --window N: run in windows of N tokens (0: in one piece)
    int stride = 0;    // --stride S: the overlap between windows, in tokens
    std::shared_ptr<WindowedAnalysis> windowed;  // filled by analyseRun when windowed
};
// --window and --stride, for the commands that take them.
std::set<std::string> withWindows(std::set<std::string> flags);
// Runs the model on the text (and pair); with --window, in windows (run.windowed keeps them) and
// the result is the merged analysis (inference/text_windows.h).
Expected<TextAnalysis> analyseRun(TextRun& run);
Expected<TextRun> readTextRun(const CliOptions& options, bool needsMlmHead, const std::string& builtin = "demo-bert");

int runPredict(const std::vector<std::string>& args);
int runTokenize(const std::vector<std::string>& args);
int runAttention(const std::vector<std::string>& args);
int runConvert(const std::vector<std::string>& args);
int runHeadStats(const std::vector<std::string>& args);
// head-importance and layers (cli/probe_commands.cpp).
int runHeadImportance(const std::vector<std::string>& args);
int runLayers(const std::vector<std::string>& args);
// classify-text and tag (cli/task_commands.cpp).
int runClassifyText(const std::vector<std::string>& args);
int runTag(const std::vector<std::string>& args);

// Prints "attention-scope-cli: <message>" on stderr (one line) and returns 1.
int fail(const std::string& message);

}  // namespace ascope::cli
