// libFuzzer target: the restricted unpickler, with the globals a state dict may name.
#include <cstdint>
#include <string>

#include "checkpoint/pickle_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto allow = [](const std::string& module, const std::string& name) {
        return (module == "collections" && name == "OrderedDict") ||
               (module == "torch._utils" && name.rfind("_rebuild", 0) == 0) ||
               (module == "torch" && name.size() > 7 && name.compare(name.size() - 7, 7, "Storage") == 0);
    };
    auto doc = ascope::readPickle(data, size, "fuzz.pkl", allow);
    if (doc && (*doc)->root) (void)(*doc)->root->dictFind("weight");
    return 0;
}
