// libFuzzer target: pytorch_model.bin as a whole (ZIP archive or legacy torch.save stream, the
// restricted unpickler, storage references, shapes and strides).
#include <cstdint>

#include "checkpoint/torch_bin_reader.h"
#include "fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ascope::fuzz::InputFile file(data, size);
    auto reader = ascope::TorchBinReader::open(file.path());
    if (reader) ascope::fuzz::readAllTensors((*reader)->tensors());
    return 0;
}
