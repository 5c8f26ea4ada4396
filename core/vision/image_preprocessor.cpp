#include "vision/image_preprocessor.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "util/json_fields.h"

namespace ascope {

namespace {
constexpr int kMaxSide = 16384;

double bicubic(double x) {
    constexpr double a = -0.5;  // PIL's choice
    x = std::fabs(x);
    if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
    return 0;
}
double triangle(double x) {
    x = std::fabs(x);
    return x < 1 ? 1 - x : 0;
}

// Resamples along one axis: in [n][inLen][3] (strided) -> out [n][outLen][3].
void resample1d(const std::vector<float>& in, int lines, int inLen, int outLen, bool horizontal, int lineStride,
                std::vector<float>& out, int resample) {
    const double scale = static_cast<double>(inLen) / outLen;
    const double filterScale = std::max(1.0, scale);
    const double support = (resample == 2 ? 1.0 : 2.0) * filterScale;
    for (int o = 0; o < outLen; ++o) {
        const double center = (o + 0.5) * scale;
        const int lo = std::max(0, static_cast<int>(std::floor(center - support)));
        const int hi = std::min(inLen, static_cast<int>(std::ceil(center + support)));
        std::vector<double> w;
        double total = 0;
        for (int i = lo; i < hi; ++i) {
            const double x = (i + 0.5 - center) / filterScale;
            const double v = resample == 2 ? triangle(x) : bicubic(x);
            w.push_back(v);
            total += v;
        }
        if (total != 0)
            for (auto& v : w) v /= total;
        for (int l = 0; l < lines; ++l)
            for (int c = 0; c < 3; ++c) {
                double acc = 0;
                for (int i = lo; i < hi; ++i) {
                    const std::size_t idx = horizontal ? (static_cast<std::size_t>(l) * lineStride + i) * 3 + c
                                                       : (static_cast<std::size_t>(i) * lineStride + l) * 3 + c;
                    acc += w[static_cast<std::size_t>(i - lo)] * in[idx];
                }
                const std::size_t oidx = horizontal ? (static_cast<std::size_t>(l) * outLen + o) * 3 + c
                                                    : (static_cast<std::size_t>(o) * lines + l) * 3 + c;
                out[oidx] = static_cast<float>(acc);
            }
    }
}

std::uint8_t clampByte(float v) { return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L)); }
}  // namespace

Expected<PreprocessorConfig> PreprocessorConfig::fromFolder(const std::string& dir, int imageSize) {
    const auto path = (std::filesystem::path(dir) / "preprocessor_config.json").string();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return fromJsonText("{}", path, imageSize);
    std::ifstream in(path, std::ios::binary);
    if (!in) return makeError(ErrorKind::Io, path + ": cannot open");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return fromJsonText(text, path, imageSize);
}

Expected<PreprocessorConfig> PreprocessorConfig::fromJsonText(const std::string& text, const std::string& path, int imageSize) {
    PreprocessorConfig c;
    if (imageSize > 0) c.resizeHeight = c.resizeWidth = c.cropHeight = c.cropWidth = imageSize;
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
        if (!j.is_object()) return makeError(ErrorKind::InvalidInput, path + ": not a JSON object");
        c.doResize = j.value("do_resize", true);
        // Sizes are a single integer or an object of height/width (or shortest_edge).
        auto readSize = [&](const char* key, int& height, int& width, int* shortest) -> Status {
            auto s = j.find(key);
            if (s == j.end() || s->is_null()) return Status::ok();
            if (s->is_number()) {
                if (auto st = readIntField(j, key, height, 1, kMaxSide, path); !st) return st;
                width = height;
                return Status::ok();
            }
            if (!s->is_object()) return makeError(ErrorKind::InvalidInput, path + ": '" + key + "' must be a number or an object");
            if (shortest)
                if (auto st = readIntField(*s, "shortest_edge", *shortest, 1, kMaxSide, path); !st) return st;
            if (auto st = readIntField(*s, "height", height, 1, kMaxSide, path); !st) return st;
            return readIntField(*s, "width", width, 1, kMaxSide, path);
        };
        if (auto st = readSize("size", c.resizeHeight, c.resizeWidth, &c.shortestEdge); !st) return st.errorValue();
        if (auto st = readIntField(j, "resample", c.resample, 0, 5, path); !st) return st.errorValue();
        c.doCenterCrop = j.value("do_center_crop", false);
        if (auto st = readSize("crop_size", c.cropHeight, c.cropWidth, nullptr); !st) return st.errorValue();
        c.doRescale = j.value("do_rescale", true);
        c.rescaleFactor = j.value("rescale_factor", 1.0 / 255.0);
        c.doNormalize = j.value("do_normalize", true);
        for (const char* key : {"image_mean", "image_std"}) {
            if (auto m = j.find(key); m != j.end()) {
                double* dst = std::string(key) == "image_mean" ? c.mean : c.std;
                if (m->is_array() && m->size() == 3)
                    for (int i = 0; i < 3; ++i) dst[i] = (*m)[static_cast<std::size_t>(i)].get<double>();
                else if (m->is_number())
                    for (int i = 0; i < 3; ++i) dst[i] = m->get<double>();
            }
        }
    } catch (const std::exception& e) {
        return makeError(ErrorKind::InvalidInput, path + ": invalid preprocessor configuration (" + e.what() + ")");
    }
    for (int v : {c.resizeHeight, c.resizeWidth, c.cropHeight, c.cropWidth})
        if (v <= 0 || v > kMaxSide) return makeError(ErrorKind::InvalidInput, path + ": image sizes must be between 1 and 16384");
    if (c.shortestEdge < 0 || c.shortestEdge > kMaxSide)
        return makeError(ErrorKind::InvalidInput, path + ": shortest_edge must be between 1 and 16384");
    for (double v : {c.rescaleFactor, c.mean[0], c.mean[1], c.mean[2], c.std[0], c.std[1], c.std[2]})
        if (!std::isfinite(v)) return makeError(ErrorKind::InvalidInput, path + ": rescale_factor, image_mean and image_std must be finite");
    for (double s : c.std)
        if (s == 0) return makeError(ErrorKind::InvalidInput, path + ": image_std must not be zero");
    return c;
}

