#pragma once
// Positional-encoding math for the explorer's plots.
#include <vector>

namespace ascope {

// "Attention Is All You Need": PE[pos][2i] = sin(pos / 10000^(2i/d)), PE[pos][2i+1] = cos(...).
// Returns [positions][dims], row-major.
std::vector<float> sinusoidalEncoding(int positions, int dims);

// Cosine similarity of every row to every other: rows is [n][dim] -> [n][n].
std::vector<float> cosineSimilarity(const std::vector<float>& rows, int n, int dim);

}  // namespace ascope
