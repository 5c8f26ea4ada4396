#pragma once
// Reads a PyTorch state dict saved with torch.save (pytorch_model.bin): the ZIP format of
// PyTorch >= 1.6 and the older "legacy" stream format. The pickle is read by a restricted
// reader that only accepts the names a state dict needs (OrderedDict, tensor rebuilders,
// storage types) and never executes anything. Contiguous tensors are views into the
// memory-mapped file; strided ones are copied.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "checkpoint/tensor_view.h"
#include "util/expected.h"
#include "util/mapped_file.h"

namespace ascope {

class TorchBinReader {
public:
    static Expected<std::shared_ptr<TorchBinReader>> open(const std::string& path);

    const std::map<std::string, TensorView>& tensors() const { return m_tensors; }
    const TensorView* find(const std::string& name) const;
    const std::string& path() const { return m_file->path(); }
    const std::shared_ptr<MappedFile>& file() const { return m_file; }

private:
    struct Impl;
    std::shared_ptr<MappedFile> m_file;
    std::map<std::string, TensorView> m_tensors;
    std::vector<std::unique_ptr<std::vector<std::uint8_t>>> m_copies;  // strided tensors, made contiguous
};

}  // namespace ascope
