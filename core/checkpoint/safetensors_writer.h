#pragma once
// Writes float32 (or other dtype) tensors to a .safetensors file. Used by the trainer, by tests
// that generate tiny checkpoints, and by anything that saves a model. Writes to a temporary file
// and renames it, so a crash never leaves a half-written checkpoint behind.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "checkpoint/tensor_view.h"
#include "util/expected.h"

namespace ascope {

class SafetensorsWriter {
public:
    void addFloat32(const std::string& name, std::vector<std::int64_t> shape, std::vector<float> values);
    // Stores raw little-endian bytes with the given dtype (for F16/BF16/int tests and fixtures).
    void addRaw(const std::string& name, DType dtype, std::vector<std::int64_t> shape, std::vector<std::uint8_t> bytes);
    void setMetadata(const std::string& key, const std::string& value) { m_metadata[key] = value; }

    Status write(const std::string& path) const;

private:
    struct Entry {
        DType dtype;
        std::vector<std::int64_t> shape;
        std::vector<std::uint8_t> bytes;
    };
    std::map<std::string, Entry> m_entries;
    std::map<std::string, std::string> m_metadata;
};

}  // namespace ascope
