#include "bench_support.h"

#include <cmath>
#include <cstdio>
#include <random>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "checkpoint/safetensors_writer.h"
#include "tokenizer/vocab.h"

namespace fs = std::filesystem;

namespace ascope::bench {

ModelConfig bertBase() {
    ModelConfig c;
    c.modelType = "bert";
    c.architectures = {"BertForMaskedLM"};
    c.vocabSize = 30522;
    c.hiddenSize = 768;
    c.numLayers = 12;
    c.numHeads = 12;
    c.intermediateSize = 3072;
    c.maxPositionEmbeddings = 512;
    return c;
}

ModelConfig bertLarge() {
    ModelConfig c = bertBase();
    c.hiddenSize = 1024;
    c.numLayers = 24;
    c.numHeads = 16;
    c.intermediateSize = 4096;
    return c;
}

ModelConfig robertaBase() {
    ModelConfig c = bertBase();
    c.modelType = "roberta";
    c.architectures = {"RobertaForMaskedLM"};
    c.vocabSize = 50265;
    c.maxPositionEmbeddings = 514;
    c.typeVocabSize = 1;
    c.padTokenId = 1;
    c.layerNormEps = 1e-5;
    return c;
}

namespace {
struct RandomTensors {
    RandomTensors(unsigned seed, DType stored) : rng(seed), dtype(stored) {}
    void operator()(const std::string& name, std::vector<std::int64_t> shape, float fill = NAN) {
        std::int64_t n = 1;
        for (auto d : shape) n *= d;
        std::vector<float> v(static_cast<std::size_t>(n));
        for (auto& x : v) x = std::isnan(fill) ? normal(rng) : fill;
        bytes += 4.0 * static_cast<double>(n);
        if (dtype == DType::F32) return writer.addFloat32(name, shape, std::move(v));
        std::vector<std::uint8_t> raw(v.size() * 2);
        for (std::size_t k = 0; k < v.size(); ++k) {
            const std::uint16_t h = dtype == DType::F16 ? floatToHalf(v[k]) : floatToBFloat16(v[k]);
            raw[2 * k] = static_cast<std::uint8_t>(h & 0xFF);
            raw[2 * k + 1] = static_cast<std::uint8_t>(h >> 8);
        }
        writer.addRaw(name, dtype, shape, std::move(raw));
    }
    std::mt19937 rng;
    DType dtype;
    std::normal_distribution<float> normal{0.f, 0.02f};
    SafetensorsWriter writer;
    double bytes = 0;
};

void writeConfig(const fs::path& dir, const ModelConfig& c) {
    std::FILE* f = std::fopen((dir / "config.json").c_str(), "w");
    if (!f || std::fputs(c.toJsonText().c_str(), f) < 0) std::fprintf(stderr, "bench: cannot write %s\n", (dir / "config.json").c_str());
    if (f) std::fclose(f);
}
}  // namespace

double writeRandomCheckpoint(const fs::path& dir, const ModelConfig& c, DType dtype) {
    fs::create_directories(dir);
    RandomTensors tensors(3, dtype);
    // RoBERTa's names for a RoBERTa-family config (roberta.*, lm_head.*), else BERT's.
    const bool roberta = c.isRobertaFamily();
    auto add = [&](const std::string& bertName, std::vector<std::int64_t> shape, float value = NAN) {
        std::string name = bertName;
        if (roberta) {
            static const std::pair<std::string, std::string> kNames[] = {
                {"bert.", "roberta."},
                {"cls.predictions.transform.dense.", "lm_head.dense."},
                {"cls.predictions.transform.LayerNorm.", "lm_head.layer_norm."},
                {"cls.predictions.bias", "lm_head.bias"},
            };
            for (const auto& [from, to] : kNames)
                if (name.rfind(from, 0) == 0) {
                    name = to + name.substr(from.size());
                    break;
                }
        }
        tensors(name, std::move(shape), value);
    };
    const int h = c.hiddenSize, i = c.intermediateSize;
    add("bert.embeddings.word_embeddings.weight", {c.vocabSize, h});
    add("bert.embeddings.position_embeddings.weight", {c.maxPositionEmbeddings, h});
    add("bert.embeddings.token_type_embeddings.weight", {std::max(1, c.typeVocabSize), h});
    add("bert.embeddings.LayerNorm.weight", {h}, 1.f);
    add("bert.embeddings.LayerNorm.bias", {h}, 0.f);
    for (int l = 0; l < c.numLayers; ++l) {
        const std::string p = "bert.encoder.layer." + std::to_string(l) + ".";
        for (const char* m : {"query", "key", "value"}) {
            add(p + "attention.self." + m + ".weight", {h, h});
            add(p + "attention.self." + m + ".bias", {h}, 0.f);
        }
        add(p + "attention.output.dense.weight", {h, h});
        add(p + "attention.output.dense.bias", {h}, 0.f);
        add(p + "attention.output.LayerNorm.weight", {h}, 1.f);
        add(p + "attention.output.LayerNorm.bias", {h}, 0.f);
        add(p + "intermediate.dense.weight", {i, h});
        add(p + "intermediate.dense.bias", {i}, 0.f);
        add(p + "output.dense.weight", {h, i});
        add(p + "output.dense.bias", {h}, 0.f);
        add(p + "output.LayerNorm.weight", {h}, 1.f);
        add(p + "output.LayerNorm.bias", {h}, 0.f);
    }
    add("cls.predictions.transform.dense.weight", {h, h});
    add("cls.predictions.transform.dense.bias", {h}, 0.f);
    add("cls.predictions.transform.LayerNorm.weight", {h}, 1.f);
    add("cls.predictions.transform.LayerNorm.bias", {h}, 0.f);
    add("cls.predictions.bias", {c.vocabSize}, 0.f);
    if (auto st = tensors.writer.write((dir / "model.safetensors").string()); !st) std::fprintf(stderr, "bench: %s\n", st.error().c_str());
    if (!roberta) {  // a RoBERTa folder gets its tokenizer.json from the caller
        std::vector<std::string> vocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
        while (static_cast<int>(vocab.size()) < c.vocabSize) vocab.push_back("w" + std::to_string(vocab.size()));
        Vocab::fromTokens(vocab).writeFile((dir / "vocab.txt").string());
    }
    writeConfig(dir, c);
    return tensors.bytes;
}

double layerFlops(const ModelConfig& c, double t, double kept) {
    const double h = c.hiddenSize, i = c.intermediateSize;
    return 2 * t * h * 3 * h + 2 * 2 * t * t * h + kept * (2 * h * h + 2 * 2 * h * i);
}

double forwardFlops(const ModelConfig& c, double t, double masks) {
    const double h = c.hiddenSize;
    return (c.numLayers - 1) * layerFlops(c, t, t) + layerFlops(c, t, masks) + masks * (2 * h * h + 2 * h * c.vocabSize);
}

double writeRandomVit(const fs::path& dir, int imageSize) {
    fs::create_directories(dir);
    RandomTensors add(4, DType::F32);
    const int tokens = (imageSize / 16) * (imageSize / 16) + 1;
    const int h = 768, i = 3072;
    add("vit.embeddings.cls_token", {1, 1, h});
    add("vit.embeddings.position_embeddings", {1, tokens, h});
    add("vit.embeddings.patch_embeddings.projection.weight", {h, 3, 16, 16});
    add("vit.embeddings.patch_embeddings.projection.bias", {h}, 0.f);
    for (int l = 0; l < 12; ++l) {
        const std::string p = "vit.encoder.layer." + std::to_string(l) + ".";
        for (const char* m : {"query", "key", "value"}) {
            add(p + "attention.attention." + m + ".weight", {h, h});
            add(p + "attention.attention." + m + ".bias", {h}, 0.f);
        }
        add(p + "attention.output.dense.weight", {h, h});
        add(p + "attention.output.dense.bias", {h}, 0.f);
        add(p + "intermediate.dense.weight", {i, h});
        add(p + "intermediate.dense.bias", {i}, 0.f);
        add(p + "output.dense.weight", {h, i});
        add(p + "output.dense.bias", {h}, 0.f);
        for (const char* n : {"layernorm_before", "layernorm_after"}) {
            add(p + n + ".weight", {h}, 1.f);
            add(p + n + ".bias", {h}, 0.f);
        }
    }
    add("vit.layernorm.weight", {h}, 1.f);
    add("vit.layernorm.bias", {h}, 0.f);
    add("classifier.weight", {1000, h});
    add("classifier.bias", {1000}, 0.f);
    if (auto st = add.writer.write((dir / "model.safetensors").string()); !st) std::fprintf(stderr, "bench: %s\n", st.error().c_str());
    ModelConfig c;
    c.modelType = "vit";
    c.architectures = {"ViTForImageClassification"};
    c.hiddenSize = h;
    c.numLayers = 12;
    c.numHeads = 12;
    c.intermediateSize = i;
    c.imageSize = imageSize;
    c.patchSize = 16;
    for (int k = 0; k < 1000; ++k) c.id2label[k] = "class " + std::to_string(k);
    writeConfig(dir, c);
    return add.bytes;
}

ProcessMemory processMemory() {
    ProcessMemory m;
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) return m;
    char line[256];
    double kb = 0;
    while (std::fgets(line, sizeof line, f)) {
        if (std::sscanf(line, "RssAnon: %lf", &kb) == 1) m.anonMb = kb / 1e3;
        if (std::sscanf(line, "VmRSS: %lf", &kb) == 1) m.residentMb = kb / 1e3;
        if (std::sscanf(line, "VmHWM: %lf", &kb) == 1) m.peakMb = kb / 1e3;
    }
    std::fclose(f);
    return m;
}
void resetPeakMemory() {
    if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
        std::fputs("5", f);  // resets VmHWM to the current resident size
        std::fclose(f);
    }
}

