#include "util/mapped_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ascope {

Expected<std::shared_ptr<MappedFile>> MappedFile::open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return makeError(ErrorKind::Io, path + ": cannot open (" + std::strerror(errno) + ")");
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return makeError(ErrorKind::Io, path + ": not a regular file");
    }
    std::shared_ptr<MappedFile> file(new MappedFile());
    file->m_path = path;
    file->m_size = static_cast<std::size_t>(st.st_size);
    if (file->m_size > 0) {
        void* p = ::mmap(nullptr, file->m_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            const std::string reason = std::strerror(errno);
            ::close(fd);
            return makeError(ErrorKind::Io, path + ": cannot map file (" + reason + ")");
        }
        file->m_data = static_cast<const std::uint8_t*>(p);
    }
    ::close(fd);
    return file;
}

bool MappedFile::contains(const void* p, std::size_t bytes) const {
    const auto* b = static_cast<const std::uint8_t*>(p);
    return m_data && b >= m_data && bytes <= m_size && static_cast<std::size_t>(b - m_data) <= m_size - bytes;
}

void MappedFile::releasePages(const void* p, std::size_t bytes) const {
    if (!contains(p, bytes)) return;
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    // Whole pages inside the range: a page shared with a neighbouring tensor stays.
    const auto from = (reinterpret_cast<std::uintptr_t>(p) + page - 1) / page * page;
    const auto to = (reinterpret_cast<std::uintptr_t>(p) + bytes) / page * page;
    if (to > from) ::madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
}

MappedFile::~MappedFile() {
    if (m_data) ::munmap(const_cast<std::uint8_t*>(m_data), m_size);
}

}  // namespace ascope
