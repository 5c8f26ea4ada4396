// classify-text and tag: the sequence- and token-classification heads from the command line.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "analysis/entity_groups.h"
#include "cli/text_commands.h"

namespace ascope::cli {

namespace {
// The run of a model whose head is `task`, or why not.
Expected<TextRun> readTaskRun(const CliOptions& o, TextTask task, const char* what) {
    auto run = readTextRun(o, false, task == TextTask::SentenceLabels ? "demo-sentiment" : "demo-bert");
    if (!run) return run.errorValue();
    if (run->model->task() != task)
        return makeError(ErrorKind::Unsupported, run->model->directory() + ": this checkpoint has no " + what +
                         " head (config.json architectures: " +
                         (run->model->config().architectures.empty() ? std::string("none") : run->model->config().architectures.front()) +
                         ")");
    return run;
}
}  // namespace

int runClassifyText(const std::vector<std::string>& args) {
    auto o = CliOptions::parse(args, withWindows(withAttentionControls({"--model", "--text", "--text-pair", "--top-k"})), {"--json"});
    if (!o) return fail(o.error());
    auto topK = o->intValue("--top-k", 5, 1, 100000);
    if (!topK) return fail(topK.error());
    auto run = readTaskRun(*o, TextTask::SentenceLabels, "sequence-classification");
    if (!run) return fail(run.error());
    auto result = analyseRun(*run);
    if (!result) return fail(result.error());
    const auto shown = std::min<std::size_t>(static_cast<std::size_t>(*topK), result->labels.size());
    if (o->has("--json")) {
        nlohmann::json j{{"labels", nlohmann::json::array()}};
        for (std::size_t i = 0; i < shown; ++i)
            j["labels"].push_back({{"label", result->labels[i].label}, {"score", result->labels[i].score}});
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    for (std::size_t i = 0; i < shown; ++i)
        std::printf("%-24s %6.2f%%\n", result->labels[i].label.c_str(), 100.0 * result->labels[i].score);
    return 0;
}

int runTag(const std::vector<std::string>& args) {
    auto o = CliOptions::parse(args, withWindows(withAttentionControls({"--model", "--text", "--text-pair"})), {"--json"});
    if (!o) return fail(o.error());
    auto run = readTaskRun(*o, TextTask::TokenLabels, "token-classification");
    if (!run) return fail(run.error());
    auto result = analyseRun(*run);
    if (!result) return fail(result.error());
    const auto& text = result->text;
    const auto entities = groupEntities(text, result->tokens, result->tokenLabels);
    auto at = [&](std::size_t byte) { return codePointOffset(text, byte); };
    if (o->has("--json")) {
        // Offsets count Unicode code points, as Python's (and Hugging Face's pipelines') do.
        nlohmann::json j{{"tokens", nlohmann::json::array()}, {"entities", nlohmann::json::array()}};
        for (std::size_t i = 0; i < result->tokens.size() && i < result->tokenLabels.size(); ++i) {
            const auto& t = result->tokens[i];
            if (!isLabelledToken(t)) continue;
            const auto& best = result->tokenLabels[i].best;
            j["tokens"].push_back({{"token", t.text}, {"start", at(t.byteBegin)}, {"end", at(t.byteEnd)},
                                   {"label", best.label}, {"score", best.score}});
        }
        for (const auto& e : entities)
            j["entities"].push_back({{"label", e.label}, {"text", e.text}, {"start", at(e.byteBegin)},
                                     {"end", at(e.byteEnd)}, {"score", e.score}});
        std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return 0;
    }
    std::printf("%-20s %-12s %s\n", "token", "label", "score");
    for (std::size_t i = 0; i < result->tokens.size() && i < result->tokenLabels.size(); ++i) {
        if (!isLabelledToken(result->tokens[i])) continue;
        const auto& best = result->tokenLabels[i].best;
        std::printf("%-20s %-12s %.4f\n", labelOf(result->tokens[i]).c_str(), best.label.c_str(), best.score);
    }
    std::printf("\nentities:%s\n", entities.empty() ? " none" : "");
    for (const auto& e : entities)
        std::printf("  %-8s %-30s %zu-%zu  %.4f\n", e.label.c_str(), e.text.c_str(), at(e.byteBegin), at(e.byteEnd), e.score);
    return 0;
}

}  // namespace ascope::cli
