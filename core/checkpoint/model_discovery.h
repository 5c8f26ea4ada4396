#pragma once
// Finds model folders in the local Hugging Face cache: $HF_HUB_CACHE, else $HF_HOME/hub, else
// ~/.cache/huggingface/hub, laid out as models--ORG--NAME/snapshots/REVISION/.
#include <string>
#include <vector>

namespace ascope {

struct DiscoveredModel {
    std::string name;  // "org/name"
    std::string dir;   // the snapshot folder (holds config.json)
};

std::string huggingFaceHubCache();
std::vector<DiscoveredModel> findCachedModels(const std::string& hubCache = huggingFaceHubCache());

}  // namespace ascope
