#pragma once
// Internal: the hidden activations Hugging Face configs name.
#include "util/core_internal.h"
#include <string>
#include <torch/torch.h>

namespace ascope {

enum class Activation { GeluErf, GeluTanh, Relu, Silu };

// Returns false for names this build does not implement.
bool parseActivation(const std::string& name, Activation& out);
torch::Tensor applyActivation(Activation act, const torch::Tensor& x);

}  // namespace ascope