int PreprocessorConfig::outputHeight() const { return doCenterCrop ? cropHeight : resizeHeight; }
int PreprocessorConfig::outputWidth() const { return doCenterCrop ? cropWidth : resizeWidth; }

RgbImage resizeImage(const RgbImage& image, int width, int height, int resample) {
    std::vector<float> src(image.pixels.begin(), image.pixels.end());
    std::vector<float> tmp(static_cast<std::size_t>(image.height) * width * 3);
    resample1d(src, image.height, image.width, width, true, image.width, tmp, resample);
    std::vector<float> dst(static_cast<std::size_t>(height) * width * 3);
    resample1d(tmp, width, image.height, height, false, width, dst, resample);
    RgbImage out{width, height, std::vector<std::uint8_t>(dst.size())};
    for (std::size_t i = 0; i < dst.size(); ++i) out.pixels[i] = clampByte(dst[i]);
    return out;
}

RgbImage centerCrop(const RgbImage& image, int width, int height) {
    RgbImage out{width, height, std::vector<std::uint8_t>(static_cast<std::size_t>(width) * height * 3, 0)};
    const int top = (image.height - height) / 2, left = (image.width - width) / 2;
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const int sy = y + top, sx = x + left;
            if (sy < 0 || sx < 0 || sy >= image.height || sx >= image.width) continue;
            for (int c = 0; c < 3; ++c)
                out.pixels[(static_cast<std::size_t>(y) * width + x) * 3 + c] =
                    image.pixels[(static_cast<std::size_t>(sy) * image.width + sx) * 3 + c];
        }
    return out;
}

Expected<RgbImage> preprocessGeometry(const RgbImage& image, const PreprocessorConfig& c) {
    if (image.width <= 0 || image.height <= 0 || image.width > kMaxSide || image.height > kMaxSide)
        return makeError(ErrorKind::InvalidInput, "image size " + std::to_string(image.width) + " x " + std::to_string(image.height) +
                         " is not supported (1 to 16384 pixels a side)");
    if (image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * 3)
        return makeError(ErrorKind::InvalidInput, "image buffer does not match its size");
    RgbImage out = image;
    if (c.doResize) {
        int w = c.resizeWidth, h = c.resizeHeight;
        if (c.shortestEdge > 0) {
            const double s = static_cast<double>(c.shortestEdge) / std::min(image.width, image.height);
            w = std::max(1, static_cast<int>(std::lround(image.width * s)));
            h = std::max(1, static_cast<int>(std::lround(image.height * s)));
            if (std::max(image.width * s, image.height * s) > kMaxSide)
                return makeError(ErrorKind::InvalidInput,
                                 "image size " + std::to_string(image.width) + " x " + std::to_string(image.height) +
                                     " is too elongated: its short side scaled to " + std::to_string(c.shortestEdge) +
                                     " makes the long side over 16384 pixels");
        }
        out = resizeImage(out, w, h, c.resample);
    }
    if (c.doCenterCrop) out = centerCrop(out, c.cropWidth, c.cropHeight);
    return out;
}

Expected<std::vector<float>> preprocessImage(const RgbImage& image, const PreprocessorConfig& c) {
    auto geo = preprocessGeometry(image, c);
    if (!geo) return geo.errorValue();
    const std::size_t plane = static_cast<std::size_t>(geo->width) * geo->height;
    std::vector<float> out(plane * 3);
    for (std::size_t p = 0; p < plane; ++p)
        for (int ch = 0; ch < 3; ++ch) {
            double v = geo->pixels[p * 3 + ch];
            if (c.doRescale) v *= c.rescaleFactor;
            if (c.doNormalize) v = (v - c.mean[ch]) / c.std[ch];
            out[static_cast<std::size_t>(ch) * plane + p] = static_cast<float>(v);
        }
    return out;
}

}  // namespace ascope
