#pragma once
// Command-line parsing for attention-scope-cli: `command --flag value ...`.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "export/attention_exporter.h"
#include "inference/attention_controls.h"
#include "util/expected.h"

namespace ascope::cli {

class CliOptions {
public:
    // `valued` flags take a value; `switches` are booleans. Unknown flags are an error.
    static Expected<CliOptions> parse(const std::vector<std::string>& args, const std::set<std::string>& valued,
                                      const std::set<std::string>& switches);
    std::optional<std::string> value(const std::string& flag) const;
    bool has(const std::string& flag) const { return m_switches.count(flag) > 0; }
    // An integer flag within [lo, hi], or `fallback` when absent.
    Expected<int> intValue(const std::string& flag, int fallback, int lo, int hi) const;

    struct IntFlag {
        const char* name;
        int* target;  // keeps its value when the flag is absent
        int lo, hi;
    };
    // Reads every listed integer flag; the first bad one is the error.
    Status readInts(std::initializer_list<IntFlag> flags) const;

private:
    std::map<std::string, std::string> m_values;
    std::set<std::string> m_switches;
};

// --attention-mask causal|none|block:I,J,...|FILE.json and --ablate L:H,...: what the predict,
// classify and attention commands put inside the model's attention.
extern const std::set<std::string> kAttentionControlFlags;
struct AttentionControlFlags {
    AttentionMaskSpec mask;
    std::vector<HeadRef> ablate;
};
Expected<AttentionControlFlags> readAttentionControls(const CliOptions& options);
std::set<std::string> withAttentionControls(std::set<std::string> flags);

// --format csv|json|npy, --out FILE, --layer L, --head H of the attention commands.
struct AttentionExportRequest {
    std::string out;
    ExportFormat format = ExportFormat::Csv;
    AttentionSelection selection;
};
Expected<AttentionExportRequest> readAttentionExport(const CliOptions& options);
// Writes the export and reports it on stderr; returns the exit code.
int writeAttentionExport(const AttentionExportRequest& request, const AttentionStack& attention,
                         const std::vector<std::string>& labels);

}  // namespace ascope::cli
