#include "inference/text_windows.h"

#include <algorithm>

#include "inference/text_model.h"

namespace ascope {

Expected<std::vector<int>> windowStarts(int textTokens, int perWindow, int stride) {
    if (perWindow < 1) return makeError(ErrorKind::InvalidInput, "a window must hold at least one token besides its start and end tokens");
    if (stride < 0 || stride >= perWindow)
        return makeError(ErrorKind::InvalidInput, "the stride (the overlap between windows, " + std::to_string(stride) +
                         " tokens) must be at least 0 and less than a window's " + std::to_string(perWindow) + " text tokens");
    std::vector<int> starts = {0};
    const int step = perWindow - stride;
    while (starts.back() + perWindow < textTokens) starts.push_back(std::min(starts.back() + step, textTokens - perWindow));
    return starts;
}

int windowIndexOf(const WindowedAnalysis& run, int w, int i) {
    if (w < 0 || w >= static_cast<int>(run.windows.size())) return -1;
    const int n = static_cast<int>(run.merged.tokens.size());
    const int count = static_cast<int>(run.windows[static_cast<std::size_t>(w)].tokens.size()) - 2;
    const int first = run.firstToken[static_cast<std::size_t>(w)];
    if (i == 0) return 0;
    if (i == n - 1) return count + 1;
    if (i >= first && i < first + count) return i - first + 1;
    return -1;
}

int wholeTextIndexOf(const WindowedAnalysis& run, int w, int local) {
    if (w < 0 || w >= static_cast<int>(run.windows.size())) return -1;
    const int count = static_cast<int>(run.windows[static_cast<std::size_t>(w)].tokens.size()) - 2;
    if (local < 0 || local > count + 1) return -1;
    if (local == 0) return 0;
    if (local == count + 1) return static_cast<int>(run.merged.tokens.size()) - 1;
    return run.firstToken[static_cast<std::size_t>(w)] + local - 1;
}

Expected<WindowedAnalysis> analyseInWindows(const TextModel& model, std::string_view text, int window, int stride,
                                            const TextRunOptions& options) {
    return analyseTokensInWindows(model, std::string(text), model.tokenizer().encode(text), window, stride, options);
}

std::vector<int> truncationKept(const std::vector<Token>& tokens, int limit) {
    const int n = static_cast<int>(tokens.size());
    std::vector<int> kept;
    const bool pair = std::any_of(tokens.begin(), tokens.end(), [](const Token& t) { return t.segment != 0; });
    if (n <= limit || limit < 2) {
        for (int i = 0; i < n; ++i) kept.push_back(i);
        return kept;
    }
    if (!pair) {
        for (int i = 0; i + 1 < limit; ++i) kept.push_back(i);
        kept.push_back(n - 1);
        return kept;
    }
    int structural = 0, lengthA = 0, lengthB = 0;
    for (const auto& t : tokens) (isAddedToken(t) ? structural : t.segment == 0 ? lengthA : lengthB) += 1;
    const int budget = limit - structural;
    if (budget < 0) {  // not even the template fits: nothing sensible to cut
        for (int i = 0; i < n; ++i) kept.push_back(i);
        return kept;
    }
    // The tokenizers library's LongestFirst: n1 the shorter sentence's length, n2 the longer's.
    const bool swap = lengthA > lengthB;
    int n1 = swap ? lengthB : lengthA, n2 = swap ? lengthA : lengthB;
    n2 = n1 > budget ? n1 : std::max(n1, budget - n1);
    if (n1 + n2 > budget) {
        n1 = budget / 2;
        n2 = n1 + budget % 2;
    }
    const int keepA = swap ? n2 : n1, keepB = swap ? n1 : n2;
    int seenA = 0, seenB = 0;
    for (int i = 0; i < n; ++i) {
        const auto& t = tokens[static_cast<std::size_t>(i)];
        if (isAddedToken(t) || (t.segment == 0 ? seenA++ < keepA : seenB++ < keepB)) kept.push_back(i);
    }
    return kept;
}

std::vector<Token> truncatedTokens(const std::vector<Token>& tokens, int limit) {
    std::vector<Token> out;
    for (int i : truncationKept(tokens, limit)) out.push_back(tokens[static_cast<std::size_t>(i)]);
    return out;
}

int mostCentralWindow(const WindowedAnalysis& run, int first, int last) {
    int best = -1, bestMargin = -1;
    for (std::size_t w = 0; w < run.windows.size() && w < run.firstToken.size(); ++w) {
        const int start = run.firstToken[w], count = static_cast<int>(run.windows[w].tokens.size()) - 2;  // text tokens
        if (first < start || last >= start + count || first > last) continue;
        const int margin = std::min(first - start, start + count - 1 - last);
        if (margin > bestMargin) {
            best = static_cast<int>(w);
            bestMargin = margin;
        }
    }
    return best;
}

Expected<WindowedAnalysis> analyseTokensInWindows(const TextModel& model, std::string text, const std::vector<Token>& tokens,
                                                  int window, int stride, const TextRunOptions& options) {
    using Mode = AttentionMaskSpec::Mode;
    if (options.attentionMask.mode == Mode::Block || options.attentionMask.mode == Mode::Custom)
        return makeError(ErrorKind::InvalidInput, "attention masks that name tokens (block, custom) cannot be used with windows; "
                                                  "use causal or none");
    if (tokens.size() < 2) return makeError(ErrorKind::InvalidInput, "no tokens to run in windows");
    const int limit = model.maxTokens() - std::max(0, options.attentionMask.padding);
    if (window <= 0) window = limit;
    if (window > limit)
        return makeError(ErrorKind::InvalidInput, "a window of " + std::to_string(window) + " tokens is longer than this model takes (" +
                         std::to_string(limit) + ")");
    const std::vector<Token> body(tokens.begin() + 1, tokens.end() - 1);
    const auto starts = windowStarts(static_cast<int>(body.size()), window - 2, stride);
    if (!starts) return starts.errorValue();

    WindowedAnalysis out;
    out.window = window;
    out.stride = stride;
    const Token& start = tokens.front();
    const Token& end = tokens.back();
    auto& merged = out.merged;
    merged.text = text;
    merged.tokens.push_back(start);
    merged.tokens.insert(merged.tokens.end(), body.begin(), body.end());
    merged.tokens.push_back(end);
    const int perWindow = window - 2;
    const int windows = static_cast<int>(starts->size());
    TextRunOptions perWindowOptions = options;
    for (int s : *starts) {
        const int index = static_cast<int>(out.windows.size());
        if (options.onLayer)
            perWindowOptions.onLayer = [&options, index, windows](int layer, int layers) {
                return options.onLayer(index * layers + layer, windows * layers);
            };
        std::vector<Token> windowTokens = {start};
        const int count = std::min<int>(perWindow, static_cast<int>(body.size()) - s);
        windowTokens.insert(windowTokens.end(), body.begin() + s, body.begin() + s + count);
        windowTokens.push_back(end);
        auto one = model.analyseTokens(text, std::move(windowTokens), perWindowOptions);
        if (!one) return one.errorValue();
        out.windows.push_back(std::move(*one));
        out.firstToken.push_back(s + 1);
    }
    // The window in which merged token i (a text token) sits most centrally, and its index there.
    auto bestWindow = [&](int i, int& local) {
        const int best = mostCentralWindow(out, i, i);
        if (best >= 0) local = windowIndexOf(out, best, i);
        return best;
    };
    const auto& first = out.windows.front();
    merged.hasMlmHead = first.hasMlmHead;
    merged.task = first.task;
    merged.labelNames = first.labelNames;
    merged.controls = first.controls;
    const int n = static_cast<int>(merged.tokens.size());
    for (int i = 1; i + 1 < n; ++i) {
        int local = 0;
        const int w = bestWindow(i, local);
        if (w < 0) continue;
        for (const auto& p : out.windows[static_cast<std::size_t>(w)].predictions)
            if (p.position == local) {
                merged.predictions.push_back({i, p.top});
                out.predictionWindow.push_back(w);
            }
    }
    if (merged.task == TextTask::TokenLabels) {
        merged.tokenLabels.resize(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            int local = 0;
            const int w = i == 0 ? 0 : i == n - 1 ? static_cast<int>(out.windows.size()) - 1 : bestWindow(i, local);
            const auto& run = out.windows[static_cast<std::size_t>(w)];
            if (i == 0) local = 0;
            if (i == n - 1) local = static_cast<int>(run.tokens.size()) - 1;
            if (local < static_cast<int>(run.tokenLabels.size())) merged.tokenLabels[static_cast<std::size_t>(i)] = run.tokenLabels[static_cast<std::size_t>(local)];
        }
    }
    if (merged.task == TextTask::SentenceLabels) {
        std::vector<double> sum(first.labelNames.size(), 0.0);
        for (const auto& run : out.windows)
            for (const auto& l : run.labels)
                if (l.id >= 0 && static_cast<std::size_t>(l.id) < sum.size()) sum[static_cast<std::size_t>(l.id)] += l.score;
        for (std::size_t id = 0; id < sum.size(); ++id)
            merged.labels.push_back({first.labelNames[id], static_cast<int>(id),
                                     static_cast<float>(sum[id] / static_cast<double>(out.windows.size()))});
        std::stable_sort(merged.labels.begin(), merged.labels.end(), [](const LabelScore& a, const LabelScore& b) { return a.score > b.score; });
    }
    return out;
}

}  // namespace ascope
