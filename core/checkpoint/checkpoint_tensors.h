#pragma once
// All tensors of a Hugging Face checkpoint folder: model.safetensors, or the shards named by
// model.safetensors.index.json. Lookups return views into the memory-mapped files.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "checkpoint/safetensors_reader.h"
#include "util/expected.h"

namespace ascope {

class CheckpointTensors {
public:
    static Expected<CheckpointTensors> openFolder(const std::string& dir);
    static Expected<CheckpointTensors> openFile(const std::string& safetensorsPath);

    const TensorView* find(const std::string& name) const;
    std::vector<std::string> names() const;
    bool contains(const std::string& name) const { return find(name) != nullptr; }
    // Where the tensors came from (for messages): a file or an index.
    const std::string& source() const { return m_source; }

private:
    std::string m_source;
    std::vector<std::shared_ptr<SafetensorsReader>> m_shards;
    std::map<std::string, const TensorView*> m_index;
};

}  // namespace ascope
