#pragma once
// Internal (includes torch): copying checkpoint tensors into LibTorch modules by name.
#include "util/core_internal.h"
#include <set>
#include <string>
#include <torch/torch.h>

#include "checkpoint/checkpoint_tensors.h"
#include "util/expected.h"

namespace ascope {

// How a module's parameters start. LibTorch's modules fill theirs with random numbers when built;
// for a model about to be read from a checkpoint that is wasted work (more than a second for
// BERT-base, and every page of the parameters touched), so loaders ask for Uninitialised.
enum class ParameterInit { Random, Uninitialised };

// A Linear [in -> out] or an Embedding [count, dim] whose parameters start as `init` says
// (Uninitialised: allocated, not written, so no memory is touched until the checkpoint is read).
torch::nn::Linear makeLinear(int64_t in, int64_t out, ParameterInit init, bool bias = true);
torch::nn::Embedding makeEmbedding(int64_t count, int64_t dim, ParameterInit init);
// torch::empty for Uninitialised, else torch::zeros: for parameters registered by hand.
torch::Tensor makeParameterTensor(torch::IntArrayRef shape, ParameterInit init);

// A float32 tensor with the values of `view` (F32/F16/BF16/F64), or an error naming the tensor.
Expected<torch::Tensor> toFloatTensor(const TensorView& view);

// How loadParameters fills a parameter. BorrowMatrices: a 2-D float32 parameter whose bytes lie
// aligned in the checkpoint becomes a view of them instead of a copy, and one stored in another
// dtype (float16, bfloat16) is converted into a ConversionScratch buffer. The checkpoint's memory is
// read-only and lives only as long as `tensors`, and scratch buffers are reused: only for weights
// packed (copied into their inference layout) and released before the next part loads, never written.
enum class LoadMode { Copy, BorrowMatrices };

// Float32 buffers reused for converted matrices while a model opens, part by part: the same shapes
// come back layer after layer, so one layer's worth of memory serves them all, instead of fresh
// pages touched for every weight.
class ConversionScratch {
public:
    // The next buffer, shaped `shape` (grown when smaller). Valid until rewind() hands it out again.
    torch::Tensor take(torch::IntArrayRef shape);
    void rewind() { m_next = 0; }

private:
    std::vector<torch::Tensor> m_buffers;
    std::size_t m_next = 0;
};

// Fills every parameter of `module` from `tensors[prefix + name]`. Accepts the old LayerNorm
// names (gamma/beta). Parameters listed in `optional` may be absent (left as they are).
// Shapes must match exactly: a mismatch names the tensor, the checkpoint shape and the expected one.
Status loadParameters(torch::nn::Module& module, const CheckpointTensors& tensors, const std::string& prefix,
                      const std::set<std::string>& optional = {}, LoadMode mode = LoadMode::Copy,
                      ConversionScratch* scratch = nullptr);

// For models that only run inference: loads layers[i] from `layerPrefix` + "i.", packs it (its
// packForInference(true) copies the weights into their inference layout and frees them) and
// releases its pages of the checkpoint before the next layer is read, so the model is never held
// twice while it opens. The layers' matrices are read where they lie (LoadMode::BorrowMatrices).
template <class LayerHolder>
Status loadLayersForInference(std::vector<LayerHolder>& layers, const CheckpointTensors& tensors, const std::string& layerPrefix) {
    ConversionScratch scratch;
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const std::string prefix = layerPrefix + std::to_string(l) + ".";
        scratch.rewind();
        if (auto st = loadParameters(*layers[l], tensors, prefix, {}, LoadMode::BorrowMatrices, &scratch); !st) return st;
        layers[l]->packForInference(true);
        tensors.releasePages(prefix);
    }
    return Status::ok();
}

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
