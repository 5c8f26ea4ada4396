#pragma once
// A Vision Transformer (ViT, DeiT) image classifier loaded from a Hugging Face folder. No torch
// types; every torch exception is caught inside the engine and returned as an Error. As for
// TextModel, load() checks the folder here and the model behind the interface lives in the engine.
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
    virtual ~ImageModel();
    ImageModel(const ImageModel&) = delete;
    ImageModel& operator=(const ImageModel&) = delete;

    virtual Expected<ImageAnalysis> analyse(const RgbImage& image, const ImageRunOptions& options = {}) const = 0;
    // Head importance for the top class: its probability with each head switched off alone, on top
    // of options' mask and ablation (one entry in HeadImportance::masks, position 0 = [CLS], the
    // answer's token being the class label). Batched layer by layer as TextModel's.
    virtual Expected<HeadImportance> headImportance(const RgbImage& image, const ImageRunOptions& options,
                                                    const std::function<bool(int, int)>& onProgress = {}) const = 0;

    virtual const ModelConfig& config() const = 0;
    virtual const PreprocessorConfig& preprocessor() const = 0;
    virtual const std::string& directory() const = 0;
    virtual bool hasClassifier() const = 0;
    virtual int prefixTokens() const = 0;
    // Position embeddings [prefix + patches][hidden], row-major.
    virtual std::vector<float> positionEmbeddings() const = 0;

protected:
    ImageModel() = default;
};

}  // namespace ascope
