#include "cli/text_commands.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "analysis/head_statistics.h"
#include "cli/cli_options.h"
#include "checkpoint/checkpoint_converter.h"
#include "export/attention_exporter.h"
#include "inference/text_model.h"
#include "tokenizer/tokenizer_loader.h"
#include "util/resource_paths.h"

namespace ascope::cli {

namespace {
const std::set<std::string> kTextFlags = {"--model", "--text", "--text-pair"};

int oneLine(std::string message) {
    for (auto& c : message)
        if (c == '\n' || c == '\r') c = ' ';
    std::fprintf(stderr, "attention-scope-cli: %s\n", message.c_str());
    return 1;
}

}  // namespace

Expected<std::unique_ptr<TextModel>> openTextModel(const CliOptions& o, const std::string& builtin) {
    std::string dir = o.value("--model").value_or("");
    if (dir.empty()) {
        dir = builtinModelDir(builtin);
        if (dir.empty()) return makeError(ErrorKind::InvalidInput, "no --model given and the built-in demo model is not installed");
    }
    return TextModel::load(dir);
}

Expected<std::string> requireText(const CliOptions& o) {
    auto text = o.value("--text");
    if (!text) return makeError(ErrorKind::InvalidInput, "--text is required");
    return *text;
}

Expected<TextRun> readTextRun(const CliOptions& o, bool needsMlmHead, const std::string& builtin) {
    auto text = requireText(o);
    if (!text) return text.errorValue();
    auto controls = readAttentionControls(o);
    if (!controls) return controls.errorValue();
    auto model = openTextModel(o, builtin);
    if (!model) return model.errorValue();
    if (needsMlmHead && !(*model)->hasMlmHead())
        return makeError(ErrorKind::Unsupported, (*model)->directory() + ": this checkpoint has no masked-LM head");
    TextRun run{*text, o.value("--text-pair").value_or(""), std::move(*model), {}, 0, 0, nullptr};
    run.options.attentionMask = controls->mask;
    run.options.ablate = controls->ablate;
    if (o.value("--window") || o.value("--stride")) {
        if (!run.pair.empty()) return makeError(ErrorKind::InvalidInput, "--window does not take a sentence pair (--text-pair)");
        auto window = o.intValue("--window", run.model->maxTokens(), 3, 1 << 20);
        if (!window) return window.errorValue();
        auto stride = o.intValue("--stride", std::min(256, (*window - 2) / 2), 0, 1 << 20);
        if (!stride) return stride.errorValue();
        run.window = *window;
        run.stride = *stride;
    }
    return run;
}

namespace {

std::set<std::string> with(std::set<std::string> a, std::initializer_list<std::string> more) {
    a.insert(more);
    return a;
}

nlohmann::json tokenJson(const Token& t) {
    nlohmann::json j{{"token", t.text}, {"id", t.id}, {"start", t.byteBegin}, {"end", t.byteEnd}, {"special", t.special},
                     {"segment", t.segment}};
    if (!t.label.empty()) j["label"] = t.label;  // readable form of a byte-level entry ("·the" for "Ġthe")
    return j;
}
}  // namespace

int fail(const std::string& message) { return oneLine(message); }

std::set<std::string> withWindows(std::set<std::string> flags) {
    flags.insert({"--window", "--stride"});
    return flags;
}

Expected<TextAnalysis> analyseRun(TextRun& run) {
    if (run.window <= 0) {
        auto result = run.model->analysePair(run.text, run.pair, run.options);
        // A single text too long for the model: say how to run it anyway.
        if (!result && result.errorValue().kind == ErrorKind::InvalidInput && run.pair.empty() &&
            static_cast<int>(run.model->tokenizer().encode(run.text).size()) > run.model->maxTokens())
            return makeError(ErrorKind::InvalidInput,
                             result.error() + "; --window " + std::to_string(run.model->maxTokens()) +
                                 " runs it in overlapping windows");
        return result;
    }
    auto windowed = analyseInWindows(*run.model, run.text, run.window, run.stride, run.options);
    if (!windowed) return windowed.errorValue();
    run.windowed = std::make_shared<WindowedAnalysis>(std::move(*windowed));
    return run.windowed->merged;
}

int runPredict(const std::vector<std::string>& args) {
    auto o = CliOptions::parse(args, withWindows(withAttentionControls(with(kTextFlags, {"--top-k"}))), {"--json"});
    if (!o) return fail(o.error());
    auto topK = o->intValue("--top-k", 5, 1, 1000);
    if (!topK) return fail(topK.error());
    auto mlm = readTextRun(*o, true);
    if (!mlm) return fail(mlm.error());
    mlm->options.topK = *topK;
    const auto* text = &mlm->text;
    auto result = analyseRun(*mlm);
    if (!result) return fail(result.error());
    if (result->predictions.empty())
        return fail("the text has no " + mlm->model->tokenizer().maskToken() + " token to predict");

    if (o->has("--json")) {
        nlohmann::json j;
        j["text"] = *text;
        j["tokens"] = nlohmann::json::array();
        for (const auto& t : result->tokens) j["tokens"].push_back(t.text);
        j["masks"] = nlohmann::json::array();
        if (mlm->windowed) {
            j["windows"] = nlohmann::json::array();
            for (std::size_t w = 0; w < mlm->windowed->windows.size(); ++w)
                j["windows"].push_back({{"first_token", mlm->windowed->firstToken[w]},
                                        {"tokens", mlm->windowed->windows[w].tokens.size()}});
        }
        for (std::size_t k = 0; k < result->predictions.size(); ++k) {
            const auto& p = result->predictions[k];
            nlohmann::json m{{"position", p.position}, {"predictions", nlohmann::json::array()}};
            if (mlm->windowed) m["window"] = mlm->windowed->predictionWindow[k];
            for (const auto& c : p.top)
                m["predictions"].push_back({{"token", c.token}, {"id", c.id}, {"probability", c.probability}});
            j["masks"].push_back(std::move(m));
        }
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    if (mlm->windowed)
        std::printf("%zu windows of %d tokens overlapping by %d\n", mlm->windowed->windows.size(), mlm->windowed->window,
                    mlm->windowed->stride);
    for (std::size_t k = 0; k < result->predictions.size(); ++k) {
        const auto& p = result->predictions[k];
        std::printf("%s at token %d", result->tokens[static_cast<std::size_t>(p.position)].text.c_str(), p.position);
        if (mlm->windowed) std::printf(" (window %d)", mlm->windowed->predictionWindow[k]);
        std::printf(":\n");
        int rank = 1;
        for (const auto& c : p.top) std::printf("  %2d. %-20s %.4f\n", rank++, labelOf(c).c_str(), c.probability);
    }
    return 0;
}

int runTokenize(const std::vector<std::string>& args) {
    auto o = CliOptions::parse(args, kTextFlags, {"--json"});
    if (!o) return fail(o.error());
    auto text = requireText(*o);
    if (!text) return fail(text.error());
    // Tokenising needs only the tokenizer files (and config.json's model_type when there is one), not the weights.
    std::string dir = o->value("--model").value_or(builtinModelDir("demo-bert"));
    if (dir.empty()) return fail("no --model given and the built-in demo model is not installed");
    ModelConfig config;
    std::error_code ec;
    if (const auto path = std::filesystem::path(dir) / "config.json"; std::filesystem::exists(path, ec)) {
        auto read = ModelConfig::fromFile(path.string());
        if (!read) return fail(read.error());
        config = *read;
    }
    auto tokenizer = loadTokenizer(dir, config);
    if (!tokenizer) return fail(tokenizer.error());
    const auto pair = o->value("--text-pair").value_or("");
    const auto tokens = pair.empty() ? (*tokenizer)->encode(*text) : (*tokenizer)->encodePair(*text, pair);
    if (o->has("--json")) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& t : tokens) j.push_back(tokenJson(t));
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    std::printf("%-6s %-8s %-12s %s\n", "index", "id", "span", "token");
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const auto& t = tokens[i];
        const std::string span = std::to_string(t.byteBegin) + "-" + std::to_string(t.byteEnd);
        std::printf("%-6zu %-8d %-12s %s%s\n", i, t.id, span.c_str(), t.text.c_str(),
                    t.label.empty() ? "" : ("   (" + t.label + ")").c_str());
    }
    return 0;
}

