#include "models/packed_linear.h"

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "models/matrix_vector.h"
#include "models/onednn_support.h"
#include "models/panel_product.h"
#include "util/huge_page_memory.h"

namespace ascope {

namespace {
using dnnl::memory;
using Dims = memory::dims;
constexpr auto kF32 = memory::data_type::f32;
// The row count the weight layout is chosen for. oneDNN picks the same blocked layout for every
// row count (checked from 1 to 512 rows), so one packed copy serves every sentence length.
constexpr int64_t kLayoutRows = 128;

dnnl::algorithm algorithmFor(Activation act) {
    switch (act) {
    case Activation::GeluErf: return dnnl::algorithm::eltwise_gelu_erf;
    case Activation::GeluTanh: return dnnl::algorithm::eltwise_gelu_tanh;
    case Activation::Relu: return dnnl::algorithm::eltwise_relu;
    case Activation::Silu: return dnnl::algorithm::eltwise_swish;
    }
    throw std::logic_error("unknown activation");
}
// The eltwise alpha oneDNN's algorithm takes for `act` (swish is x * sigmoid(alpha x): silu at 1).
float alphaFor(Activation act) { return act == Activation::Silu ? 1.f : 0.f; }

// The product [rows, in] x weights [in, out] + bias, then the activation (act >= 0), then + residual.
// `weights` is a plain (strided) layout, or format_tag::any for oneDNN's packed layout.
onednn::Matmul linearPrimitive(int64_t rows, const memory::desc& weights, int act, bool residual) {
    const auto dims = weights.dims();
    const int64_t in = dims[0], out = dims[1];
    std::string key = "linear " + std::to_string(rows) + " " + std::to_string(in) + " " + std::to_string(out) + " " +
                      std::to_string(act) + " " + std::to_string(residual);
    if (weights.data.format_kind == dnnl_blocked)
        key += " strides " + std::to_string(weights.data.format_desc.blocking.strides[0]) + " " +
               std::to_string(weights.data.format_desc.blocking.strides[1]);
    dnnl::post_ops ops;
    if (act >= 0)
        ops.append_eltwise(1.f, algorithmFor(static_cast<Activation>(act)), alphaFor(static_cast<Activation>(act)), 0.f);
    if (residual) ops.append_binary(dnnl::algorithm::binary_add, memory::desc({rows, out}, kF32, memory::format_tag::ab));
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    return onednn::cachedMatmul(key, [&] {
        return dnnl::matmul::desc(memory::desc({rows, in}, kF32, memory::format_tag::ab), weights,
                                  memory::desc({1, out}, kF32, memory::format_tag::ab),
                                  memory::desc({rows, out}, kF32, memory::format_tag::ab));
    }, attr);
}

memory::desc packedWeightsAny(int64_t in, int64_t out) { return memory::desc({in, out}, kF32, memory::format_tag::any); }

// W^T [in, out] of a torch weight [out, in]: the same elements with the strides swapped.
memory::desc transposedDesc(const torch::Tensor& weight) {
    return memory::desc({weight.size(1), weight.size(0)}, kF32, Dims{weight.stride(1), weight.stride(0)});
}

// `packed` in `layout`: normally `packed` itself; on a CPU where oneDNN prefers another layout for
// this row count, a copy re-laid out for this call.
memory inLayout(const memory& packed, const memory::desc& layout) {
    if (layout == packed.get_desc()) return packed;
    memory source = packed, other(layout, onednn::cpuEngine());
    dnnl::stream stream(onednn::cpuEngine());
    dnnl::reorder(source, other).execute(stream, source, other);
    stream.wait();
    return other;
}

// A float32 weight [out, in] whose memory oneDNN can describe (no zero strides).
torch::Tensor plainWeight(const torch::Tensor& weightIn) {
    auto weight = weightIn.detach().to(torch::kFloat32);  // [out, in]
    return weight.stride(0) == 0 || weight.stride(1) == 0 ? weight.contiguous() : weight;
}

// A copy of `bias` ([out] float32 contiguous) as oneDNN's [1, out].
memory biasMemory(const torch::Tensor& bias) {
    memory m(memory::desc({1, bias.numel()}, kF32, memory::format_tag::ab), onednn::cpuEngine());
    std::copy(bias.data_ptr<float>(), bias.data_ptr<float>() + bias.numel(), static_cast<float*>(m.get_data_handle()));
    return m;
}

// Memory for a packed weight, on huge pages where the system offers them (fewer TLB misses while the
// products stream the weights), mapped on its own so that freeing it returns it to the system
// rather than leaving a hole in the heap.
class WeightStorage {
public:
    explicit WeightStorage(std::size_t bytes) : m_data(mapHugePageMemory(bytes)), m_bytes(bytes) {}
    ~WeightStorage() { unmapHugePageMemory(m_data, m_bytes); }
    WeightStorage(const WeightStorage&) = delete;
    WeightStorage& operator=(const WeightStorage&) = delete;
    void* data() const { return m_data; }

private:
    void* m_data = nullptr;
    std::size_t m_bytes = 0;
};
}  // namespace

struct PackedLinear::State {
    int64_t in = 0, out = 0;
    std::unique_ptr<WeightStorage> storage;
    memory weight, bias;                   // weight in oneDNN's blocked layout of [in, out]
    // Where oneDNN has no blocked (brgemm) kernel for this product, e.g. on CPUs without AVX-512,
    // its generic one is slower than BLAS at a sentence's row counts (104 against 193 GFLOP/s at
    // 128 rows measured with oneDNN held to AVX2). With AVX2 the narrow panel kernel then does every
    // product (models/panel_product.h), from `storage`; without it, BLAS does, from this copy.
    torch::Tensor blasWeight, blasBias;  // [in, out] contiguous (input-major), [out]
    // Where the weight is in panels (oneDNN's wide ones, or the narrow ones), rows up to
    // panelMaxRows run through the panel kernel.
    bool panels = false;
    bool narrowPanels = false;  // `storage` holds narrow panels; `weight` is not used
    PanelLayout panelLayout;
    const void* sourceData = nullptr;      // for packIfChanged
    int64_t sourceVersion = -1;
    bool released = false;                 // the source weight was freed: keep this pack
};

PackedLinear::PackedLinear() = default;
PackedLinear::~PackedLinear() = default;
PackedLinear::PackedLinear(PackedLinear&&) noexcept = default;
PackedLinear& PackedLinear::operator=(PackedLinear&&) noexcept = default;

bool PackedLinear::isPacked() const { return m_state != nullptr; }
bool PackedLinear::usesPanels() const { return m_state && m_state->panels; }

void PackedLinear::pack(const torch::Tensor& weightIn, const torch::Tensor& biasIn) {
    torch::NoGradGuard noGrad;
    TORCH_CHECK(weightIn.dim() == 2, "PackedLinear: weight must be [out, in]");
    const auto weight = plainWeight(weightIn);  // [out, in]
    auto state = std::make_unique<State>();
    state->out = weight.size(0);
    state->in = weight.size(1);
    auto bias = biasIn.defined() ? biasIn.detach().to(torch::kFloat32).contiguous() : torch::zeros({state->out});
    TORCH_CHECK(bias.numel() == state->out, "PackedLinear: bias must be [out]");
    const auto probe = linearPrimitive(kLayoutRows, packedWeightsAny(state->in, state->out), -1, false);
    if (std::string(probe.desc.impl_info_str()).rfind("brg", 0) != 0) {
        if (!narrowPanelKernelAvailable()) {
            state->blasWeight = weight.t().contiguous();  // [in, out]
            state->blasBias = bias.clone();
            m_state = std::move(state);
            return;
        }
        state->panelLayout = narrowPanelLayout(state->in, state->out);
        state->storage = std::make_unique<WeightStorage>(panelBytes(state->panelLayout));
        packNarrowPanels(weight.data_ptr<float>(), weight.stride(0), weight.stride(1), state->panelLayout,
                         static_cast<float*>(state->storage->data()));
        state->panels = state->narrowPanels = true;
        state->bias = biasMemory(bias);
        m_state = std::move(state);
        return;
    }
    auto& engine = onednn::cpuEngine();
    dnnl::stream stream(engine);
    memory plain(transposedDesc(weight), engine, weight.data_ptr<float>());
    const auto layout = probe.desc.weights_desc();
    state->storage = std::make_unique<WeightStorage>(layout.get_size());
    state->weight = memory(layout, engine, state->storage->data());
    dnnl::reorder(plain, state->weight).execute(stream, plain, state->weight);
    state->panels = panelKernelAvailable() && panelLayoutOf(layout, state->panelLayout);
    state->bias = biasMemory(bias);
    stream.wait();
    m_state = std::move(state);
}

void PackedLinear::packIfChanged(const torch::nn::Linear& linear) {
    const auto& w = linear->weight;
    const int64_t version = w._version() + (linear->bias.defined() ? linear->bias._version() : 0);
    if (m_state && (m_state->released || (m_state->sourceData == w.data_ptr() && m_state->sourceVersion == version)))
        return;
    pack(w, linear->bias);
    m_state->sourceData = w.data_ptr();
    m_state->sourceVersion = version;
}

namespace {
// y [rows, out] = act(y) in place, with oneDNN's eltwise kernel (the same activation the fused
// epilogue of the other products applies).
void activateInPlace(Activation act, float* y, int64_t rows, int64_t out) {
    const auto e = onednn::cachedEltwise(algorithmFor(act), alphaFor(act), rows, out);
    memory data(e.desc, onednn::cpuEngine(), y);
    onednn::runPrimitive(e.primitive, {{DNNL_ARG_SRC, data}, {DNNL_ARG_DST, data}});
}

// The input x [..., in] as [rows, in] float32 contiguous, an output [rows, out] and its final shape,
// and the residual as [rows, out] float32 contiguous (undefined without one).
struct LinearOperands {
    LinearOperands(const torch::Tensor& x, const torch::Tensor& residual, int64_t in, int64_t out) {
        TORCH_CHECK(x.size(-1) == in, "linear layer: input has ", x.size(-1), " features, expected ", in);
        outShape = x.sizes().vec();
        outShape.back() = out;
        rows = x.numel() / in;
        src = x.to(torch::kFloat32).reshape({rows, in}).contiguous();  // [rows, in]
        dst = torch::empty({rows, out}, torch::kFloat32);             // [rows, out]
        if (residual.defined()) add = residual.to(torch::kFloat32).reshape({rows, out}).contiguous();  // [rows, out]
    }
    std::vector<int64_t> outShape;
    int64_t rows = 0;
    torch::Tensor src, dst, add;
};

// act(x . W + bias) + residual through the panel kernel (models/panel_product.h): the bias and a
// residual without activation in its pass over the output, the activation in place after it.
torch::Tensor runPanels(LinearOperands& o, const float* panels, const PanelLayout& layout, const float* bias,
                        const Activation* act) {
    panelProduct(o.src.data_ptr<float>(), o.rows, panels, layout, bias, o.add.defined() && !act ? o.add.data_ptr<float>() : nullptr,
                 o.dst.data_ptr<float>());
    if (act) {  // act(x W + b) + residual
        activateInPlace(*act, o.dst.data_ptr<float>(), o.rows, layout.out);
        if (o.add.defined()) o.dst.add_(o.add);
    }
    return o.dst.view(o.outShape);
}

// act(x [..., in] . weights + bias) + residual -> [..., out]; `weights` packed (then `weightsDesc` is
// format any) or plain. With `panels` (the packed weight's wide panel layout), up to kPanelMaxRows
// rows run through the panel kernel.
torch::Tensor runLinear(const torch::Tensor& x, const memory& weights, const memory::desc& weightsDesc,
                        const memory& bias, const Activation* act, const torch::Tensor& residual,
                        const PanelLayout* panels = nullptr) {
    const auto dims = weights.get_desc().dims();
    const int64_t out = dims[1];
    LinearOperands o(x, residual, dims[0], out);
    const int64_t rows = o.rows;
    if (rows == 0) return o.dst.view(o.outShape);
    if (panels && rows <= panelMaxRows(*panels))  // up to a few hundred rows: faster than oneDNN
        return runPanels(o, static_cast<const float*>(weights.get_data_handle()), *panels,
                         static_cast<const float*>(bias.get_data_handle()), act);
    const auto p = linearPrimitive(rows, weightsDesc, act ? static_cast<int>(*act) : -1, o.add.defined());
    auto& engine = onednn::cpuEngine();
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, memory(p.desc.src_desc(), engine, o.src.data_ptr<float>())},
                                            {DNNL_ARG_WEIGHTS, inLayout(weights, p.desc.weights_desc())},
                                            {DNNL_ARG_BIAS, bias},
                                            {DNNL_ARG_DST, memory(p.desc.dst_desc(), engine, o.dst.data_ptr<float>())}};
    if (o.add.defined()) {
        const int index = act ? 1 : 0;  // the residual is the last post-op
        args.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1,
                     memory(memory::desc({rows, out}, kF32, memory::format_tag::ab), engine, o.add.data_ptr<float>()));
    }
    onednn::run(p, std::move(args));
    return o.dst.view(o.outShape);
}
}  // namespace

