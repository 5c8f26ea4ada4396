#pragma once
// Attention numbers as CSV, JSON or NPY: all layers and heads, or one layer / one head.
#include <string>
#include <vector>

#include "inference/text_analysis.h"
#include "util/expected.h"

namespace ascope {

enum class ExportFormat { Csv, Json, Npy };
bool parseExportFormat(const std::string& name, ExportFormat& out);

struct AttentionSelection {
    int layer = -1;  // -1: all layers
    int head = -1;   // -1: all heads
};

// Checks the selection against the stack; an error names the valid range.
Status validateSelection(const AttentionStack& attention, const AttentionSelection& selection);

// The exported document as bytes. `labels` name the query/key positions (tokens or patches).
Expected<std::string> exportAttention(const AttentionStack& attention, const std::vector<std::string>& labels,
                                      const AttentionSelection& selection, ExportFormat format);
// A run in windows (inference/text_windows.h), every window as long as the others: NPY with a
// leading window axis [windows, layers, heads, tokens, tokens]; JSON {"window", "stride", "layers",
// "heads", "shape", "windows": [{"first_token", "tokens", "attention"}]}; CSV with a leading
// "window" column and token indices counted in the whole text (firstToken[w] - 1 + the index in
// the window for text tokens, the window's own index for its start and end tokens).
struct AttentionWindow {
    const AttentionStack* attention = nullptr;
    std::vector<std::string> labels;
    int firstToken = 1;  // the index in the whole text's tokens of the window's first text token
};
Expected<std::string> exportWindowedAttention(const std::vector<AttentionWindow>& windows, int window, int stride,
                                              const AttentionSelection& selection, ExportFormat format);

Status writeAttention(const std::string& path, const AttentionStack& attention,
                      const std::vector<std::string>& labels, const AttentionSelection& selection,
                      ExportFormat format);
Status writeBytes(const std::string& path, const std::string& bytes);

}  // namespace ascope
