#pragma once
// Loads the engine (libattention-scope-engine.so: LibTorch, oneDNN and the models) on first use.
// LibTorch's static initialisation takes most of a second, so nothing on a program's start-up
// path touches it: the GUI shows its window first and loads the engine with the first model, on
// its worker thread. The library is looked up beside libattention-scope-base.so (both in <build>/lib,
// and both in <prefix>/lib/.../attention-scope when installed); $ASCOPE_ENGINE names another file.
#include <chrono>
#include <string>

#include "engine/engine_api.h"
#include "util/expected.h"

namespace ascope {

// The engine's table; thread-safe, loads the library once (a failure is remembered too).
Expected<const EngineApi*> engineApi();
// Whether the engine is loaded already (for start-up reports; never loads it).
bool engineLoaded();
// When the load finished (meaningful once engineLoaded()).
std::chrono::steady_clock::time_point engineLoadedTime();
// Where the engine is looked for.
std::string enginePath();

}  // namespace ascope
