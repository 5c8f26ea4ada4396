#include "checkpoint/checkpoint_converter.h"

#include <cstring>
#include <filesystem>

#include "checkpoint/checkpoint_tensors.h"
#include "checkpoint/safetensors_writer.h"

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
    SafetensorsWriter writer;
    writer.setMetadata("format", "pt");
    std::vector<float> values;
    for (const auto& name : tensors->names()) {
        const TensorView* view = tensors->find(name);
        if (!toFloat32(*view, values)) {  // integer tensors: unchanged
            writer.addRaw(name, view->dtype, view->shape, std::vector<std::uint8_t>(view->data, view->data + view->byteSize));
            continue;
        }
        std::vector<std::uint8_t> bytes;
        if (dtype == DType::F32) {
            bytes.resize(values.size() * 4);
            std::memcpy(bytes.data(), values.data(), bytes.size());
        } else {
            bytes.resize(values.size() * 2);
            for (std::size_t i = 0; i < values.size(); ++i) {
                const std::uint16_t h = dtype == DType::F16 ? floatToHalf(values[i]) : floatToBFloat16(values[i]);
                std::memcpy(bytes.data() + 2 * i, &h, 2);  // little-endian hosts, as safetensors
            }
        }
        writer.addRaw(name, dtype, view->shape, std::move(bytes));
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
