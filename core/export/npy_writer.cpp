#include "export/npy_writer.h"

#include <cstring>
#include <fstream>

namespace ascope {

std::string npyBytes(const std::vector<std::int64_t>& shape, const float* data, std::size_t count) {
    std::string dims;
    for (std::size_t i = 0; i < shape.size(); ++i) dims += std::to_string(shape[i]) + (i + 1 < shape.size() ? ", " : "");
    if (shape.size() == 1) dims += ",";  // a Python one-tuple
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
    const std::size_t prefix = 10;  // magic (6) + version (2) + header length (2)
    while ((prefix + header.size() + 1) % 64 != 0) header.push_back(' ');
    header.push_back('\n');
    std::string out("\x93NUMPY\x01\x00", 8);
    const auto len = static_cast<std::uint16_t>(header.size());
    out.push_back(static_cast<char>(len & 0xFF));
    out.push_back(static_cast<char>(len >> 8));
    out += header;
    const std::size_t start = out.size();
    out.resize(start + count * sizeof(float));
    if (count) std::memcpy(&out[start], data, count * sizeof(float));
    return out;
}

}  // namespace ascope
