// libFuzzer target: the safetensors reader (header JSON, tensor table, offsets) and the float
// conversion of every tensor it accepts.
#include <cstdint>

#include "checkpoint/safetensors_reader.h"
#include "fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ascope::fuzz::InputFile file(data, size);
    auto reader = ascope::SafetensorsReader::open(file.path());
    if (reader) ascope::fuzz::readAllTensors((*reader)->tensors());
    return 0;
}
