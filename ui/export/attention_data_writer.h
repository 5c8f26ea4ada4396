#pragma once
// Writes a whole attention stack (every layer and head) to the file a user chose, in the format
// its extension names (.npy, .csv, .json): text mode's and image mode's Export Attention Data.
#include <QString>
#include <string>
#include <vector>

#include "inference/text_analysis.h"
#include "inference/text_windows.h"

namespace ascope::ui {

// Returns an error message to show, or "" on success.
QString writeAttentionFile(const QString& path, const AttentionStack& attention, const std::vector<std::string>& labels);
// A long text's windows: NPY with a leading window axis, CSV with a window column and whole-text
// indices, JSON with a list of windows (as attention-scope-cli attention --window writes them).
QString writeWindowedAttentionFile(const QString& path, const WindowedAnalysis& windowed);

}  // namespace ascope::ui
