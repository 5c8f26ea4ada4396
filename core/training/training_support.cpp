#include "training/training_support.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "models/torch_weights.h"

namespace fs = std::filesystem;

namespace ascope::training {

void initWeights(torch::nn::Module& module) {
    torch::NoGradGuard noGrad;
    for (auto& p : module.named_parameters(true)) {
        const auto& name = p.key();
        const bool norm = name.find("LayerNorm") != std::string::npos || name.find("layernorm") != std::string::npos;
        if (norm) {
            if (name.size() >= 6 && name.compare(name.size() - 6, 6, "weight") == 0) p.value().fill_(1.0);
            else p.value().zero_();
        } else if (p.value().dim() >= 2) {
            p.value().normal_(0.0, 0.02);
        } else {
            p.value().zero_();
        }
    }
}

double learningRateAt(int step, int total, double warmupFraction, double peak) {
    const int warmup = std::max(1, static_cast<int>(total * warmupFraction));
    if (step < warmup) return peak * (step + 1) / warmup;
    return peak * std::max(0.0, double(total - step) / double(std::max(1, total - warmup)));
}

std::unique_ptr<torch::optim::AdamW> makeAdamW(const std::vector<torch::nn::Module*>& modules, double lr, double decay) {
    std::vector<torch::Tensor> withDecay, without;
    for (auto* m : modules)
        for (auto& p : m->named_parameters(true)) (p.value().dim() >= 2 ? withDecay : without).push_back(p.value());
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(withDecay, std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(lr).weight_decay(decay)));
    groups.emplace_back(without, std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(lr).weight_decay(0.0)));
    return std::make_unique<torch::optim::AdamW>(std::move(groups), torch::optim::AdamWOptions(lr));
}

void setLearningRate(torch::optim::Optimizer& optimizer, double lr) {
    for (auto& g : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
}

void clipGradients(torch::optim::Optimizer& optimizer, double maxNorm) {
    for (auto& g : optimizer.param_groups()) torch::nn::utils::clip_grad_norm_(g.params(), maxNorm);  // per group
}

void addParameters(SafetensorsWriter& writer, torch::nn::Module& module, const std::string& prefix, bool half,
                   const std::function<std::string(const std::string&)>& nameOf) {
    for (auto& item : module.named_parameters(true)) {
        auto t = item.value().detach().contiguous();
        std::vector<std::int64_t> shape(t.sizes().begin(), t.sizes().end());
        if (half) t = t.to(torch::kHalf).contiguous();
        const auto* bytes = static_cast<const std::uint8_t*>(t.data_ptr());
        writer.addRaw(nameOf ? nameOf(prefix + item.key()) : prefix + item.key(), half ? DType::F16 : DType::F32, shape,
                      std::vector<std::uint8_t>(bytes, bytes + t.numel() * t.element_size()));
    }
}

Status writeTextAtomic(const std::string& path, const std::string& text) {
    const auto tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) return makeError(ErrorKind::Io, tmp + ": cannot open for writing");
        out << text;
        if (!out) return makeError(ErrorKind::Io, tmp + ": write failed");
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) return makeError(ErrorKind::Io, path + ": cannot rename into place");
    return Status::ok();
}

