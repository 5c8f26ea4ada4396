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
Status writeAttention(const std::string& path, const AttentionStack& attention,
                      const std::vector<std::string>& labels, const AttentionSelection& selection,
                      ExportFormat format);

}  // namespace ascope
