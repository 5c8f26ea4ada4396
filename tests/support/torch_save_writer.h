#pragma once
// Writes state dicts the way torch.save does (ZIP format of PyTorch >= 1.6, or the legacy
// stream format), byte for byte in the same opcode patterns, so the restricted .bin reader can
// be tested without Python. Tensors may share a storage at an offset and may be strided.
#include <cstdint>
#include <string>
#include <vector>

#include "checkpoint/checkpoint_tensors.h"
#include "checkpoint/tensor_view.h"

namespace ascope::test {

struct SavedTensor {
    std::string name;
    std::string storageKey;  // tensors with the same key share one storage
    DType dtype = DType::F32;
    std::vector<std::uint8_t> storageBytes;  // the whole storage (only taken from the first tensor of a key)
    std::int64_t offset = 0;                 // in elements
    std::vector<std::int64_t> shape, stride;  // stride empty: row-major
    bool asParameter = false;                // wrap in torch._utils._rebuild_parameter
};

struct TorchSaveOptions {
    bool legacyFormat = false;
    std::string archiveName = "archive";  // the ZIP's top folder
    std::string extraGlobal;              // "module\nname" slipped into the pickle (hostile files)
    bool compressData = false;            // mark data entries as deflated (method 8)
};

// Every tensor of a checkpoint, each in its own storage (what torch.save writes for a state dict).
std::vector<SavedTensor> savedTensorsFrom(const CheckpointTensors& tensors);

std::string torchSaveBytes(const std::vector<SavedTensor>& tensors, const TorchSaveOptions& options = {});
void writeTorchSave(const std::string& path, const std::vector<SavedTensor>& tensors, const TorchSaveOptions& options = {});

// A stored ZIP archive with the given entries (name, bytes), as PyTorch writes them.
std::string zipStored(const std::vector<std::pair<std::string, std::string>>& entries, bool markDeflated = false);

}  // namespace ascope::test
