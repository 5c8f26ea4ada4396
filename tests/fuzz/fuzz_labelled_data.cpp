// libFuzzer target: fine-tuning data files (labelled sentences, CoNLL tags, CSV records).
#include <cstdint>
#include <sstream>
#include <string>

#include "fuzz_input_file.h"
#include "training/labelled_data.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ascope::fuzz::InputFile file(data, size);
    if (auto rows = ascope::readLabelledSentences(file.path()))
        for (const auto& r : *rows)
            if (r.label.empty()) __builtin_trap();  // a row always has a label
    if (auto sentences = ascope::readTaggedSentences(file.path()))
        for (const auto& s : *sentences)
            if (s.words.size() != s.tags.size() || s.words.empty()) __builtin_trap();
    std::istringstream lines(std::string(reinterpret_cast<const char*>(data), size));
    std::string line;
    while (std::getline(lines, line)) (void)ascope::splitCsvRecord(line);
    return 0;
}
