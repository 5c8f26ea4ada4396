#pragma once
// Writes a whole attention stack (every layer and head) to the file a user chose, in the format
// its extension names (.npy, .csv, .json): text mode's and image mode's Export Attention Data.
#include <QString>
#include <string>
#include <vector>

#include "inference/text_analysis.h"

namespace ascope::ui {

// Returns an error message to show, or "" on success.
QString writeAttentionFile(const QString& path, const AttentionStack& attention, const std::vector<std::string>& labels);

}  // namespace ascope::ui
