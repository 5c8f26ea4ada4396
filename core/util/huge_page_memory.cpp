#include "util/huge_page_memory.h"

#include <cstdint>
#include <cstdlib>
#include <new>
#ifdef __linux__
#include <sys/mman.h>
#endif

namespace ascope {

namespace {
constexpr std::size_t kHuge = std::size_t(2) << 20, kPage = 4096;
std::size_t mappedBytes(std::size_t bytes) { return (bytes + kPage - 1) / kPage * kPage; }  // the tail past the last 2 MB stays on small pages
}  // namespace

void* mapHugePageMemory(std::size_t bytes) {
    const std::size_t size = mappedBytes(bytes);
#ifdef __linux__
    void* p = mmap(nullptr, size + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    // Keep the 2 MB-aligned part; unmap the slack before and after it.
    auto* base = static_cast<char*>(p);
    auto* aligned = reinterpret_cast<char*>((reinterpret_cast<std::uintptr_t>(base) + kHuge - 1) & ~(kHuge - 1));
    if (aligned > base) munmap(base, static_cast<std::size_t>(aligned - base));
    const std::size_t tail = kHuge - static_cast<std::size_t>(aligned - base);
    if (tail > 0) munmap(aligned + size, tail);
    madvise(aligned, size, MADV_HUGEPAGE);  // advice only
    return aligned;
#else
    void* p = std::aligned_alloc(kHuge, (size + kHuge - 1) / kHuge * kHuge);
    if (!p) throw std::bad_alloc();
    return p;
#endif
}

void unmapHugePageMemory(void* p, std::size_t bytes) {
    if (!p) return;
#ifdef __linux__
    munmap(p, mappedBytes(bytes));
#else
    (void)bytes;
    std::free(p);
#endif
}

}  // namespace ascope
