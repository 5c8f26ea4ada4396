#include "checkpoint/checkpoint_converter.h"

#include <filesystem>
#include <torch/torch.h>

#include "checkpoint/checkpoint_tensors.h"
#include "checkpoint/safetensors_writer.h"
#include "models/torch_weights.h"

namespace fs = std::filesystem;

namespace ascope {

Status convertCheckpoint(const std::string& srcDir, const std::string& dstDir, DType dtype) {
    if (dtype != DType::F32 && dtype != DType::F16 && dtype != DType::BF16)
        return makeError(ErrorKind::InvalidInput, "conversion target must be F32, F16 or BF16");
    auto tensors = CheckpointTensors::openFolder(srcDir);
    if (!tensors) return tensors.errorValue();
    std::error_code ec;
    fs::create_directories(dstDir, ec);
    if (ec) return makeError(ErrorKind::Io, dstDir + ": cannot create the folder");
    const auto target = dtype == DType::F16 ? torch::kHalf : dtype == DType::BF16 ? torch::kBFloat16 : torch::kFloat32;
    SafetensorsWriter writer;
    writer.setMetadata("format", "pt");
    try {
        for (const auto& name : tensors->names()) {
            const TensorView* view = tensors->find(name);
            std::vector<float> probe;
            if (!toFloat32(*view, probe)) {  // integer tensors: unchanged
                writer.addRaw(name, view->dtype, view->shape, std::vector<std::uint8_t>(view->data, view->data + view->byteSize));
                continue;
            }
            auto t = toFloatTensor(*view);
            if (!t) return t.errorValue();
            auto converted = t->to(target).contiguous();
            const auto* bytes = static_cast<const std::uint8_t*>(converted.data_ptr());
            writer.addRaw(name, dtype, view->shape,
                          std::vector<std::uint8_t>(bytes, bytes + converted.numel() * converted.element_size()));
        }
    } catch (const std::exception& e) {
        return makeError(ErrorKind::Internal, describeTorchError(e));
    }
    if (auto st = writer.write((fs::path(dstDir) / "model.safetensors").string()); !st) return st;
    for (const char* f : {"config.json", "vocab.txt", "tokenizer_config.json", "preprocessor_config.json",
                          "special_tokens_map.json", "tokenizer.json"}) {
        const auto from = fs::path(srcDir) / f;
        if (fs::exists(from, ec) && fs::absolute(from) != fs::absolute(fs::path(dstDir) / f))
            fs::copy_file(from, fs::path(dstDir) / f, fs::copy_options::overwrite_existing, ec);
        if (ec) return makeError(ErrorKind::Io, (fs::path(dstDir) / f).string() + ": cannot copy");
    }
    return Status::ok();
}

}  // namespace ascope
