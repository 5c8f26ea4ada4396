#include "util/resource_paths.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

namespace fs = std::filesystem;

namespace ascope {

std::string builtinModelDir(const std::string& name) {
    std::vector<fs::path> roots;
    if (const char* env = std::getenv("ASCOPE_RESOURCES")) roots.emplace_back(env);
#ifdef ASCOPE_SOURCE_RESOURCES
    roots.emplace_back(ASCOPE_SOURCE_RESOURCES);
#endif
    std::error_code ec;
    const auto exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) roots.push_back(exe.parent_path().parent_path() / "share" / "attention-scope");
    for (const auto& root : roots) {
        const auto dir = root / "models" / name;
        if (fs::exists(dir / "config.json", ec)) return dir.string();
    }
    return {};
}

}  // namespace ascope
