#include "models/attention_kernel.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "models/panel_product.h"
#include "models/register_tile.h"
#include "models/softmax_kernel.h"
#include "util/compute_threads.h"

namespace ascope {

namespace {
constexpr int64_t kWidth = 64;        // output columns per AVX-512 tile: four 16-float registers
constexpr int64_t kNarrowWidth = 16;  // per AVX2 tile: two 8-float registers
constexpr int64_t kRowGroup = 6;      // rows per tile: 6 x 4 (6 x 2) accumulators, 4 (2) operand registers

// c[r, 0..columns) = sum over k < depth of a[r * lda + k] * b[k * ldb + 0..columns), for R rows and
// at most kWidth columns (the rest of each row of b is not read, nor of c written).
template <int R, bool Full>
__attribute__((target("avx512f,fma"))) void tile(const float* a, int64_t lda, const float* b, int64_t ldb, int64_t depth,
                                                 float* c, int64_t ldc, int64_t columns) {
    __mmask16 masks[4];
    for (int j = 0; j < 4; ++j) masks[j] = laneMask(columns, j);
    // Fully unrolled, so the accumulators stay in registers (GCC otherwise keeps the array on the stack).
    __m512 acc[R][4];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
        for (int j = 0; j < 4; ++j) acc[r][j] = _mm512_setzero_ps();
    for (int64_t k = 0; k < depth; ++k) {
        const float* bk = b + k * ldb;
        __m512 b0, b1, b2, b3;
        if constexpr (Full) {  // all 64 columns: plain loads, no mask registers held across the loop
            b0 = _mm512_loadu_ps(bk), b1 = _mm512_loadu_ps(bk + 16), b2 = _mm512_loadu_ps(bk + 32), b3 = _mm512_loadu_ps(bk + 48);
        } else {
            b0 = _mm512_maskz_loadu_ps(masks[0], bk), b1 = _mm512_maskz_loadu_ps(masks[1], bk + 16);
            b2 = _mm512_maskz_loadu_ps(masks[2], bk + 32), b3 = _mm512_maskz_loadu_ps(masks[3], bk + 48);
        }
        tileStep<R>(acc, a + k, lda, b0, b1, b2, b3);
    }
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
        for (int j = 0; j < 4; ++j) _mm512_mask_storeu_ps(c + r * ldc + 16 * j, masks[j], acc[r][j]);
}

using Tile = void (*)(const float*, int64_t, const float*, int64_t, int64_t, float*, int64_t, int64_t);
constexpr Tile kTiles[kRowGroup + 1] = {nullptr, tile<1, false>, tile<2, false>, tile<3, false>,
                                        tile<4, false>, tile<5, false>, tile<6, false>};
constexpr Tile kFullTiles[kRowGroup + 1] = {nullptr, tile<1, true>, tile<2, true>, tile<3, true>,
                                            tile<4, true>, tile<5, true>, tile<6, true>};

// c [rows, columns] = a [rows, depth] . b [depth, columns], every matrix with a row stride of its own.
void wideProduct(const float* a, int64_t lda, const float* b, int64_t ldb, int64_t depth, float* c, int64_t ldc, int64_t rows,
                 int64_t columns) {
    for (int64_t c0 = 0; c0 < columns; c0 += kWidth) {
        const int64_t width = std::min(kWidth, columns - c0);
        (width == kWidth ? kFullTiles : kTiles)[rows](a, lda, b + c0, ldb, depth, c + c0, ldc, width);
    }
}

// The AVX2 tile: as `tile`, at most kNarrowWidth columns (6 x 2 accumulators, two operand registers and a
// broadcast: 15 of 16 registers). A partial one reads and writes its columns through lane masks.
template <int R, bool Full>
__attribute__((target("avx2,fma"))) void narrowTile(const float* a, int64_t lda, const float* b, int64_t ldb, int64_t depth,
                                                    float* c, int64_t ldc, int64_t columns) {
    __m256i mask[2];
    narrowLaneMasks(columns, mask);
    __m256 acc[R][2];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    for (int64_t k = 0; k < depth; ++k) {
        const float* bk = b + k * ldb;
        narrowTileStep<R>(acc, a + k, lda, narrowLoad<Full>(bk, mask[0]), narrowLoad<Full>(bk + 8, mask[1]));
    }
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
        narrowStore<Full>(c + r * ldc, mask[0], acc[r][0]);
        narrowStore<Full>(c + r * ldc + 8, mask[1], acc[r][1]);
    }
}

constexpr Tile kNarrowTiles[kRowGroup + 1] = {nullptr,
                                              narrowTile<1, false>,
                                              narrowTile<2, false>,
                                              narrowTile<3, false>,
                                              narrowTile<4, false>,
                                              narrowTile<5, false>,
                                              narrowTile<6, false>};
constexpr Tile kNarrowFullTiles[kRowGroup + 1] = {nullptr,
                                                  narrowTile<1, true>,
                                                  narrowTile<2, true>,
                                                  narrowTile<3, true>,
                                                  narrowTile<4, true>,
                                                  narrowTile<5, true>,
                                                  narrowTile<6, true>};

void narrowProduct(const float* a, int64_t lda, const float* b, int64_t ldb, int64_t depth, float* c, int64_t ldc,
                   int64_t rows, int64_t columns) {
    for (int64_t c0 = 0; c0 < columns; c0 += kNarrowWidth) {
        const int64_t width = std::min(kNarrowWidth, columns - c0);
        (width == kNarrowWidth ? kNarrowFullTiles : kNarrowTiles)[rows](a, lda, b + c0, ldb, depth, c + c0, ldc, width);
    }
}

// Per thread: one head's keys and values, gathered from qkv's rows, and one block's scores.
struct HeadCopies {
    std::vector<float> keysT;   // [headDim, seq], rows padded
    std::vector<float> values;  // [seq, headDim]
    std::vector<float> scores;  // [kRowGroup, seq]
};

// dst[0, n) = src[0, n), from dst's first 64-byte boundary on with streaming stores: the
// probabilities go to the result without first reading the lines they replace (a result buffer is
// written once here and read later by the application, long after this forward's weights have
// passed through every cache) and without evicting the operands.
__attribute__((target("avx512f"))) void streamOutAvx512(float* dst, const float* src, int64_t n) {
    const auto misaligned = reinterpret_cast<std::uintptr_t>(dst) % 64;
    const int64_t head = std::min<int64_t>(n, misaligned == 0 ? 0 : static_cast<int64_t>((64 - misaligned) / sizeof(float)));
    int64_t i = 0;
    for (; i < head; ++i) dst[i] = src[i];
    for (; i + 16 <= n; i += 16) _mm512_stream_ps(dst + i, _mm512_loadu_ps(src + i));
    for (; i < n; ++i) dst[i] = src[i];
}

// The same with AVX2's 32-byte streaming stores, from dst's first 32-byte boundary on.
__attribute__((target("avx2"))) void streamOutAvx2(float* dst, const float* src, int64_t n) {
    const auto misaligned = reinterpret_cast<std::uintptr_t>(dst) % 32;
    const int64_t head = std::min<int64_t>(n, misaligned == 0 ? 0 : static_cast<int64_t>((32 - misaligned) / sizeof(float)));
    int64_t i = 0;
    for (; i < head; ++i) dst[i] = src[i];
    for (; i + 8 <= n; i += 8) _mm256_stream_ps(dst + i, _mm256_loadu_ps(src + i));
    for (; i < n; ++i) dst[i] = src[i];
}

// The vector kernels one instruction set provides for the pass.
struct Kernels {
    void (*product)(const float*, int64_t, const float*, int64_t, int64_t, float*, int64_t, int64_t, int64_t);
    void (*streamOut)(float*, const float*, int64_t);
    const char* isa;
};
constexpr Kernels kAvx512{wideProduct, streamOutAvx512, "AVX-512"};
constexpr Kernels kAvx2{narrowProduct, streamOutAvx2, "AVX2"};

// The widest this CPU and oneDNN's hold allow, with the softmax compiled for the same (null: none).
const Kernels* kernelsHere() {
    static const Kernels* kernels = [] () -> const Kernels* {
        const std::string softmax = softmaxKernelIsa();
        if (panelKernelAvailable() && softmax == "avx512") return &kAvx512;
        if (narrowPanelKernelAvailable() && (softmax == "avx2" || softmax == "avx512")) return &kAvx2;
        return nullptr;
    }();
    return kernels;
}

// Asks for rows from..to-1 of one head's query, key and value (q: its query at row 0, as headQuery
// gives) to be brought into L2. A head's rows lie kilobytes apart in qkv, one short piece each, where
// the hardware prefetchers do not follow, and they have usually left the cache while the products
// streamed their weights since the projection wrote them.
void prefetchHeadRows(const AttentionProblem& p, const float* q, int64_t from, int64_t to) {
    const int64_t hidden = p.heads * p.headDim, row = 3 * hidden;
    const int64_t last = p.headDim * static_cast<int64_t>(sizeof(float)) - 1;  // a piece's last byte
    for (int64_t j = from; j < to; ++j)
        for (int64_t part = 0; part < 3; ++part) {
            const char* piece = reinterpret_cast<const char*>(q + j * row + part * hidden);
            for (int64_t offset = 0; offset <= last; offset += 64) _mm_prefetch(piece + offset, _MM_HINT_T1);
            _mm_prefetch(piece + last, _MM_HINT_T1);  // a piece that does not start on a line ends on one more
        }
}

// The query of head h of batch entry b in qkv.
const float* headQuery(const AttentionProblem& p, int64_t b, int64_t h) {
    return p.qkv + b * p.rows * 3 * p.heads * p.headDim + h * p.headDim;
}

// One batch entry's head: its keys transposed and its values gathered (read in place, rows a
// multiple of 4 KB apart would fall into a few cache sets and evict each other), then each block of
// query rows through scores, softmax and the product with the values; meanwhile the rows of `next`
// (the query of the head this thread takes next, or null) are prefetched, a share with each block.
void attendHead(const Kernels& kernels, const AttentionProblem& p, int64_t b, int64_t h, HeadCopies& copies,
                const float* next) {
    const int64_t seq = p.seq, hd = p.headDim, hidden = p.heads * hd, row = 3 * hidden;
    const float* q = headQuery(p, b, h);  // [seq, headDim], row stride `row`
    const float* k = q + hidden;
    auto& keysT = copies.keysT;
    auto& values = copies.values;
    // A row stride an odd number of cache lines: at 512 tokens, rows 2 KB apart would share 8 of L1's 64 sets.
    const int64_t ldk = (seq + 15) / 16 * 16 + ((seq + 15) / 16 % 2 == 0 ? 16 : 0);
    keysT.resize(static_cast<std::size_t>(hd * ldk));
    values.resize(static_cast<std::size_t>(seq * hd));
    for (int64_t j = 0; j < seq; ++j) {
        const float* kj = k + j * row;
        for (int64_t d = 0; d < hd; ++d) keysT[static_cast<std::size_t>(d * ldk + j)] = kj[d];  // [headDim, seq], row stride ldk
        std::memcpy(values.data() + j * hd, kj + hidden, static_cast<std::size_t>(hd) * sizeof(float));  // [seq, headDim]
    }
    const float* v = values.data();
    float* probs = p.probs + (b * p.heads + h) * seq * seq;  // [seq, seq]
    float* context = p.context + b * p.rows * hidden + h * hd;  // [seq, headDim], row stride hidden
    const float scale = p.headScale ? p.headScale[b * p.heads + h] : 1.f;
    copies.scores.resize(static_cast<std::size_t>(kRowGroup * seq));
    float* scores = copies.scores.data();  // [n, seq]: a block's rows, kept in cache
    const RowPasses blocks(seq, kRowGroup);
    for (int64_t blk = 0; blk < blocks.count; ++blk) {
        const int64_t i0 = blocks.first(blk), n = blocks.size(blk);
        if (next) prefetchHeadRows(p, next, i0, i0 + n);
        kernels.product(q + i0 * row, row, keysT.data(), ldk, hd, scores, seq, n, seq);
        for (int64_t i = 0; i < n; ++i) {
            const float* maskRow = p.mask ? p.mask + b * p.maskBatch + h * p.maskHead + (i0 + i) * p.maskRow : nullptr;
            softmaxRow(scores + i * seq, maskRow, seq, scale);
        }
        kernels.product(scores, seq, v, hd, seq, context + i0 * hidden, hidden, n, hd);
        kernels.streamOut(probs + i0 * seq, scores, n * seq);  // the block's rows lie one after another in probs
    }
}
}  // namespace