void PackedLinear::packAndRelease(torch::nn::Linear& linear) {
    packIfChanged(linear);
    releaseWeight(linear);
    m_state->released = true;
}

void packAll(std::initializer_list<std::pair<PackedLinear*, torch::nn::Linear*>> pairs, bool releaseWeights) {
    for (auto [packed, linear] : pairs) {
        if (releaseWeights) packed->packAndRelease(*linear);
        else packed->packIfChanged(*linear);
    }
}

int64_t rowsForProducts(int64_t rows) {
    constexpr int64_t kFrom = 256, kMultiple = 4;
    return rows < kFrom ? rows : (rows + kMultiple - 1) / kMultiple * kMultiple;
}

torch::Tensor padRowsForProducts(const torch::Tensor& x) {
    const int64_t seq = x.size(1), rows = rowsForProducts(seq);
    if (rows == seq || x.size(0) != 1) return x;
    auto padded = torch::empty({1, rows, x.size(2)}, x.options());  // [1, rows, width]
    padded.narrow(1, 0, seq).copy_(x);
    padded.narrow(1, seq, rows - seq).zero_();
    return padded;
}

torch::Tensor keptRows(const torch::Tensor& x, const torch::Tensor& rows) {
    return rows.defined() ? x.index_select(1, rows) : x;  // [batch, kept, width]
}

