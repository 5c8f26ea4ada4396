#include "models/activation.h"

namespace ascope {

bool parseActivation(const std::string& name, Activation& out) {
    if (name == "gelu") out = Activation::GeluErf;
    else if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast") out = Activation::GeluTanh;
    else if (name == "relu") out = Activation::Relu;
    else if (name == "silu" || name == "swish") out = Activation::Silu;
    else return false;
    return true;
}

torch::Tensor applyActivation(Activation act, const torch::Tensor& x) {
    switch (act) {
    case Activation::GeluErf: return torch::gelu(x);
    case Activation::GeluTanh: return torch::gelu(x, "tanh");
    case Activation::Relu: return torch::relu(x);
    case Activation::Silu: return torch::silu(x);
    }
    return x;
}

}  // namespace ascope