int runAttention(const std::vector<std::string>& args) {
    auto o = CliOptions::parse(args, withWindows(withAttentionControls(with(kTextFlags, {"--layer", "--head", "--format", "--out"}))), {});
    if (!o) return fail(o.error());
    auto request = readAttentionExport(*o);
    if (!request) return fail(request.error());
    auto run = readTextRun(*o, false);
    if (!run) return fail(run.error());
    auto result = analyseRun(*run);
    if (!result) return fail(result.error());
    if (run->windowed) {  // a leading window axis
        std::vector<AttentionWindow> windows;
        for (std::size_t w = 0; w < run->windowed->windows.size(); ++w) {
            AttentionWindow one{&run->windowed->windows[w].attention, {}, run->windowed->firstToken[w]};
            for (const auto& t : run->windowed->windows[w].tokens) one.labels.push_back(t.text);
            windows.push_back(std::move(one));
        }
        auto bytes = exportWindowedAttention(windows, run->window, run->stride, request->selection, request->format);
        if (!bytes) return fail(bytes.error());
        if (auto st = writeBytes(request->out, *bytes); !st) return fail(st.error());
        std::fprintf(stderr, "wrote %s (%zu windows)\n", request->out.c_str(), windows.size());
        return 0;
    }
    std::vector<std::string> labels;
    for (const auto& t : result->tokens) labels.push_back(t.text);
    return writeAttentionExport(*request, result->attention, labels);
}

