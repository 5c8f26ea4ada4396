#pragma once
// Location of the shared test data (../shared beside the clone, or $ASCOPE_SHARED_DIR).
#include <cstdlib>
#include <string>

namespace ascope::test {

inline std::string sharedDir() {
    if (const char* env = std::getenv("ASCOPE_SHARED_DIR")) return env;
    return ASCOPE_SHARED_DIR_DEFAULT;
}
inline std::string sharedPath(const std::string& relative) { return sharedDir() + "/" + relative; }

}  // namespace ascope::test
