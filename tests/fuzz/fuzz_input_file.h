#pragma once
// Gives a fuzz input a file path (an anonymous in-memory file) for readers that open paths.
#include <cstdint>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

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

}  // namespace ascope::fuzz