int runHeadStats(const std::vector<std::string>& args) {
    auto o = CliOptions::parse(args, kTextFlags, {"--json"});
    if (!o) return fail(o.error());
    auto text = requireText(*o);
    if (!text) return fail(text.error());
    auto model = openTextModel(*o);
    if (!model) return fail(model.error());
    auto result = (*model)->analysePair(*text, o->value("--text-pair").value_or(""));
    if (!result) return fail(result.error());
    const auto stats = headStatistics(result->attention, tokenRolesOf(result->tokens));
    if (o->has("--json")) {
        nlohmann::json j{{"text", *text}, {"tokens", nlohmann::json::array()}, {"heads", nlohmann::json::array()}};
        for (const auto& t : result->tokens) j["tokens"].push_back(t.text);
        for (const auto& s : stats)
            j["heads"].push_back({{"layer", s.layer}, {"head", s.head}, {"entropy", s.entropy},
                                  {"mean_distance", s.meanDistance}, {"cls", s.cls}, {"sep", s.sep}, {"self", s.self},
                                  {"previous", s.previous}, {"next", s.next}, {"punctuation", s.punctuation}});
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    std::printf("Per head, the mean over the %d query tokens: entropy in nats, mean distance in tokens, shares 0-1.\n",
                result->attention.queries);
    std::printf("%5s %4s %8s %8s %6s %6s %6s %6s %6s %6s\n", "layer", "head", "entropy", "distance", "[CLS]", "[SEP]",
                "self", "prev", "next", "punct");
    for (const auto& s : stats)
        std::printf("%5d %4d %8.3f %8.3f %6.3f %6.3f %6.3f %6.3f %6.3f %6.3f\n", s.layer, s.head, s.entropy,
                    s.meanDistance, s.cls, s.sep, s.self, s.previous, s.next, s.punctuation);
    return 0;
}

int runConvert(const std::vector<std::string>& args) {
    auto o = CliOptions::parse(args, {"--model", "--out", "--dtype"}, {});
    if (!o) return fail(o.error());
    const auto model = o->value("--model"), out = o->value("--out");
    if (!model || !out) return fail("--model DIR and --out DIR are required");
    const std::string name = o->value("--dtype").value_or("f16");
    DType dtype;
    std::string upper;
    for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!parseDType(upper, dtype)) return fail("--dtype must be f32, f16 or bf16");
    if (auto st = convertCheckpoint(*model, *out, dtype); !st) return fail(st.error());
    std::fprintf(stderr, "wrote %s/model.safetensors as %s\n", out->c_str(), upper.c_str());
    return 0;
}

}  // namespace ascope::cli
