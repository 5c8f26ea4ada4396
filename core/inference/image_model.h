#pragma once
// A Vision Transformer (ViT, DeiT) image classifier loaded from a Hugging Face folder. No torch
// types; every torch exception is caught here and returned as an Error.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "checkpoint/model_config.h"
#include "inference/attention_controls.h"
#include "inference/head_importance.h"
#include "inference/image_analysis.h"
#include "util/expected.h"
#include "vision/image_preprocessor.h"

namespace ascope {

struct ImageRunOptions {
    int topK = 5;
    AttentionMaskSpec attentionMask;  // token indices: [CLS] (and [DIST]) first, then the patches
    std::vector<HeadRef> ablate;
    std::function<bool(int, int)> onLayer;  // (layer, layers) -> false cancels
};

class ImageModel {
public:
    static Expected<std::unique_ptr<ImageModel>> load(const std::string& dir);
    ~ImageModel();

    Expected<ImageAnalysis> analyse(const RgbImage& image, const ImageRunOptions& options = {}) const;
    // Head importance for the top class: its probability with each head switched off alone, on top
    // of options' mask and ablation (one entry in HeadImportance::masks, position 0 = [CLS], the
    // answer's token being the class label). Batched layer by layer as TextModel's.
    Expected<HeadImportance> headImportance(const RgbImage& image, const ImageRunOptions& options,
                                            const std::function<bool(int, int)>& onProgress = {}) const;

    const ModelConfig& config() const;
    const PreprocessorConfig& preprocessor() const;
    const std::string& directory() const;
    bool hasClassifier() const;
    int prefixTokens() const;
    // Position embeddings [prefix + patches][hidden], row-major.
    std::vector<float> positionEmbeddings() const;

private:
    ImageModel();
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace ascope
