#pragma once
// Reads the table of contents of a ZIP archive held in memory (as PyTorch's torch.save writes
// it: stored, uncompressed entries, ZIP64 when large) and hands out the bytes of stored
// entries. Everything is bounds-checked against the buffer; nothing is decompressed.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "util/expected.h"

namespace ascope {

struct ZipEntry {
    std::string name;
    std::uint64_t dataOffset = 0;  // from the start of the archive
    std::uint64_t size = 0;        // uncompressed = stored size
    bool stored = true;            // false: compressed (method != 0), bytes not available
};

class ZipArchiveReader {
public:
    // `label` names the file in error messages.
    static Expected<ZipArchiveReader> parse(const std::uint8_t* data, std::size_t size, const std::string& label);
    // True when the buffer starts with a ZIP local file header.
    static bool looksLikeZip(const std::uint8_t* data, std::size_t size);

    const std::map<std::string, ZipEntry>& entries() const { return m_entries; }
    const ZipEntry* find(const std::string& name) const;
    // The bytes of a stored entry, or an error naming the entry.
    Expected<const std::uint8_t*> bytes(const ZipEntry& entry) const;

private:
    const std::uint8_t* m_data = nullptr;
    std::size_t m_size = 0;
    std::string m_label;
    std::map<std::string, ZipEntry> m_entries;
};

}  // namespace ascope
