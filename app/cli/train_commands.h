#pragma once
// Training subcommands of attention-scope-cli. Each returns the process exit code.
#include <string>
#include <vector>

namespace ascope::cli {

int runTrainMlm(const std::vector<std::string>& args);
int runEvalMlm(const std::vector<std::string>& args);
int runTrainVitShapes(const std::vector<std::string>& args);
int runEvalVitShapes(const std::vector<std::string>& args);
int runFineTune(const std::vector<std::string>& args);

}  // namespace ascope::cli