void releaseWeight(torch::nn::Linear& linear) {
    torch::NoGradGuard noGrad;
    linear->weight.set_data(torch::empty({0}, linear->weight.options()));
}

void returnFreedMemory() {
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

torch::Tensor PackedLinear::forward(const torch::Tensor& x, const Activation* act, const torch::Tensor& residual) const {
    TORCH_CHECK(m_state, "PackedLinear: forward before pack");
    if (m_state->blasWeight.defined()) {
        TORCH_CHECK(x.size(-1) == m_state->in, "linear layer: input has ", x.size(-1), " features, expected ", m_state->in);
        auto outShape = x.sizes().vec();
        outShape.back() = m_state->out;
        auto y = torch::addmm(m_state->blasBias, x.reshape({-1, m_state->in}), m_state->blasWeight);  // [rows, out]
        if (act) y = applyActivation(*act, y);
        if (residual.defined()) y.add_(residual.reshape({-1, m_state->out}));
        return y.view(outShape);
    }
    if (m_state->narrowPanels) {  // every row count (models/panel_product.h)
        LinearOperands o(x, residual, m_state->in, m_state->out);
        if (o.rows == 0) return o.dst.view(o.outShape);
        return runPanels(o, static_cast<const float*>(m_state->storage->data()), m_state->panelLayout,
                         static_cast<const float*>(m_state->bias.get_data_handle()), act);
    }
    return runLinear(x, m_state->weight, packedWeightsAny(m_state->in, m_state->out), m_state->bias, act, residual,
                     m_state->panels ? &m_state->panelLayout : nullptr);
}

torch::Tensor linearInPlace(const torch::Tensor& x, const torch::Tensor& weightIn, const torch::Tensor& biasIn) {
    const auto weight = plainWeight(weightIn);  // [out, in]
    auto bias = biasIn.defined() ? biasIn.detach().to(torch::kFloat32).contiguous() : torch::zeros({weight.size(0)});
    TORCH_CHECK(bias.numel() == weight.size(0), "linear layer: bias must be [out]");
    auto& engine = onednn::cpuEngine();
    const auto desc = transposedDesc(weight);
    return runLinear(x, memory(desc, engine, weight.data_ptr<float>()), desc,
                     memory(memory::desc({1, weight.size(0)}, kF32, memory::format_tag::ab), engine, bias.data_ptr<float>()),
                     nullptr, {});
}

torch::Tensor fewRowsLinearInPlace(const torch::Tensor& xIn, const torch::Tensor& weightIn, const torch::Tensor& biasIn) {
    TORCH_CHECK(xIn.dim() == 2, "few-rows product: x must be [rows, in]");
    const auto weight = plainWeight(weightIn);  // [out, in]
    const int64_t out = weight.size(0), in = weight.size(1), rows = xIn.size(0);
    const bool streamed = rows <= kMaxVectors && matrixVectorAvailable() && weight.stride(1) == 1 && weight.stride(0) >= in;
    if (!streamed && rows > 1) return linearInPlace(xIn, weight, biasIn);
    const auto x = xIn.detach().to(torch::kFloat32).contiguous();  // [rows, in]
    TORCH_CHECK(x.size(1) == in, "few-rows product: x must be [rows, in]");
    torch::Tensor bias;
    if (biasIn.defined()) {
        bias = biasIn.detach().to(torch::kFloat32).contiguous();  // [out]
        TORCH_CHECK(bias.numel() == out, "few-rows product: bias must be [out]");
    }
    if (!streamed)  // one row: BLAS's matrix-vector product (3.1 ms for BERT-base's decoder, oneDNN's matmul 4.1)
        return (bias.defined() ? torch::addmv(bias, weight, x[0]) : torch::mv(weight, x[0])).unsqueeze(0);  // [1, out]
    auto y = torch::empty({rows, out});  // [rows, out]
    matrixVector(weight.data_ptr<float>(), out, in, weight.stride(0), x.data_ptr<float>(), rows,
                 bias.defined() ? bias.data_ptr<float>() : nullptr, y.data_ptr<float>());
    return y;
}

}  // namespace ascope
