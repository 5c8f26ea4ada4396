#pragma once
// Internal (includes torch): copying checkpoint tensors into LibTorch modules by name.
#include "util/core_internal.h"
#include <set>
#include <string>
#include <torch/torch.h>

#include "checkpoint/checkpoint_tensors.h"
#include "util/expected.h"

namespace ascope {

// A float32 tensor with the values of `view` (F32/F16/BF16/F64), or an error naming the tensor.
Expected<torch::Tensor> toFloatTensor(const TensorView& view);

// Fills every parameter of `module` from `tensors[prefix + name]`. Accepts the old LayerNorm
// names (gamma/beta). Parameters listed in `optional` may be absent (left as they are).
// Shapes must match exactly: a mismatch names the tensor, the checkpoint shape and the expected one.
Status loadParameters(torch::nn::Module& module, const CheckpointTensors& tensors, const std::string& prefix,
                      const std::set<std::string>& optional = {});

// Looks up a tensor, also under the legacy LayerNorm names.
const TensorView* findTensor(const CheckpointTensors& tensors, const std::string& name);

// For inference: stores every Linear weight [out, in] as the transposed view of an [in, out]
// contiguous buffer, so x * W^T reaches BLAS as a plain (non-transposed) product. With
// OpenBLAS this is up to 11% faster for wide-input layers (3072 -> 768) at 128 tokens, and it
// is the layout the benchmark's matmul peak is measured with. Values are unchanged.
void useInputMajorLinearWeights(torch::nn::Module& module);

// Turns a torch exception into the one-line error text the UI and CLI show.
std::string describeTorchError(const std::exception& e);

}  // namespace ascope