std::string sentence(int words, int masks) {
    std::string s;
    for (int k = 0, next = 1; k < words; ++k) {
        const bool mask = next <= masks && k == words * next / (masks + 1);
        s += mask ? "[MASK] " : "w" + std::to_string(100 + k * 37) + " ";
        if (mask) ++next;
    }
    return s;
}

double writeRandomCheckpointApart(const fs::path& dir, const ModelConfig& c, DType dtype) {
    int fds[2];
    if (pipe(fds) != 0) return -1;
    const int status = inChildProcess([&] {
        close(fds[0]);
        const double bytes = writeRandomCheckpoint(dir, c, dtype);
        const bool ok = write(fds[1], &bytes, sizeof bytes) == static_cast<ssize_t>(sizeof bytes);
        close(fds[1]);
        return ok ? 0 : 1;
    });
    close(fds[1]);
    double bytes = -1;
    if (status != 0 || read(fds[0], &bytes, sizeof bytes) != static_cast<ssize_t>(sizeof bytes)) bytes = -1;
    close(fds[0]);
    return bytes;
}

int inChildProcess(const std::function<int()>& work) {
    std::fflush(stdout);
    const pid_t child = fork();
    if (child == 0) {
        const int code = work();
        std::fflush(stdout);
        std::_Exit(code);
    }
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

}  // namespace ascope::bench
