#pragma once
// Internal: who computes which panel of which row block in a panel product (panel_product.cpp).
//
// Thread t owns a contiguous run of the panels in every row block. Its items are those (block,
// panel) pairs, block by block, and it takes them from the front, so it streams its weights in
// order. A thread that runs out takes what is left of the others' items from the back. With a fixed
// split, a thread the system stalls for a while (a shared machine, a busy desktop) held up the whole
// product: on the 2-core Zen 4 one thread of a 128-token forward finished 3 ms (AVX-512) to 11 ms
// (held to AVX2) of each forward before the other. Items are independent (each writes its own block
// of its own columns) and computed the same way whoever takes them, so the result does not depend
// on who does.
#include "util/core_internal.h"
#include <atomic>
#include <cstdint>
#include <vector>

namespace ascope {

class PanelClaims {
public:
    // `owners` threads share `panels` panels in each of `blocks` row blocks.
    PanelClaims(int owners, int64_t panels, int64_t blocks) : panels_(panels), owners_(owners) {
        for (int t = 0; t < owners; ++t)
            owners_[t].range.store(pack(0, static_cast<uint64_t>(ownPanels(t) * blocks)), std::memory_order_relaxed);
    }
    int owners() const { return static_cast<int>(owners_.size()); }
    int64_t firstPanel(int t) const { return panels_ * t / owners(); }
    int64_t ownPanels(int t) const { return panels_ * (t + 1) / owners() - firstPanel(t); }
    // Item i of owner t is panel firstPanel(t) + i % ownPanels(t) of block i / ownPanels(t).
    int64_t blockOf(int t, int64_t item) const { return item / ownPanels(t); }
    int64_t panelOf(int t, int64_t item) const { return firstPanel(t) + item % ownPanels(t); }

    // Takes owner t's next item (fromBack: its last one left) into `item`; false when none is left.
    bool take(int t, bool fromBack, int64_t& item) {
        std::atomic<uint64_t>& range = owners_[t].range;
        uint64_t v = range.load(std::memory_order_relaxed);
        for (;;) {
            const uint64_t lo = v & 0xffffffffu, hi = v >> 32;
            if (lo >= hi) return false;
            const uint64_t left = fromBack ? pack(lo, hi - 1) : pack(lo + 1, hi);
            if (range.compare_exchange_weak(v, left, std::memory_order_relaxed)) {
                item = static_cast<int64_t>(fromBack ? hi - 1 : lo);
                return true;
            }
        }
    }

private:
    static uint64_t pack(uint64_t lo, uint64_t hi) { return lo | hi << 32; }
    struct alignas(64) Owner {           // a cache line each, so owners do not slow each other down
        std::atomic<uint64_t> range{0};  // the items left, [lo, hi): lo in the low half, hi in the high
    };
    int64_t panels_;
    std::vector<Owner> owners_;
};

}  // namespace ascope
