#pragma once
// A restricted reader for Python pickles (protocols 0-5 as PyTorch writes them). It builds a
// plain value tree and never executes anything: a GLOBAL is only a name, checked against a
// caller's allow-list, and REDUCE/NEWOBJ/BUILD only record "call this name with these
// arguments" for the caller to interpret. `collections.OrderedDict()` becomes a plain Dict.
// All nodes live in the document's arena, so cycles or deep nesting built by a hostile file
// can neither leak nor overflow the stack when the document is destroyed.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "util/expected.h"

namespace ascope {

struct PickleValue {
    enum class Kind { None, Bool, Int, Float, String, Bytes, Tuple, List, Dict, Global, Call, PersistentId };
    Kind kind = Kind::None;
    std::int64_t integer = 0;  // Bool, Int (the low 64 bits of wider ints, whose raw bytes go to text)
    double real = 0;           // Float
    std::string text;          // String, Bytes, Global ("module.name"); wide Int: little-endian bytes
    // Tuple/List: elements. Dict: key0, value0, key1, value1, ... Call: callable, arguments,
    // then the BUILD state if any. PersistentId: the id.
    std::vector<const PickleValue*> items;

    bool isCallOf(const std::string& global) const;
    // Dict lookup by string key; nullptr when absent.
    const PickleValue* dictFind(const std::string& key) const;
};

struct PickleDocument {
    const PickleValue* root = nullptr;
    std::size_t bytesRead = 0;  // where the STOP opcode ended (pickles may follow each other)
    std::vector<std::unique_ptr<PickleValue>> arena;
};

using PickleGlobalFilter = std::function<bool(const std::string& module, const std::string& name)>;

// Any GLOBAL that `allowGlobal` rejects makes parsing fail with a message naming it.
Expected<std::shared_ptr<PickleDocument>> readPickle(const std::uint8_t* data, std::size_t size, const std::string& label,
                                                     const PickleGlobalFilter& allowGlobal);

}  // namespace ascope
