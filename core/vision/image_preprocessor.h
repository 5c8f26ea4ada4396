#pragma once
// Image preprocessing as a Hugging Face preprocessor_config.json says (ViTImageProcessor /
// DeiTImageProcessor): resize (bicubic or bilinear, antialiased like PIL), optional centre crop,
// rescale, normalise. Works on a plain RGB buffer: decoding image files is the app's job.
#include <cstdint>
#include <string>
#include <vector>

#include "util/expected.h"

namespace ascope {

struct RgbImage {
    int width = 0, height = 0;
    std::vector<std::uint8_t> pixels;  // RGB, 3 bytes per pixel, row-major
};

struct PreprocessorConfig {
    bool doResize = true;
    int resizeHeight = 224, resizeWidth = 224;
    int shortestEdge = 0;      // when set, resize the short side to this (keeping aspect)
    int resample = 3;          // PIL: 2 bilinear, 3 bicubic
    bool doCenterCrop = false;
    int cropHeight = 224, cropWidth = 224;
    bool doRescale = true;
    double rescaleFactor = 1.0 / 255.0;
    bool doNormalize = true;
    double mean[3] = {0.5, 0.5, 0.5};
    double std[3] = {0.5, 0.5, 0.5};

    // Missing file: defaults for `imageSize`. Broken file: an error.
    static Expected<PreprocessorConfig> fromFolder(const std::string& dir, int imageSize);
    // The same from the file's text; `source` names it in errors.
    static Expected<PreprocessorConfig> fromJsonText(const std::string& text, const std::string& source, int imageSize);
    int outputHeight() const;
    int outputWidth() const;
};

// Resizes an RGB image (PIL-style separable filter; support widened when shrinking).
RgbImage resizeImage(const RgbImage& image, int width, int height, int resample);
RgbImage centerCrop(const RgbImage& image, int width, int height);
// The geometric steps only (resize + crop), for showing what the model sees.
Expected<RgbImage> preprocessGeometry(const RgbImage& image, const PreprocessorConfig& config);
// Float tensor data [3][H][W] ready for the model.
Expected<std::vector<float>> preprocessImage(const RgbImage& image, const PreprocessorConfig& config);

}  // namespace ascope
