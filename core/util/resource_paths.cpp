#include "util/resource_paths.h"

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace ascope {

std::string dataDir() {
    std::error_code ec;
    if (const char* env = std::getenv("ASCOPE_DATA_DIR"); env && *env) return fs::is_directory(env, ec) ? env : "";
    const auto exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    const auto dir = exe.parent_path().parent_path() / "share" / "attention-scope";
    return fs::is_directory(dir, ec) ? dir.string() : "";
}

std::string builtinModelDir(const std::string& name) {
    const std::string root = dataDir();
    if (root.empty()) return {};
    std::error_code ec;
    const auto dir = fs::path(root) / "models" / name;
    return fs::exists(dir / "config.json", ec) ? dir.string() : "";
}

std::string builtinDataFile(const std::string& relativePath) {
    const std::string root = dataDir();
    if (root.empty()) return {};
    std::error_code ec;
    const auto file = fs::path(root) / relativePath;
    return fs::is_regular_file(file, ec) ? file.string() : "";
}

}  // namespace ascope
