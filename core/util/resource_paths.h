#pragma once
// Where the built-in demo models live: $ASCOPE_RESOURCES, then the source tree's resources/
// (compiled in), then ../share/attention-scope next to the executable.
#include <string>

namespace ascope {

// The folder of a built-in model ("demo-bert", "demo-vit"), or "" when it is not there.
std::string builtinModelDir(const std::string& name);

}  // namespace ascope
