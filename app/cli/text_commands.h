#pragma once
// The text-model subcommands of attention-scope-cli. Each returns the process exit code.
#include <string>
#include <vector>

namespace ascope::cli {

int runPredict(const std::vector<std::string>& args);
int runTokenize(const std::vector<std::string>& args);
int runAttention(const std::vector<std::string>& args);
int runConvert(const std::vector<std::string>& args);
int runHeadStats(const std::vector<std::string>& args);

// Prints "attention-scope-cli: <message>" on stderr (one line) and returns 1.
int fail(const std::string& message);

}  // namespace ascope::cli
