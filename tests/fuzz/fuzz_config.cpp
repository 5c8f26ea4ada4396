// libFuzzer target: config.json and preprocessor_config.json parsing and validation.
#include <cstdint>
#include <string>

#include "checkpoint/model_config.h"
#include "vision/image_preprocessor.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    if (auto config = ascope::ModelConfig::fromJsonText(text, "config.json")) (void)config->toJsonText();
    (void)ascope::PreprocessorConfig::fromJsonText(text, "preprocessor_config.json", 224);
    return 0;
}
