#include "util/large_block_allocator.h"

#include <mutex>

#include "util/huge_page_memory.h"

namespace ascope::large_blocks {

namespace {
struct Pool {
    std::mutex mutex;
    void* spare = nullptr;  // kept only while live == 0
    std::size_t spareBytes = 0;
    std::size_t live = 0;
};
Pool& pool() {
    static Pool p;
    return p;
}
}  // namespace

void* allocate(std::size_t bytes) {
    auto& p = pool();
    void* stale = nullptr;
    std::size_t staleBytes = 0;
    {
        std::lock_guard<std::mutex> lock(p.mutex);
        ++p.live;
        if (p.spare && p.spareBytes == bytes) {
            void* block = p.spare;
            p.spare = nullptr;
            return block;
        }
        std::swap(stale, p.spare);  // another size: the spare goes
        staleBytes = p.spareBytes;
    }
    unmapHugePageMemory(stale, staleBytes);
    try {
        return mapHugePageMemory(bytes);
    } catch (...) {
        std::lock_guard<std::mutex> lock(p.mutex);
        --p.live;
        throw;
    }
}

void deallocate(void* block, std::size_t bytes) {
    auto& p = pool();
    {
        std::lock_guard<std::mutex> lock(p.mutex);
        --p.live;
        if (p.live == 0 && !p.spare) {
            p.spare = block;
            p.spareBytes = bytes;
            return;
        }
    }
    unmapHugePageMemory(block, bytes);
}

std::size_t liveBlocks() {
    std::lock_guard<std::mutex> lock(pool().mutex);
    return pool().live;
}

bool holdsSpare() {
    std::lock_guard<std::mutex> lock(pool().mutex);
    return pool().spare != nullptr;
}

}  // namespace ascope::large_blocks
