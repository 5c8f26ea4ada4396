#pragma once
// Long texts in overlapping windows (the deck's sliding-window slide, Hugging Face's
// return_overflowing_tokens with max_length and stride): the text's tokens without their start and
// end tokens are cut into windows of `window` tokens (start and end token included) that overlap by
// `stride` tokens; the last window ends where the text ends, so every window has the same length
// (and an attention export a leading window axis). Each window runs as its own input. Every [MASK]
// is predicted, and every token labelled, by the window in which it sits most centrally (the
// earlier one on a tie); sentence labels are the mean of the windows' scores. Torch-free.
#include <string>
#include <string_view>
#include <vector>

#include "inference/text_analysis.h"
#include "util/expected.h"

namespace ascope {

class TextModel;
struct TextRunOptions;

struct WindowedAnalysis {
    // The whole text: its tokens (start and end token included) and, merged from the windows, the
    // predictions (positions in these tokens), token labels and sentence labels. No attention.
    TextAnalysis merged;
    std::vector<TextAnalysis> windows;   // each window's own run (tokens, attention, ...)
    std::vector<int> firstToken;         // per window: the index in merged.tokens of its first text token
    std::vector<int> predictionWindow;   // per merged prediction: the window it came from
    int window = 0, stride = 0;
};

// The index in window `w`'s tokens of the whole text's token `i`, or -1 when that window does not
// hold it (the start and end tokens are in every window).
int windowIndexOf(const WindowedAnalysis& run, int w, int i);
// The index in the whole text's tokens of window `w`'s token `local` (-1 when out of range).
int wholeTextIndexOf(const WindowedAnalysis& run, int w, int local);
// The window in which the whole text's tokens first..last (text tokens, not the start or end
// token) sit most centrally: the one leaving most tokens between them and its nearer edge, the
// earlier on a tie; -1 when no window holds them all. Predictions, token labels and an entity
// clicked outside the window shown all go by this rule.
int mostCentralWindow(const WindowedAnalysis& run, int first, int last);

// The first text-token index (0-based, without the start token) of each window over `textTokens`
// tokens, `perWindow` text tokens per window overlapping by `stride`; or why the sizes do not work.
Expected<std::vector<int>> windowStarts(int textTokens, int perWindow, int stride);

// Runs `text` in windows of `window` tokens (0: the model's maximum) overlapping by `stride`.
// Attention masks that name tokens (block, custom cells) are refused: they would not line up.
Expected<WindowedAnalysis> analyseInWindows(const TextModel& model, std::string_view text, int window, int stride,
                                            const TextRunOptions& options);
// The same for tokens already made from `text` and perhaps edited (chips toggled to the mask
// token): `tokens` is the start token, the text's tokens and the end token. options.onLayer sees
// the layers of all windows in a row: (window * layers + layer, windows * layers).
Expected<WindowedAnalysis> analyseTokensInWindows(const TextModel& model, std::string text, const std::vector<Token>& tokens,
                                                  int window, int stride, const TextRunOptions& options);

// Which of `tokens` Hugging Face's truncation keeps to fit `limit`: their indices in order (all
// of them when they fit). One text: the first `limit` - 1 tokens and the end token. A sentence pair
// (tokens of segment 1 after those of segment 0), "longest_first" as the tokenizers library cuts
// it: the tokens the template added ([CLS], [SEP], </s></s>: special, with no span) all stay, and
// each sentence keeps its first tokens; only the longer is cut while the shorter fits in half of
// what is left, else both get half (the second sentence the odd one).
std::vector<int> truncationKept(const std::vector<Token>& tokens, int limit);
// The tokens truncationKept keeps.
std::vector<Token> truncatedTokens(const std::vector<Token>& tokens, int limit);

}  // namespace ascope
