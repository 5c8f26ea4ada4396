#include "checkpoint/model_discovery.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace ascope {

std::string huggingFaceHubCache() {
    if (const char* c = std::getenv("HF_HUB_CACHE"); c && *c) return c;
    if (const char* h = std::getenv("HF_HOME"); h && *h) return (fs::path(h) / "hub").string();
    const char* home = std::getenv("HOME");
    return (fs::path(home ? home : "/") / ".cache" / "huggingface" / "hub").string();
}

std::vector<DiscoveredModel> findCachedModels(const std::string& hubCache) {
    std::vector<DiscoveredModel> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(hubCache, ec)) {
        const std::string folder = entry.path().filename().string();
        if (folder.rfind("models--", 0) != 0) continue;
        std::string name = folder.substr(8);
        if (auto pos = name.find("--"); pos != std::string::npos) name.replace(pos, 2, "/");
        std::error_code ec2;
        for (const auto& snap : fs::directory_iterator(entry.path() / "snapshots", ec2))
            if (fs::exists(snap.path() / "config.json", ec2)) out.push_back({name, snap.path().string()});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
}

}  // namespace ascope
