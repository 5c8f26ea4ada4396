// libFuzzer target: image preprocessing on odd sizes (1 pixel, extreme aspect ratios, sizes that
// do not match the buffer) and odd configurations (resize, shortest edge, crop larger than the
// image, every resample filter).
#include <cstdint>
#include <cstring>

#include "vision/image_preprocessor.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 8) return 0;
    ascope::RgbImage image;
    image.width = data[0] % 64 + (data[1] & 0x80 ? 0 : 1);  // 0..64, zero now and then
    image.height = data[1] % 64 + 1;
    ascope::PreprocessorConfig config;
    config.doResize = data[2] & 1;
    config.doCenterCrop = data[2] & 2;
    config.shortestEdge = data[2] & 4 ? data[3] % 80 : 0;
    config.resizeWidth = data[4] % 80 + 1;
    config.resizeHeight = data[5] % 80 + 1;
    config.cropWidth = data[6] % 96 + 1;
    config.cropHeight = data[7] % 96 + 1;
    config.resample = data[2] >> 4;
    const std::size_t want = static_cast<std::size_t>(image.width) * image.height * 3;
    const std::size_t have = size - 8;
    image.pixels.assign(data + 8, data + 8 + (data[2] & 8 ? have : std::min(have, want)));
    if (!(data[2] & 8)) image.pixels.resize(want, 0x80);
    auto out = ascope::preprocessImage(image, config);
    if (out && out->size() != static_cast<std::size_t>(config.outputWidth()) * config.outputHeight() * 3 &&
        config.shortestEdge == 0 && (config.doResize || config.doCenterCrop))
        __builtin_trap();  // the output has the size the configuration promises
    return 0;
}
