#pragma once
// Writes float32 arrays in NumPy's .npy format (version 1.0, little-endian, C order).
#include <cstdint>
#include <string>
#include <vector>

#include "util/expected.h"

namespace ascope {

std::string npyBytes(const std::vector<std::int64_t>& shape, const float* data, std::size_t count);

}  // namespace ascope