bool fusedAttentionAvailable() { return kernelsHere() != nullptr; }

const char* fusedAttentionIsa() { return kernelsHere() ? kernelsHere()->isa : nullptr; }

void fusedAttention(const AttentionProblem& p) {
    const int64_t tasks = p.batch * p.heads;
    const Kernels* kernels = kernelsHere();
    if (tasks <= 0 || p.seq <= 0 || !kernels) return;
    const int threads = static_cast<int>(std::min<int64_t>(configureComputeThreads(), tasks));
#pragma omp parallel num_threads(threads)
    {
        HeadCopies copies;
        // Contiguous runs of heads per thread; every head costs the same.
        const int64_t t = omp_get_thread_num(), n = omp_get_num_threads();
        const int64_t first = tasks * t / n, last = tasks * (t + 1) / n;
        if (first < last) prefetchHeadRows(p, headQuery(p, first / p.heads, first % p.heads), 0, p.seq);
        for (int64_t task = first; task < last; ++task) {
            const float* next = task + 1 < last ? headQuery(p, (task + 1) / p.heads, (task + 1) % p.heads) : nullptr;
            attendHead(*kernels, p, task / p.heads, task % p.heads, copies, next);
        }
        _mm_sfence();  // the streamed probabilities reach memory before the team's closing barrier
    }
}

}  // namespace ascope
