// libFuzzer target: session (.ascope) files: parsing, validation, and writing back what was read.
#include <cstdint>
#include <string>

#include "session/session_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    if (auto session = ascope::parseSessionFile(text, "/lessons", "fuzz.ascope")) {
        const std::string again = ascope::sessionFileText(*session, "/lessons");
        if (!ascope::parseSessionFile(again, "/lessons", "again.ascope")) __builtin_trap();  // what we write, we read
    }
    return 0;
}
