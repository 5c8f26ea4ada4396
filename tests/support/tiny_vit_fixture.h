#pragma once
// Writes a tiny, seeded, random ViT (or DeiT with distillation token) checkpoint as a Hugging Face
// folder, keeping its weights for the plain reference implementation.
#include <string>

#include "tiny_bert_fixture.h"
#include "vision/image_preprocessor.h"

namespace ascope::test {

struct TinyVitSpec {
    int imageSize = 16;
    int patchSize = 4;
    int hidden = 12;
    int layers = 2;
    int heads = 3;
    int intermediate = 24;
    int classes = 5;
    bool deit = false;      // DeiT with teacher: distillation token and two classifiers
    bool classifier = true;  // false: a bare ViTModel (no head, no labels)
    unsigned seed = 21;
};

struct TinyVit {
    std::string dir;
    ModelConfig config;
    TinyVitSpec spec;
    std::map<std::string, Weight> weights;  // names without the "vit."/"deit." prefix for the encoder
    const Weight& w(const std::string& name) const { return weights.at(name); }
};

TinyVit writeTinyVit(const std::string& dir, const TinyVitSpec& spec = {});
// A deterministic test picture.
RgbImage testPicture(int width, int height, unsigned seed);

}  // namespace ascope::test
