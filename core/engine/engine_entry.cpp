// The engine library's entry point: its table of loaders and long-running jobs.
#include "engine/engine_api.h"
#include "engine/engine_functions.h"

#include <cstring>

extern "C" __attribute__((visibility("default"))) const ascope::EngineApi* ascope_engine_api(const char* buildVersion) {
    static const ascope::EngineApi api{
        &ascope::loadBertTextModel,        &ascope::loadVitImageModel,       &ascope::engine::trainMaskedLm,
        &ascope::engine::evaluateMaskedLm, &ascope::engine::trainVitShapes, &ascope::engine::evaluateVitShapes,
        &ascope::engine::fineTune,
    };
    if (!buildVersion || std::strcmp(buildVersion, ASCOPE_BUILD_ID) != 0) return nullptr;
    return &api;
}
