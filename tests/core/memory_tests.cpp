#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <numeric>
#include <sstream>
#include <vector>

#include "checkpoint/checkpoint_tensors.h"
#include "checkpoint/safetensors_writer.h"
#include "temp_dir.h"
#include "util/large_block_allocator.h"
#include "util/mapped_file.h"

using namespace ascope;
using namespace ascope::test;

namespace {
// Resident kB of the mapping that holds `p`, from /proc/self/smaps (-1 when not found).
long residentKbOfMappingAt(const void* p) {
    std::ifstream smaps("/proc/self/smaps");
    const auto address = reinterpret_cast<std::uintptr_t>(p);
    std::string line;
    bool inside = false;
    while (std::getline(smaps, line)) {
        std::uintptr_t from = 0, to = 0;
        char dash = 0;
        std::istringstream range(line);
        if (range >> std::hex >> from >> dash >> to && dash == '-') {  // "from-to perms offset ...": a new mapping
            inside = address >= from && address < to;
            continue;
        }
        long kb = 0;
        if (inside && std::sscanf(line.c_str(), "Rss: %ld kB", &kb) == 1) return kb;
    }
    return -1;
}

double sum(const TensorView& v) {
    std::vector<float> values;
    REQUIRE(toFloat32(v, values));
    return std::accumulate(values.begin(), values.end(), 0.0);
}
}  // namespace

TEST_CASE("Released pages of a checkpoint leave resident memory and read the same values again", "[core][checkpoint]") {
    TempDir dir;
    const int n = 1 << 20;  // 4 MB of float32 per tensor
    std::vector<float> a(n), b(n);
    std::iota(a.begin(), a.end(), 0.f);
    for (int i = 0; i < n; ++i) b[static_cast<std::size_t>(i)] = static_cast<float>(i % 7) - 3.f;
    SafetensorsWriter writer;
    writer.addFloat32("layer.0.weight", {n}, a);
    writer.addFloat32("layer.1.weight", {n}, b);
    writer.write(dir.file("model.safetensors"));
    auto tensors = CheckpointTensors::openFile(dir.file("model.safetensors"));
    REQUIRE(tensors);
    const auto* first = tensors->find("layer.0.weight");
    const auto* second = tensors->find("layer.1.weight");
    const double firstSum = sum(*first), secondSum = sum(*second);
    const long before = residentKbOfMappingAt(first->data);
    REQUIRE(before >= 8000);  // both tensors were read
    tensors->releasePages("layer.0.");
    const long after = residentKbOfMappingAt(first->data);
    CHECK(after <= before - 4000);  // the first tensor's 4 MB left (a page it shares with the header may stay)
    CHECK(after >= 4000);           // the second's stayed
    CHECK(sum(*first) == firstSum);  // read again from the file
    CHECK(sum(*second) == secondSum);
}

TEST_CASE("A mapping contains only ranges that lie wholly inside it", "[core][checkpoint]") {
    TempDir dir;
    writeText(dir.file("f.bin"), std::string(10000, 'x'));
    auto file = MappedFile::open(dir.file("f.bin"));
    REQUIRE(file);
    const auto* d = (*file)->data();
    CHECK((*file)->contains(d, 10000));
    CHECK((*file)->contains(d + 9999, 1));
    CHECK_FALSE((*file)->contains(d + 9999, 2));
    CHECK_FALSE((*file)->contains(d - 1, 1));
    std::vector<std::uint8_t> heap(100, 1);
    CHECK_FALSE((*file)->contains(heap.data(), heap.size()));
    (*file)->releasePages(heap.data(), heap.size());  // memory it does not map is left alone
    CHECK(heap[50] == 1);
}

TEST_CASE("A large result's memory is reused by the next only while no other large block is alive", "[core][memory]") {
    using Values = std::vector<float, LargeBlockAllocator<float>>;
    const std::size_t n = large_blocks::kThreshold / sizeof(float) + 1000;  // over the threshold
    REQUIRE(large_blocks::liveBlocks() == 0);
    const float* first = nullptr;
    {
        Values a(n, 1.f);
        first = a.data();
        CHECK(large_blocks::liveBlocks() == 1);
        CHECK_FALSE(large_blocks::holdsSpare());
    }
    CHECK(large_blocks::holdsSpare());  // nothing alive: kept for the next run
    {
        Values b(n, 2.f);
        CHECK(b.data() == first);  // the same memory again, already mapped
        CHECK_FALSE(large_blocks::holdsSpare());
        CHECK(b[n - 1] == 2.f);
        Values c(n, 3.f);  // a second result while the first is alive (the app replacing a result)
        CHECK(large_blocks::liveBlocks() == 2);
        b = Values();  // the old one goes while the new one lives: no spare beside it
        CHECK(large_blocks::liveBlocks() == 1);
        CHECK_FALSE(large_blocks::holdsSpare());
        CHECK(c[0] == 3.f);
    }
    CHECK(large_blocks::holdsSpare());
    {
        Values other(n + 4096, 4.f);  // another size: the spare is dropped, not kept beside it
        CHECK(large_blocks::liveBlocks() == 1);
        CHECK_FALSE(large_blocks::holdsSpare());
    }
    Values small(1000, 5.f);  // small vectors come from the ordinary heap
    CHECK(large_blocks::liveBlocks() == 0);
}
