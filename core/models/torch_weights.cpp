#include "models/torch_weights.h"

#include "util/huge_page_memory.h"

namespace ascope {

namespace {
constexpr std::size_t kHugePageTensorBytes = std::size_t{4} << 20;

// An uninitialised float32 tensor; one of 4 MB or more on huge pages (mapHugePageMemory). The largest
// are word embeddings, which the MLM decoder streams whole for every [MASK] (models/matrix_vector.h):
// BERT-base's 94 MB, read alone from memory, in 2.0-2.8 ms on huge pages against 2.3-2.9 on small ones
// (2-core Zen 4, best of 30, in the same minutes).
torch::Tensor emptyWeight(torch::IntArrayRef shape) {
    const auto bytes = static_cast<std::size_t>(c10::multiply_integers(shape)) * sizeof(float);
    if (bytes < kHugePageTensorBytes) return torch::empty(shape);
    void* memory = mapHugePageMemory(bytes);
    return torch::from_blob(memory, shape, [bytes](void* p) { unmapHugePageMemory(p, bytes); }, torch::kFloat32);
}
}  // namespace

torch::nn::Linear makeLinear(int64_t in, int64_t out, ParameterInit init, bool bias) {
    if (init == ParameterInit::Random) return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias));
    // Built empty ([0, 1]: LibTorch's initialiser needs a non-zero fan-in), then given its real,
    // uninitialised shape.
    torch::nn::Linear linear(torch::nn::LinearOptions(1, 0).bias(bias));
    torch::NoGradGuard noGrad;
    linear->weight.set_data(torch::empty({out, in}));  // [out, in]
    if (bias) linear->bias.set_data(torch::empty({out}));
    linear->options = torch::nn::LinearOptions(in, out).bias(bias);
    return linear;
}

torch::nn::Embedding makeEmbedding(int64_t count, int64_t dim, ParameterInit init) {
    if (init == ParameterInit::Random) return torch::nn::Embedding(count, dim);
    torch::nn::Embedding embedding(torch::nn::EmbeddingOptions(0, 0));
    torch::NoGradGuard noGrad;
    embedding->weight.set_data(emptyWeight({count, dim}));  // [count, dim]
    embedding->options = torch::nn::EmbeddingOptions(count, dim);
    return embedding;
}

torch::Tensor makeParameterTensor(torch::IntArrayRef shape, ParameterInit init) {
    return init == ParameterInit::Random ? torch::zeros(shape) : torch::empty(shape);
}

torch::Tensor ConversionScratch::take(torch::IntArrayRef shape) {
    const auto count = c10::multiply_integers(shape);
    if (m_next == m_buffers.size()) m_buffers.emplace_back();
    auto& buffer = m_buffers[m_next++];
    if (!buffer.defined() || buffer.numel() < count) buffer = torch::empty({count});
    return buffer.narrow(0, 0, count).view(shape);
}

Expected<torch::Tensor> toFloatTensor(const TensorView& view) {
    std::vector<float> values;
    if (!toFloat32(view, values))
        return makeError(ErrorKind::InvalidInput, view.file + ": tensor '" + view.name + "' has dtype " + dtypeName(view.dtype) +
                         "; weights must be F32, F16, BF16 or F64");
    std::vector<int64_t> shape(view.shape.begin(), view.shape.end());
    auto t = torch::empty(shape, torch::kFloat32);
    if (!values.empty()) std::memcpy(t.data_ptr<float>(), values.data(), values.size() * sizeof(float));
    return t;
}

const TensorView* findTensor(const CheckpointTensors& tensors, const std::string& name) {
    if (const auto* v = tensors.find(name)) return v;
    auto replaceSuffix = [&](const std::string& from, const std::string& to) -> const TensorView* {
        if (name.size() > from.size() && name.compare(name.size() - from.size(), from.size(), from) == 0)
            return tensors.find(name.substr(0, name.size() - from.size()) + to);
        return nullptr;
    };
    if (name.find("LayerNorm") != std::string::npos) {
        if (const auto* v = replaceSuffix(".weight", ".gamma")) return v;
        if (const auto* v = replaceSuffix(".bias", ".beta")) return v;
    }
    return nullptr;
}

Status loadParameters(torch::nn::Module& module, const CheckpointTensors& tensors, const std::string& prefix,
                      const std::set<std::string>& optional, LoadMode mode, ConversionScratch* scratch) {
    torch::NoGradGuard noGrad;
    for (auto& item : module.named_parameters(true)) {
        const std::string name = prefix + item.key();
        const TensorView* view = findTensor(tensors, name);
        if (!view) {
            if (optional.count(item.key())) continue;
            return makeError(ErrorKind::InvalidInput, tensors.source() + ": missing tensor '" + name + "'");
        }
        auto& param = item.value();
        std::vector<std::int64_t> expected(param.sizes().begin(), param.sizes().end());
        if (view->shape != expected) {
            TensorView wanted;
            wanted.shape = expected;
            return makeError(ErrorKind::InvalidInput, view->file + ": tensor '" + name + "' has shape " + view->shapeString() +
                             " but config.json implies " + wanted.shapeString());
        }
        if (mode == LoadMode::BorrowMatrices && param.dim() == 2 && view->dtype == DType::F32 &&
            reinterpret_cast<std::uintptr_t>(view->data) % alignof(float) == 0) {
            // [rows, cols] over the checkpoint's bytes: const only by promise (see LoadMode)
            param.set_data(torch::from_blob(const_cast<std::uint8_t*>(view->data), expected, torch::kFloat32));
            continue;
        }
        if (mode == LoadMode::BorrowMatrices && scratch && param.dim() == 2 && isFloatingDType(view->dtype)) {
            auto converted = scratch->take(expected);  // [rows, cols]
            toFloat32(*view, converted.data_ptr<float>());
            param.set_data(converted);
            continue;
        }
        if (param.is_contiguous() && param.scalar_type() == torch::kFloat32 && isFloatingDType(view->dtype)) {
            toFloat32(*view, param.data_ptr<float>());  // straight into the parameter: no temporaries
            continue;
        }
        auto t = toFloatTensor(*view);
        if (!t) return t.errorValue();
        param.copy_(*t);
    }
    return Status::ok();
}

void useInputMajorLinearWeights(torch::nn::Module& module) {
    torch::NoGradGuard noGrad;
    for (const auto& m : module.modules()) {
        auto* linear = dynamic_cast<torch::nn::LinearImpl*>(m.get());
        if (!linear || linear->weight.dim() != 2) continue;
        linear->weight.set_data(linear->weight.detach().t().contiguous().t());  // [out, in] view of [in, out]
    }
}

std::string describeTorchError(const std::exception& e) {
    std::string msg = e.what();
    // LibTorch messages carry a C++ backtrace after the first line: keep the first line.
    const auto nl = msg.find('\n');
    if (nl != std::string::npos) msg.resize(nl);
    return "model computation failed: " + msg;
}

}  // namespace ascope
