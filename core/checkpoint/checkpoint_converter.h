#pragma once
// Rewrites a Hugging Face folder's weights in another floating-point dtype (e.g. F32 -> F16 to
// halve a checkpoint), copying config.json, vocab.txt and the tokenizer/preprocessor configs.
#include <string>

#include "checkpoint/tensor_view.h"
#include "util/expected.h"

namespace ascope {

// dtype: F32, F16 or BF16. Integer tensors are copied unchanged. Writes dst/model.safetensors.
Status convertCheckpoint(const std::string& srcDir, const std::string& dstDir, DType dtype);

}  // namespace ascope
