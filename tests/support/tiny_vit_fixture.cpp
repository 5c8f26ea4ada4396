#include "tiny_vit_fixture.h"

#include <filesystem>
#include <random>

#include "checkpoint/safetensors_writer.h"
#include "temp_dir.h"

namespace ascope::test {

TinyVit writeTinyVit(const std::string& dir, const TinyVitSpec& s) {
    std::filesystem::create_directories(dir);
    TinyVit t;
    t.dir = dir;
    t.spec = s;
    auto& c = t.config;
    c.modelType = s.deit ? "deit" : "vit";
    c.architectures = {s.deit ? "DeiTForImageClassificationWithTeacher" : "ViTForImageClassification"};
    c.hiddenSize = s.hidden;
    c.numLayers = s.layers;
    c.numHeads = s.heads;
    c.intermediateSize = s.intermediate;
    c.imageSize = s.imageSize;
    c.patchSize = s.patchSize;
    c.layerNormEps = 1e-6;
    for (int i = 0; s.classifier && i < s.classes; ++i) c.id2label[i] = "shape " + std::to_string(i);
    ExactRandomWeights random(s.seed);
    auto add = [&](const std::string& name, std::vector<std::int64_t> shape, float offset = 0.f) {
        t.weights[name] = random.make(std::move(shape), offset);
    };
    const int h = s.hidden, grid = s.imageSize / s.patchSize, prefix = s.deit ? 2 : 1;
    add("embeddings.cls_token", {1, 1, h});
    if (s.deit) add("embeddings.distillation_token", {1, 1, h});
    add("embeddings.position_embeddings", {1, grid * grid + prefix, h});
    add("embeddings.patch_embeddings.projection.weight", {h, 3, s.patchSize, s.patchSize});
    add("embeddings.patch_embeddings.projection.bias", {h});
    for (int l = 0; l < s.layers; ++l) {
        const std::string p = "encoder.layer." + std::to_string(l) + ".";
        for (const char* m : {"query", "key", "value"}) {
            add(p + "attention.attention." + m + ".weight", {h, h});
            add(p + "attention.attention." + m + ".bias", {h});
        }
        add(p + "attention.output.dense.weight", {h, h});
        add(p + "attention.output.dense.bias", {h});
        add(p + "intermediate.dense.weight", {s.intermediate, h});
        add(p + "intermediate.dense.bias", {s.intermediate});
        add(p + "output.dense.weight", {h, s.intermediate});
        add(p + "output.dense.bias", {h});
        add(p + "layernorm_before.weight", {h}, 1.f);
        add(p + "layernorm_before.bias", {h});
        add(p + "layernorm_after.weight", {h}, 1.f);
        add(p + "layernorm_after.bias", {h});
    }
    add("layernorm.weight", {h}, 1.f);
    add("layernorm.bias", {h});
    const std::vector<std::string> heads = s.deit ? std::vector<std::string>{"cls_classifier", "distillation_classifier"}
                                                  : std::vector<std::string>{"classifier"};
    for (const auto& head : s.classifier ? heads : std::vector<std::string>{}) {
        add("head:" + head + ".weight", {s.classes, h});
        add("head:" + head + ".bias", {s.classes});
    }
    SafetensorsWriter writer;
    const std::string prefixName = s.deit ? "deit." : "vit.";
    for (const auto& [name, w] : t.weights) {
        const std::string stored = name.rfind("head:", 0) == 0 ? name.substr(5) : prefixName + name;
        writer.addFloat32(stored, w.shape, w.values);
    }
    writer.write((std::filesystem::path(dir) / "model.safetensors").string());
    writeText((std::filesystem::path(dir) / "config.json").string(), c.toJsonText());
    writeText((std::filesystem::path(dir) / "preprocessor_config.json").string(),
              "{\"do_resize\": true, \"size\": {\"height\": " + std::to_string(s.imageSize) + ", \"width\": " +
                  std::to_string(s.imageSize) + "}, \"resample\": 3, \"do_rescale\": true, \"rescale_factor\": 0.00392156862745098,"
                  " \"do_normalize\": true, \"image_mean\": [0.5, 0.5, 0.5], \"image_std\": [0.5, 0.5, 0.5]}");
    return t;
}

RgbImage testPicture(int width, int height, unsigned seed) {
    RgbImage img{width, height, std::vector<std::uint8_t>(static_cast<std::size_t>(width) * height * 3)};
    std::mt19937 rng(seed);
    for (auto& p : img.pixels) p = static_cast<std::uint8_t>(rng() % 256);
    return img;
}

}  // namespace ascope::test
