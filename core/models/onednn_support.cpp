#include "models/onednn_support.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <omp.h>

#include "util/compute_threads.h"

namespace ascope::onednn {

dnnl::engine& cpuEngine() {
    static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    return engine;
}

bool allowsAvx512() {
    using I = dnnl::cpu_isa;
    const auto isa = dnnl::get_effective_cpu_isa();  // reflects both the CPU and DNNL_MAX_CPU_ISA
    return isa == I::avx512_core || isa == I::avx512_core_vnni || isa == I::avx512_core_bf16 || isa == I::avx512_core_amx;
}

bool allowsAvx2() {
    using I = dnnl::cpu_isa;
    const auto isa = dnnl::get_effective_cpu_isa();
    return allowsAvx512() || isa == I::avx2 || isa == I::avx2_vnni;
}

Matmul cachedMatmul(const std::string& key, const std::function<dnnl::matmul::desc()>& describe, dnnl::primitive_attr attr) {
    static std::mutex mutex;
    static std::map<std::string, Matmul> cache;
    std::lock_guard<std::mutex> lock(mutex);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    Matmul m{dnnl::matmul::primitive_desc(describe(), attr, cpuEngine()), {}};
    m.primitive = dnnl::matmul(m.desc);
    if (cache.size() >= 1024) cache.clear();  // a session with very many sentence lengths: start over
    cache.emplace(key, m);
    return m;
}

Eltwise cachedEltwise(dnnl::algorithm algorithm, float alpha, int64_t rows, int64_t cols) {
    static std::mutex mutex;
    static std::map<std::string, Eltwise> cache;
    const std::string key = std::to_string(static_cast<int>(algorithm)) + " " + std::to_string(alpha) + " " +
                            std::to_string(rows) + " " + std::to_string(cols);
    std::lock_guard<std::mutex> lock(mutex);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    const dnnl::memory::desc desc({rows, cols}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::ab);
    const dnnl::eltwise_forward::primitive_desc pd(
        dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_inference, algorithm, desc, alpha, 0.f), cpuEngine());
    Eltwise e{dnnl::eltwise_forward(pd), desc};
    if (cache.size() >= 1024) cache.clear();  // as for the matmuls
    cache.emplace(key, e);
    return e;
}

void run(const Matmul& m, std::unordered_map<int, dnnl::memory> args) {
    auto& engine = cpuEngine();
    const auto scratchDesc = m.desc.scratchpad_desc();
    std::unique_ptr<std::uint8_t[]> scratch;
    if (scratchDesc.get_size() > 0) {
        scratch.reset(new std::uint8_t[scratchDesc.get_size() + 64]);
        auto* aligned = reinterpret_cast<std::uint8_t*>((reinterpret_cast<std::uintptr_t>(scratch.get()) + 63) & ~std::uintptr_t(63));
        args.emplace(DNNL_ARG_SCRATCHPAD, dnnl::memory(scratchDesc, engine, aligned));
    }
    runPrimitive(m.primitive, args);
}

void runPrimitive(const dnnl::primitive& p, const std::unordered_map<int, dnnl::memory>& args) {
    // oneDNN runs on OpenMP's team of the calling thread, whose size is per thread: a worker thread
    // (the GUI's) must get the configured count too.
    const int threads = configureComputeThreads();
    if (omp_get_max_threads() != threads) omp_set_num_threads(threads);
    dnnl::stream stream(cpuEngine());
    p.execute(stream, args);
    stream.wait();
}

}  // namespace ascope::onednn
