#include "checkpoint/zip_archive_reader.h"

#include <algorithm>

namespace ascope {

namespace {
constexpr std::uint32_t kLocalHeader = 0x04034b50, kCentralHeader = 0x02014b50, kEndOfDirectory = 0x06054b50,
                        kZip64Locator = 0x07064b50, kZip64End = 0x06064b50;

std::uint64_t readLe(const std::uint8_t* p, int bytes) {
    std::uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

bool inRange(std::uint64_t offset, std::uint64_t length, std::size_t size) {
    return offset <= size && length <= size - offset;
}
}  // namespace

bool ZipArchiveReader::looksLikeZip(const std::uint8_t* data, std::size_t size) {
    return size >= 4 && readLe(data, 4) == kLocalHeader;
}

const ZipEntry* ZipArchiveReader::find(const std::string& name) const {
    auto it = m_entries.find(name);
    return it == m_entries.end() ? nullptr : &it->second;
}

Expected<const std::uint8_t*> ZipArchiveReader::bytes(const ZipEntry& entry) const {
    if (!entry.stored)
        return makeError(ErrorKind::Unsupported, m_label + ": archive entry '" + entry.name + "' is compressed; only stored entries are read");
    return m_data + entry.dataOffset;
}

Expected<ZipArchiveReader> ZipArchiveReader::parse(const std::uint8_t* data, std::size_t size, const std::string& label) {
    auto fail = [&](const std::string& why) { return makeError(ErrorKind::InvalidInput, label + ": " + why); };
    if (size < 22) return fail("too short to be a ZIP archive (truncated?)");
    // The end-of-central-directory record sits in the last 22 + 65535 bytes.
    std::size_t eocd = size;
    const std::size_t lowest = size > 22 + 65535 ? size - 22 - 65535 : 0;
    for (std::size_t pos = size - 22 + 1; pos-- > lowest;)
        if (readLe(data + pos, 4) == kEndOfDirectory) {
            eocd = pos;
            break;
        }
    if (eocd == size) return fail("no ZIP end-of-directory record (file truncated?)");
    std::uint64_t count = readLe(data + eocd + 10, 2);
    std::uint64_t dirSize = readLe(data + eocd + 12, 4);
    std::uint64_t dirOffset = readLe(data + eocd + 16, 4);
    if (count == 0xFFFF || dirSize == 0xFFFFFFFF || dirOffset == 0xFFFFFFFF) {
        if (eocd < 20 || readLe(data + eocd - 20, 4) != kZip64Locator) return fail("ZIP64 locator missing");
        const std::uint64_t z64 = readLe(data + eocd - 20 + 8, 8);
        if (!inRange(z64, 56, size) || readLe(data + z64, 4) != kZip64End) return fail("ZIP64 end record out of bounds");
        count = readLe(data + z64 + 32, 8);
        dirSize = readLe(data + z64 + 40, 8);
        dirOffset = readLe(data + z64 + 48, 8);
    }
    if (!inRange(dirOffset, dirSize, size)) return fail("ZIP central directory lies outside the file (truncated?)");
    if (count > dirSize / 46) return fail("ZIP central directory claims more entries than it can hold");

    ZipArchiveReader out;
    out.m_data = data;
    out.m_size = size;
    out.m_label = label;
    std::uint64_t pos = dirOffset;
    const std::uint64_t dirEnd = dirOffset + dirSize;
    for (std::uint64_t i = 0; i < count; ++i) {
        if (!inRange(pos, 46, dirEnd) || pos + 46 > dirEnd || readLe(data + pos, 4) != kCentralHeader)
            return fail("corrupt ZIP central directory entry " + std::to_string(i));
        const auto* h = data + pos;
        const auto flags = readLe(h + 8, 2), method = readLe(h + 10, 2);
        std::uint64_t compressed = readLe(h + 20, 4), size64 = readLe(h + 24, 4);
        const auto nameLen = readLe(h + 28, 2), extraLen = readLe(h + 30, 2), commentLen = readLe(h + 32, 2);
        std::uint64_t local = readLe(h + 42, 4);
        if (pos + 46 + nameLen + extraLen + commentLen > dirEnd) return fail("corrupt ZIP central directory entry " + std::to_string(i));
        ZipEntry e;
        e.name.assign(reinterpret_cast<const char*>(h + 46), nameLen);
        // ZIP64 extended information: the 64-bit values of the fields that hold 0xFFFFFFFF.
        const std::uint8_t* extra = h + 46 + nameLen;
        for (std::uint64_t x = 0; x + 4 <= extraLen;) {
            const auto id = readLe(extra + x, 2), len = readLe(extra + x + 2, 2);
            if (x + 4 + len > extraLen) break;
            if (id == 0x0001) {
                std::uint64_t at = x + 4;
                auto take = [&](std::uint64_t& field) {
                    if (field != 0xFFFFFFFF) return;
                    if (at + 8 <= x + 4 + len) field = readLe(extra + at, 8);
                    at += 8;
                };
                take(size64);
                take(compressed);
                take(local);
            }
            x += 4 + len;
        }
        if (flags & 1) return fail("archive entry '" + e.name + "' is encrypted");
        e.size = size64;
        e.stored = method == 0 && compressed == size64;
        if (!inRange(local, 30, size) || readLe(data + local, 4) != kLocalHeader)
            return fail("archive entry '" + e.name + "' has a local header outside the file (truncated?)");
        e.dataOffset = local + 30 + readLe(data + local + 26, 2) + readLe(data + local + 28, 2);
        if (!inRange(e.dataOffset, compressed, size))
            return fail("archive entry '" + e.name + "' runs past the end of the file (truncated?)");
        out.m_entries[e.name] = e;
        pos += 46 + nameLen + extraLen + commentLen;
    }
    return out;
}

}  // namespace ascope
