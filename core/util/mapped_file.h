#pragma once
// Read-only memory map of a whole file (POSIX mmap). Empty files map to an empty span.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "util/expected.h"

namespace ascope {

class MappedFile {
public:
    static Expected<std::shared_ptr<MappedFile>> open(const std::string& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::uint8_t* data() const { return m_data; }
    std::size_t size() const { return m_size; }
    const std::string& path() const { return m_path; }
    // Whether [p, p + bytes) lies inside this mapping.
    bool contains(const void* p, std::size_t bytes) const;
    // Drops the whole pages inside [p, p + bytes) from the process's resident memory (the file and
    // the page cache are untouched; the next read maps them again). For memory read once.
    void releasePages(const void* p, std::size_t bytes) const;

private:
    MappedFile() = default;
    std::string m_path;
    const std::uint8_t* m_data = nullptr;
    std::size_t m_size = 0;
};

}  // namespace ascope
