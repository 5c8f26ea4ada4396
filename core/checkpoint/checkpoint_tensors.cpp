#include "checkpoint/checkpoint_tensors.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "checkpoint/safetensors_reader.h"
#include "checkpoint/torch_bin_reader.h"

namespace fs = std::filesystem;

namespace ascope {

namespace {
bool isTorchPickle(const std::string& path) {
    const std::string ext = fs::path(path).extension().string();
    return ext == ".bin" || ext == ".pt" || ext == ".pth";
}
}  // namespace

template <typename Reader>
Expected<const std::map<std::string, TensorView>*> CheckpointTensors::openShard(CheckpointTensors& out,
                                                                                const std::string& path) {
    auto reader = Reader::open(path);
    if (!reader) return reader.errorValue();
    out.m_shards.push_back(*reader);
    out.m_files.push_back((*reader)->file());
    return &(*reader)->tensors();
}

Expected<const std::map<std::string, TensorView>*> CheckpointTensors::openAnyShard(CheckpointTensors& out,
                                                                                   const std::string& path) {
    return isTorchPickle(path) ? openShard<TorchBinReader>(out, path) : openShard<SafetensorsReader>(out, path);
}

Expected<CheckpointTensors> CheckpointTensors::openFile(const std::string& path) {
    CheckpointTensors out;
    out.m_source = path;
    auto tensors = openAnyShard(out, path);
    if (!tensors) return tensors.errorValue();
    for (const auto& [name, view] : **tensors) out.m_index[name] = &view;
    return out;
}

Expected<CheckpointTensors> CheckpointTensors::openFolder(const std::string& dir) {
    std::error_code ec;
    for (const char* single : {"model.safetensors", "pytorch_model.bin"}) {
        const fs::path file = fs::path(dir) / single;
        const fs::path index = fs::path(dir) / (std::string(single) + ".index.json");
        if (fs::exists(file, ec)) return openFile(file.string());
        if (fs::exists(index, ec)) return openIndex(dir, index.string());
    }
    return makeError(ErrorKind::InvalidInput, dir + ": no model.safetensors, pytorch_model.bin or their .index.json in this folder");
}

Expected<CheckpointTensors> CheckpointTensors::openIndex(const std::string& dir, const std::string& index) {
    nlohmann::json json;
    try {
        std::ifstream in(index);
        json = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
        return makeError(ErrorKind::InvalidInput, index + ": invalid JSON (" + e.what() + ")");
    }
    auto wm = json.find("weight_map");
    if (!json.is_object() || wm == json.end() || !wm->is_object()) return makeError(ErrorKind::InvalidInput, index + ": missing 'weight_map' object");

    std::set<std::string> files;
    for (auto it = wm->begin(); it != wm->end(); ++it) {
        if (!it->is_string()) return makeError(ErrorKind::InvalidInput, index + ": weight_map entry '" + it.key() + "' is not a file name");
        const std::string file = it->get<std::string>();
        if (file.find('/') != std::string::npos || file.find("..") != std::string::npos)
            return makeError(ErrorKind::InvalidInput, index + ": shard name '" + file + "' must be a plain file name");
        files.insert(file);
    }
    CheckpointTensors out;
    out.m_source = index;
    std::map<std::string, const std::map<std::string, TensorView>*> byFile;
    for (const auto& file : files) {
        const std::string path = (fs::path(dir) / file).string();
        auto tensors = openAnyShard(out, path);
        if (!tensors) return tensors.errorValue();
        byFile[file] = *tensors;
    }
    for (auto it = wm->begin(); it != wm->end(); ++it) {
        const auto* tensors = byFile[it->get<std::string>()];
        auto view = tensors->find(it.key());
        if (view == tensors->end())
            return makeError(ErrorKind::InvalidInput, index + ": tensor '" + it.key() + "' is listed in shard '" + it->get<std::string>() +
                             "' but not stored there");
        out.m_index[it.key()] = &view->second;
    }
    return out;
}

void CheckpointTensors::renameAll(const std::function<std::string(const std::string&)>& rename) {
    std::map<std::string, const TensorView*> renamed;
    for (const auto& [name, view] : m_index) renamed[rename(name)] = view;
    m_index = std::move(renamed);
}

const TensorView* CheckpointTensors::find(const std::string& name) const {
    auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : it->second;
}

void CheckpointTensors::releasePages(const std::string& namePrefix) const {
    for (auto it = m_index.lower_bound(namePrefix); it != m_index.end() && it->first.compare(0, namePrefix.size(), namePrefix) == 0; ++it)
        for (const auto& file : m_files)
            if (file->contains(it->second->data, it->second->byteSize)) file->releasePages(it->second->data, it->second->byteSize);
}

std::vector<std::string> CheckpointTensors::names() const {
    std::vector<std::string> out;
    out.reserve(m_index.size());
    for (const auto& [name, view] : m_index) out.push_back(name);
    return out;
}

}  // namespace ascope
