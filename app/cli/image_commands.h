#pragma once
// Image-model subcommands of attention-scope-cli. Each returns the process exit code.
#include <string>
#include <vector>

namespace ascope::cli {

int runClassify(const std::vector<std::string>& args);
// `attention --image FILE ...`: the image variant of the attention export.
int runImageAttention(const std::vector<std::string>& args);

}  // namespace ascope::cli