namespace {
std::string toHex(const std::uint8_t* data, std::size_t size) {
    static const char* digits = "0123456789abcdef";
    std::string out(size * 2, '0');
    for (std::size_t i = 0; i < size; ++i) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    return out;
}

bool fromHex(const std::string& text, std::vector<std::uint8_t>& out) {
    if (text.size() % 2) return false;
    auto nibble = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
    out.resize(text.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = nibble(text[2 * i]), lo = nibble(text[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    return true;
}
}  // namespace

Status saveTrainerState(const std::string& dir, torch::optim::Optimizer& optimizer, int step, unsigned seed,
                        const nlohmann::json& extra) {
    try {
        const auto tmp = (fs::path(dir) / "optimizer.pt.tmp").string();
        torch::save(optimizer, tmp);
        fs::rename(tmp, fs::path(dir) / "optimizer.pt");
    } catch (const std::exception& e) {
        return makeError(ErrorKind::Internal, describeTorchError(e));
    }
    nlohmann::json state{{"global_step", step}, {"seed", seed}, {"data_state", extra}};
    return writeTextAtomic((fs::path(dir) / "trainer_state.json").string(), state.dump(1));
}

Expected<TrainerState> loadTrainerState(const std::string& dir, torch::optim::Optimizer& optimizer) {
    TrainerState out;
    std::ifstream in(fs::path(dir) / "trainer_state.json");
    try {
        const auto j = nlohmann::json::parse(in);
        out.step = j.at("global_step").get<int>();
        if (out.step < 0) throw std::out_of_range("negative step");
        out.extra = j.value("data_state", nlohmann::json::object());
        if (!out.extra.is_object()) throw std::invalid_argument("data_state");
    } catch (const std::exception&) {
        return makeError(ErrorKind::InvalidInput, dir + "/trainer_state.json: missing or invalid");
    }
    try {
        if (fs::exists(fs::path(dir) / "optimizer.pt")) torch::load(optimizer, (fs::path(dir) / "optimizer.pt").string());
    } catch (const std::exception& e) {
        return makeError(ErrorKind::InvalidInput, dir + "/optimizer.pt: " + describeTorchError(e));
    }
    return out;
}

std::size_t DataOrder::next(const std::function<void()>& onEpochEnd) {
    if (epochDone()) {
        if (cursor > 0 && onEpochEnd) onEpochEnd();
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::shuffle(order.begin(), order.end(), rng);
        cursor = 0;
    }
    return order[cursor++];
}

nlohmann::json DataOrder::toJson(at::Generator& dropout) const {
    std::ostringstream rngText;
    rngText << rng;
    return {{"rng", rngText.str()}, {"order", order}, {"cursor", cursor}, {"dropout_rng", generatorState(dropout)}};
}

Status DataOrder::fromJson(const nlohmann::json& j, at::Generator& dropout, std::size_t items, const std::string& what) {
    auto invalid = makeError(ErrorKind::InvalidInput, "trainer_state.json: the saved data order does not fit this " + what);
    try {
        std::istringstream rngText(j.at("rng").get<std::string>());
        rngText >> rng;
        if (!rngText) return invalid;
        order = j.at("order").get<std::vector<std::size_t>>();
        cursor = j.at("cursor").get<std::size_t>();
    } catch (const std::exception&) {
        return invalid;
    }
    if (order.size() != items || cursor > order.size()) return invalid;
    for (auto i : order)
        if (i >= items) return invalid;
    return restoreGeneratorState(dropout, j.value("dropout_rng", std::string()));
}

std::string generatorState(at::Generator& generator) {
    std::lock_guard<std::mutex> lock(generator.mutex());
    const auto state = generator.get_state().contiguous();  // [bytes] uint8
    return toHex(state.data_ptr<std::uint8_t>(), static_cast<std::size_t>(state.numel()));
}

Status restoreGeneratorState(at::Generator& generator, const std::string& hex) {
    std::vector<std::uint8_t> bytes;
    if (!fromHex(hex, bytes) || bytes.empty()) return makeError(ErrorKind::InvalidInput, "the saved random state is not valid");
    try {
        std::lock_guard<std::mutex> lock(generator.mutex());
        generator.set_state(torch::from_blob(bytes.data(), {static_cast<int64_t>(bytes.size())}, torch::kUInt8).clone());
    } catch (const std::exception& e) {
        return makeError(ErrorKind::InvalidInput, "the saved random state is not valid: " + describeTorchError(e));
    }
    return Status::ok();
}

Expected<int> runTrainingLoop(const LoopSettings& s, torch::optim::Optimizer& optimizer, int startStep,
                              const std::function<StepOutput(int step)>& forward,
                              const std::function<Status(int step)>& save, const TrainCallback& onProgress) {
    ProgressTracker tracker(startStep, s.totalSteps);
    int step = startStep;
    while (step < s.totalSteps) {
        tracker.beginStep();
        StepOutput out = forward(step);
        const double lr = learningRateAt(step, s.totalSteps, s.warmupFraction, s.learningRate);
        setLearningRate(optimizer, lr);
        optimizer.zero_grad();
        out.loss.backward();
        clipGradients(optimizer, s.clipNorm);
        optimizer.step();
        ++step;
        TrainProgress p = tracker.endStep(step, out.loss.item<double>(), out.accuracy, out.items, lr);
        const bool due = step % s.checkpointEvery == 0 || step == s.totalSteps;
        if (due) {
            if (auto st = save(step); !st) return st.errorValue();
            p.checkpointWritten = s.outDir;
        }
        if (onProgress && !onProgress(p)) {
            if (!due)
                if (auto st = save(step); !st) return st.errorValue();
            return step;
        }
    }
    return step;
}

ProgressTracker::ProgressTracker(int startStep, int totalSteps)
    : m_start(startStep), m_total(totalSteps), m_started(std::chrono::steady_clock::now()), m_stepStart(m_started) {}

TrainProgress ProgressTracker::endStep(int step, double loss, double accuracy, double items, double learningRate) {
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - m_stepStart).count();
    const int done = std::max(1, step - m_start);
    const double a = done < 20 ? 1.0 / done : 0.05;
    m_loss = (1 - a) * m_loss + a * loss;
    m_accuracy = (1 - a) * m_accuracy + a * accuracy;
    m_rate = (1 - a) * m_rate + a * (items / std::max(seconds, 1e-6));
    TrainProgress p;
    p.step = step;
    p.totalSteps = m_total;
    p.loss = m_loss;
    p.accuracy = m_accuracy;
    p.itemsPerSecond = m_rate;
    p.learningRate = learningRate;
    p.etaSeconds = std::chrono::duration<double>(now - m_started).count() / done * (m_total - step);
    return p;
}

}  // namespace ascope::training
