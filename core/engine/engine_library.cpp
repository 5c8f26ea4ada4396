#include "engine/engine_library.h"

#include <atomic>
#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>

namespace ascope {

namespace {

constexpr const char* kEngineFile = "libattention-scope-engine.so";
std::atomic<bool> g_loaded{false};
std::chrono::steady_clock::time_point g_loadedAt;  // written before g_loaded is set

// The folder of the library holding this function (libattention-scope-base.so).
std::filesystem::path baseLibraryFolder() {
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&baseLibraryFolder), &info) == 0 || !info.dli_fname) return {};
    std::error_code ec;
    auto path = std::filesystem::canonical(info.dli_fname, ec);
    return ec ? std::filesystem::path(info.dli_fname).parent_path() : path.parent_path();
}

Expected<const EngineApi*> openEngine() {
    const std::string path = enginePath();
    // A program linked against the engine (the kernel tests, the benchmark) has it loaded already.
    void* handle = dlopen(kEngineFile, RTLD_NOW | RTLD_NOLOAD);
    if (!handle) handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* why = dlerror();
        return makeError(ErrorKind::Io, "the inference engine could not be loaded (" + std::string(why ? why : path) + ")");
    }
    using Entry = const EngineApi* (*)(const char*);
    auto entry = reinterpret_cast<Entry>(dlsym(handle, "ascope_engine_api"));
    if (!entry) return makeError(ErrorKind::Internal, path + ": not an Attention Scope engine (no ascope_engine_api)");
    const EngineApi* api = entry(ASCOPE_BUILD_ID);
    if (!api)
        return makeError(ErrorKind::Internal, path + ": the engine belongs to another build of Attention Scope (expected " +
                         std::string(ASCOPE_BUILD_ID) + ")");
    g_loadedAt = std::chrono::steady_clock::now();
    g_loaded = true;
    return api;
}

}  // namespace

std::string enginePath() {
    if (const char* env = std::getenv("ASCOPE_ENGINE"); env && *env) return env;
    const auto folder = baseLibraryFolder();
    return folder.empty() ? std::string(kEngineFile) : (folder / kEngineFile).string();
}

Expected<const EngineApi*> engineApi() {
    static const Expected<const EngineApi*> api = openEngine();  // once, thread-safe
    return api;
}

bool engineLoaded() { return g_loaded; }

std::chrono::steady_clock::time_point engineLoadedTime() { return g_loadedAt; }

}  // namespace ascope
