#pragma once
// A procedurally generated image-classification data set: one coloured shape (circle, square,
// triangle, star, cross, ring) at a random position, size and colour on a cluttered background.
// Deterministic for a given seed and index.
#include <cstdint>
#include <string>
#include <vector>

#include "vision/image_preprocessor.h"

namespace ascope {

const std::vector<std::string>& shapeClassNames();

struct ShapeSample {
    RgbImage image;
    int label = 0;
    std::vector<float> coverage;  // per pixel (row-major), the fraction of it the shape covers (0..1)
};

// The sample with this index of the data set with this seed (any index, no storage).
ShapeSample renderShapeSample(unsigned seed, unsigned long long index, int size);

}  // namespace ascope
