#include "analysis/positional_encoding.h"

#include <cmath>

namespace ascope {

std::vector<float> sinusoidalEncoding(int positions, int dims) {
    std::vector<float> pe(static_cast<std::size_t>(positions) * dims);
    for (int pos = 0; pos < positions; ++pos)
        for (int d = 0; d < dims; ++d) {
            const int i2 = d - d % 2;
            const double angle = pos / std::pow(10000.0, static_cast<double>(i2) / dims);
            pe[static_cast<std::size_t>(pos) * dims + d] = static_cast<float>(d % 2 == 0 ? std::sin(angle) : std::cos(angle));
        }
    return pe;
}

std::vector<float> cosineSimilarity(const std::vector<float>& rows, int n, int dim) {
    std::vector<double> norms(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        double s = 0;
        for (int d = 0; d < dim; ++d) s += double(rows[static_cast<std::size_t>(i) * dim + d]) * rows[static_cast<std::size_t>(i) * dim + d];
        norms[static_cast<std::size_t>(i)] = std::sqrt(s);
    }
    std::vector<float> out(static_cast<std::size_t>(n) * n, 0.f);
    for (int i = 0; i < n; ++i)
        for (int j = i; j < n; ++j) {
            double s = 0;
            for (int d = 0; d < dim; ++d)
                s += double(rows[static_cast<std::size_t>(i) * dim + d]) * rows[static_cast<std::size_t>(j) * dim + d];
            const double denom = norms[static_cast<std::size_t>(i)] * norms[static_cast<std::size_t>(j)];
            const float v = denom > 0 ? static_cast<float>(s / denom) : 0.f;
            out[static_cast<std::size_t>(i) * n + j] = out[static_cast<std::size_t>(j) * n + i] = v;
        }
    return out;
}

}  // namespace ascope
