#pragma once
// Memory-mapped reader for one .safetensors file, validating everything before any byte is
// read: header length, JSON header, dtypes, shapes, offsets (in bounds, no overlap, matching
// shape x dtype size).
#include <map>
#include <memory>
#include <string>

#include "checkpoint/tensor_view.h"
#include "util/expected.h"
#include "util/mapped_file.h"

namespace ascope {

class SafetensorsReader {
public:
    static Expected<std::shared_ptr<SafetensorsReader>> open(const std::string& path);

    const std::map<std::string, TensorView>& tensors() const { return m_tensors; }
    const TensorView* find(const std::string& name) const;
    const std::map<std::string, std::string>& metadata() const { return m_metadata; }
    const std::string& path() const { return m_file->path(); }
    const std::shared_ptr<MappedFile>& file() const { return m_file; }

private:
    std::shared_ptr<MappedFile> m_file;
    std::map<std::string, TensorView> m_tensors;
    std::map<std::string, std::string> m_metadata;
};

}  // namespace ascope
