#pragma once
// Gives a fuzz input a file path (an anonymous in-memory file) for readers that open paths, and
// reads every tensor a checkpoint reader accepted.
#include <cstdint>
#include <map>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

#include "checkpoint/tensor_view.h"

namespace ascope::fuzz {

class InputFile {
public:
    InputFile(const std::uint8_t* data, std::size_t size) : m_fd(memfd_create("fuzz-input", 0)) {
        std::size_t written = 0;
        while (m_fd >= 0 && written < size) {
            const ssize_t n = write(m_fd, data + written, size - written);
            if (n <= 0) break;
            written += static_cast<std::size_t>(n);
        }
    }
    ~InputFile() {
        if (m_fd >= 0) close(m_fd);
    }
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;
    std::string path() const { return "/proc/self/fd/" + std::to_string(m_fd); }

private:
    int m_fd;
};

// Converts every (not too large) floating-point tensor, touching all of its bytes.
inline void readAllTensors(const std::map<std::string, TensorView>& tensors) {
    std::vector<float> values;
    for (const auto& [name, view] : tensors)
        if (view.byteSize <= (1u << 20)) toFloat32(view, values);
}

}  // namespace ascope::fuzz
