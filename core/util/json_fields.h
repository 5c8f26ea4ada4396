#pragma once
// Reading fields of JSON configuration files that outside tools wrote: an integer field must be
// a JSON integer within range (nlohmann's get<int>() on 1e50 or on 2^40 would wrap or be
// undefined), and errors name the file and the key.
#include <nlohmann/json.hpp>
#include <string>

#include "util/expected.h"

namespace ascope {

// Leaves `out` unchanged when the key is absent or null.
Status readIntField(const nlohmann::json& object, const char* key, int& out, long lo, long hi, const std::string& source);

// The integer `value` holds, within [lo, hi]; throws std::out_of_range otherwise (a float such as
// 1e75, a string, ...), for readers that turn exceptions into errors.
int jsonInt(const nlohmann::json& value, long lo, long hi);

}  // namespace ascope
