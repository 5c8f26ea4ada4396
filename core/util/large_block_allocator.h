#pragma once
// An allocator for the few very large buffers a run returns (every attention matrix of a run: 151 MB
// for BERT-base at 512 tokens). Blocks of 4 MB and more come from huge-page memory, and one freed
// block is kept for the next run of the same size while no other large block is alive: a script or
// benchmark that analyses, uses and drops result after result then writes into memory that is
// already mapped (touching 151 MB of fresh pages costs 30-90 ms), while a process holding results
// never keeps a spare beside them. Smaller requests go to std::allocator.
#include <cstddef>
#include <memory>

namespace ascope {

namespace large_blocks {
constexpr std::size_t kThreshold = std::size_t(4) << 20;
void* allocate(std::size_t bytes);
void deallocate(void* p, std::size_t bytes);
// Blocks currently handed out, and whether one is kept for reuse (for tests).
std::size_t liveBlocks();
bool holdsSpare();
}  // namespace large_blocks

template <class T>
class LargeBlockAllocator : public std::allocator<T> {
public:
    using value_type = T;
    template <class U>
    struct rebind {
        using other = LargeBlockAllocator<U>;
    };
    LargeBlockAllocator() = default;
    template <class U>
    LargeBlockAllocator(const LargeBlockAllocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        const std::size_t bytes = n * sizeof(T);
        if (bytes < large_blocks::kThreshold) return std::allocator<T>::allocate(n);
        return static_cast<T*>(large_blocks::allocate(bytes));
    }
    void deallocate(T* p, std::size_t n) noexcept {
        const std::size_t bytes = n * sizeof(T);
        if (bytes < large_blocks::kThreshold) return std::allocator<T>::deallocate(p, n);
        large_blocks::deallocate(p, bytes);
    }
};
template <class T, class U>
bool operator==(const LargeBlockAllocator<T>&, const LargeBlockAllocator<U>&) { return true; }
template <class T, class U>
bool operator!=(const LargeBlockAllocator<T>&, const LargeBlockAllocator<U>&) { return false; }

}  // namespace ascope
