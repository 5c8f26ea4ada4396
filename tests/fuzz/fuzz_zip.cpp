// libFuzzer target: the ZIP reader (central directory, local headers, ZIP64 fields, entry bounds).
#include <cstdint>

#include "checkpoint/zip_archive_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto zip = ascope::ZipArchiveReader::parse(data, size, "fuzz.zip");
    if (!zip) return 0;
    unsigned sum = 0;
    for (const auto& [name, entry] : zip->entries())
        if (auto bytes = zip->bytes(entry); bytes && entry.size > 0) sum += (*bytes)[0] + (*bytes)[entry.size - 1];
    return static_cast<int>(sum & 0);
}
