#pragma once
// A typed, shaped view of bytes inside a checkpoint file. No torch types here: the model code
// turns views into tensors inside core's .cpp files.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ascope {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool };

// Size in bytes of one element.
std::size_t dtypeSize(DType dtype);
// Name as safetensors writes it ("F32", "BF16", ...).
const char* dtypeName(DType dtype);
// Parses a safetensors dtype name; returns false for unknown names.
bool parseDType(const std::string& name, DType& out);

struct TensorView {
    std::string name;
    std::string file;  // the file the bytes live in, for error messages
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    const std::uint8_t* data = nullptr;  // not necessarily aligned
    std::size_t byteSize = 0;

    std::int64_t elementCount() const;
    std::string shapeString() const;  // "[768, 3072]"
};

// Converts any floating-point view (F32, F16, BF16, F64) to float32 values.
// Returns false (and leaves out unchanged) for integer or bool dtypes.
bool toFloat32(const TensorView& view, std::vector<float>& out);
// The same into `out`, which holds elementCount() floats.
bool toFloat32(const TensorView& view, float* out);
bool isFloatingDType(DType dtype);
// float32 -> IEEE half / bfloat16 bits, rounding to nearest even (as PyTorch converts); NaN
// becomes the canonical quiet NaN PyTorch writes (sign | 0x7E00 for half, 0x7FC0 for bfloat16).
std::uint16_t floatToHalf(float value);
std::uint16_t floatToBFloat16(float value);

}  // namespace ascope
