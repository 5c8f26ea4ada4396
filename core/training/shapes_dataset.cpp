#include "training/shapes_dataset.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace ascope {

namespace {
struct Color {
    int r, g, b;
};

Color randomColor(std::mt19937_64& rng) {
    std::uniform_int_distribution<int> d(0, 255);
    return {d(rng), d(rng), d(rng)};
}

void blend(RgbImage& img, int x, int y, Color c, double alpha = 1.0) {
    if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
    auto* p = &img.pixels[(static_cast<std::size_t>(y) * img.width + x) * 3];
    p[0] = static_cast<std::uint8_t>(p[0] * (1 - alpha) + c.r * alpha);
    p[1] = static_cast<std::uint8_t>(p[1] * (1 - alpha) + c.g * alpha);
    p[2] = static_cast<std::uint8_t>(p[2] * (1 - alpha) + c.b * alpha);
}

// Is (px, py) inside shape `label` centred at (cx, cy) with radius r and rotation a?
bool inside(int label, double px, double py, double cx, double cy, double r, double a) {
    const double dx = px - cx, dy = py - cy;
    const double x = dx * std::cos(a) + dy * std::sin(a), y = -dx * std::sin(a) + dy * std::cos(a);
    const double d = std::sqrt(x * x + y * y);
    switch (label) {
    case 0: return d <= r;                                          // circle
    case 1: return std::fabs(x) <= r * 0.8 && std::fabs(y) <= r * 0.8;  // square
    case 2: {                                                       // triangle (pointing up)
        const double h = r * 1.5, top = -r, bottom = r * 0.5;
        if (y < top || y > bottom) return false;
        const double half = (y - top) / h * r * 1.1;
        return std::fabs(x) <= half;
    }
    case 3: {  // five-pointed star
        const double angle = std::atan2(y, x) + M_PI / 2;
        const double k = std::fmod(angle + 10 * M_PI, 2 * M_PI / 5) / (2 * M_PI / 5);
        const double edge = r * (0.45 + 0.55 * std::fabs(1 - 2 * k));
        return d <= edge;
    }
    case 4: return (std::fabs(x) <= r * 0.28 && std::fabs(y) <= r) || (std::fabs(y) <= r * 0.28 && std::fabs(x) <= r);  // cross
    default: return d <= r && d >= r * 0.6;  // ring
    }
}
}  // namespace

const std::vector<std::string>& shapeClassNames() {
    static const std::vector<std::string> names = {"circle", "square", "triangle", "star", "cross", "ring"};
    return names;
}

ShapeSample renderShapeSample(unsigned seed, unsigned long long index, int size) {
    std::mt19937_64 rng((static_cast<unsigned long long>(seed) << 32) ^ (index * 0x9E3779B97F4A7C15ull));
    std::uniform_real_distribution<double> u(0.0, 1.0);
    ShapeSample s;
    s.label = static_cast<int>(rng() % shapeClassNames().size());
    s.image = RgbImage{size, size, std::vector<std::uint8_t>(static_cast<std::size_t>(size) * size * 3)};
    // Background: a random gradient plus noise.
    const Color a = randomColor(rng), b = randomColor(rng);
    const double noise = 10 + 30 * u(rng);
    std::normal_distribution<double> n(0.0, noise);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            const double t = (x + y) / (2.0 * size);
            auto* p = &s.image.pixels[(static_cast<std::size_t>(y) * size + x) * 3];
            p[0] = static_cast<std::uint8_t>(std::clamp(a.r * (1 - t) + b.r * t + n(rng), 0.0, 255.0));
            p[1] = static_cast<std::uint8_t>(std::clamp(a.g * (1 - t) + b.g * t + n(rng), 0.0, 255.0));
            p[2] = static_cast<std::uint8_t>(std::clamp(a.b * (1 - t) + b.b * t + n(rng), 0.0, 255.0));
        }
    // Clutter: thin random lines and small dots.
    const int lines = static_cast<int>(rng() % 4);
    for (int l = 0; l < lines; ++l) {
        const Color c = randomColor(rng);
        const double x0 = u(rng) * size, y0 = u(rng) * size, x1 = u(rng) * size, y1 = u(rng) * size;
        for (int k = 0; k <= 2 * size; ++k) {
            const double t = k / (2.0 * size);
            blend(s.image, static_cast<int>(x0 + (x1 - x0) * t), static_cast<int>(y0 + (y1 - y0) * t), c, 0.7);
        }
    }
    const int dots = static_cast<int>(rng() % 6);
    for (int d = 0; d < dots; ++d) {
        const Color c = randomColor(rng);
        const int cx = static_cast<int>(u(rng) * size), cy = static_cast<int>(u(rng) * size);
        for (int y = -1; y <= 1; ++y)
            for (int x = -1; x <= 1; ++x) blend(s.image, cx + x, cy + y, c, 0.8);
    }
    // The shape: a colour far enough from the background around it.
    const double r = size * (0.12 + 0.16 * u(rng));
    const double cx = r + u(rng) * (size - 2 * r), cy = r + u(rng) * (size - 2 * r);
    const double angle = (s.label == 0 || s.label == 5) ? 0 : (u(rng) - 0.5) * 0.6;
    Color c = randomColor(rng);
    const auto* bg = &s.image.pixels[(static_cast<std::size_t>(cy) * size + static_cast<std::size_t>(cx)) * 3];
    if (std::abs(c.r - bg[0]) + std::abs(c.g - bg[1]) + std::abs(c.b - bg[2]) < 200)
        c = {255 - bg[0], 255 - bg[1], 255 - bg[2]};
    s.coverage.assign(static_cast<std::size_t>(size) * size, 0.f);
    const int ss = 3;  // supersampling for smooth edges
    for (int y = std::max(0, static_cast<int>(cy - 1.6 * r)); y < std::min(size, static_cast<int>(cy + 1.6 * r) + 1); ++y)
        for (int x = std::max(0, static_cast<int>(cx - 1.6 * r)); x < std::min(size, static_cast<int>(cx + 1.6 * r) + 1); ++x) {
            int hits = 0;
            for (int sy = 0; sy < ss; ++sy)
                for (int sx = 0; sx < ss; ++sx)
                    hits += inside(s.label, x + (sx + 0.5) / ss, y + (sy + 0.5) / ss, cx, cy, r, angle);
            if (!hits) continue;
            blend(s.image, x, y, c, static_cast<double>(hits) / (ss * ss));
            s.coverage[static_cast<std::size_t>(y) * size + x] = static_cast<float>(hits) / (ss * ss);
        }
    return s;
}

}  // namespace ascope
