#include "checkpoint/checkpoint_tensors.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

namespace fs = std::filesystem;

namespace ascope {

Expected<CheckpointTensors> CheckpointTensors::openFile(const std::string& path) {
    auto reader = SafetensorsReader::open(path);
    if (!reader) return reader.errorValue();
    CheckpointTensors out;
    out.m_source = path;
    out.m_shards.push_back(*reader);
    for (const auto& [name, view] : (*reader)->tensors()) out.m_index[name] = &view;
    return out;
}

Expected<CheckpointTensors> CheckpointTensors::openFolder(const std::string& dir) {
    const fs::path single = fs::path(dir) / "model.safetensors";
    const fs::path index = fs::path(dir) / "model.safetensors.index.json";
    std::error_code ec;
    if (fs::exists(single, ec)) return openFile(single.string());
    if (!fs::exists(index, ec)) {
        if (fs::exists(fs::path(dir) / "pytorch_model.bin", ec))
            return makeError(dir + ": only pytorch_model.bin found; this version reads model.safetensors "
                                   "(convert with safetensors' convert script)");
        return makeError(dir + ": no model.safetensors or model.safetensors.index.json in this folder");
    }

    nlohmann::json json;
    try {
        std::ifstream in(index);
        json = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
        return makeError(index.string() + ": invalid JSON (" + e.what() + ")");
    }
    auto wm = json.find("weight_map");
    if (!json.is_object() || wm == json.end() || !wm->is_object())
        return makeError(index.string() + ": missing 'weight_map' object");

    std::set<std::string> files;
    for (auto it = wm->begin(); it != wm->end(); ++it) {
        if (!it->is_string()) return makeError(index.string() + ": weight_map entry '" + it.key() + "' is not a file name");
        const std::string file = it->get<std::string>();
        if (file.find('/') != std::string::npos || file.find("..") != std::string::npos)
            return makeError(index.string() + ": shard name '" + file + "' must be a plain file name");
        files.insert(file);
    }
    CheckpointTensors out;
    out.m_source = index.string();
    std::map<std::string, const SafetensorsReader*> byFile;
    for (const auto& file : files) {
        auto reader = SafetensorsReader::open((fs::path(dir) / file).string());
        if (!reader) return reader.errorValue();
        byFile[file] = reader->get();
        out.m_shards.push_back(*reader);
    }
    for (auto it = wm->begin(); it != wm->end(); ++it) {
        const auto* reader = byFile[it->get<std::string>()];
        const TensorView* view = reader->find(it.key());
        if (!view)
            return makeError(index.string() + ": tensor '" + it.key() + "' is listed in shard '" +
                             it->get<std::string>() + "' but not stored there");
        out.m_index[it.key()] = view;
    }
    return out;
}

const TensorView* CheckpointTensors::find(const std::string& name) const {
    auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : it->second;
}

std::vector<std::string> CheckpointTensors::names() const {
    std::vector<std::string> out;
    out.reserve(m_index.size());
    for (const auto& [name, view] : m_index) out.push_back(name);
    return out;
}

}  // namespace ascope
