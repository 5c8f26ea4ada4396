#pragma once
// All tensors of a Hugging Face checkpoint folder: model.safetensors, the shards named by
// model.safetensors.index.json, or the PyTorch pickles pytorch_model.bin /
// pytorch_model.bin.index.json (read without executing anything). Lookups return views into
// the memory-mapped files.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "checkpoint/tensor_view.h"
#include "util/mapped_file.h"
#include "util/expected.h"

namespace ascope {

class CheckpointTensors {
public:
    static Expected<CheckpointTensors> openFolder(const std::string& dir);
    // One .safetensors file, or a torch.save file (.bin, .pt, .pth).
    static Expected<CheckpointTensors> openFile(const std::string& path);

    const TensorView* find(const std::string& name) const;
    std::vector<std::string> names() const;
    bool contains(const std::string& name) const { return find(name) != nullptr; }
    // Looks every tensor up under rename(name) instead of its stored name (another architecture's
    // layout read as BERT's, checkpoint/distilbert_layout.h); messages still name the stored tensor.
    void renameAll(const std::function<std::string(const std::string&)>& rename);
    // Where the tensors came from (for messages): a file or an index.
    const std::string& source() const { return m_source; }
    // Done reading the tensors whose names start with `namePrefix`: their pages of the file mapping
    // leave this process's resident memory (the page cache keeps them; reading again maps them
    // back). Loaders call it part by part, so a model is never held twice while it is converted.
    void releasePages(const std::string& namePrefix) const;

private:
    std::string m_source;
    static Expected<CheckpointTensors> openIndex(const std::string& dir, const std::string& indexPath);
    // Keeps a reader (and its memory map) alive; returns its tensors.
    template <typename Reader>
    static Expected<const std::map<std::string, TensorView>*> openShard(CheckpointTensors& out, const std::string& path);
    // A safetensors or torch.save file, by extension.
    static Expected<const std::map<std::string, TensorView>*> openAnyShard(CheckpointTensors& out, const std::string& path);

    std::vector<std::shared_ptr<const void>> m_shards;
    std::vector<std::shared_ptr<MappedFile>> m_files;  // the shards' mappings
    std::map<std::string, const TensorView*> m_index;
};

}  // namespace ascope
