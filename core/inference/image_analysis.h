#pragma once
// What one run of an image model returns: plain C++ data, no torch types.
#include <string>
#include <vector>

#include "inference/text_analysis.h"
#include "vision/image_preprocessor.h"

namespace ascope {

struct ClassPrediction {
    std::string label;
    int id = 0;
    float probability = 0.f;
};

struct ImageAnalysis {
    AttentionStack attention;  // [layers][heads][prefix + patches][prefix + patches]
    std::vector<ClassPrediction> top;
    int prefixTokens = 1;      // [CLS] (+ distillation token for DeiT) before the patches
    int gridRows = 0, gridCols = 0;
    int patchSize = 0;
    RgbImage input;            // the resized/cropped image the model saw
    AppliedAttentionControls controls;  // padding is not used for images

    // "[CLS]", "[DIST]", then "patch r,c" in row-major order.
    std::vector<std::string> tokenLabels() const;
};

}  // namespace ascope
