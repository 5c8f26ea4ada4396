#include "util/json_fields.h"

#include <stdexcept>
#include <string>

namespace ascope {

Status readIntField(const nlohmann::json& j, const char* key, int& out, long lo, long hi, const std::string& source) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return Status::ok();
    if (!it->is_number_integer())
        return makeError(ErrorKind::InvalidInput, source + ": '" + key + "' must be an integer");
    if (it->is_number_unsigned() && it->get<unsigned long>() > static_cast<unsigned long>(hi))
        return makeError(ErrorKind::InvalidInput, source + ": '" + key + "' is out of range [" + std::to_string(lo) + ", " +
                                                      std::to_string(hi) + "]");
    const long v = it->get<long>();
    if (v < lo || v > hi)
        return makeError(ErrorKind::InvalidInput, source + ": '" + key + "' = " + std::to_string(v) + " is out of range [" +
                                                      std::to_string(lo) + ", " + std::to_string(hi) + "]");
    out = static_cast<int>(v);
    return Status::ok();
}

int jsonInt(const nlohmann::json& value, long lo, long hi) {
    if (value.is_number_unsigned()) {
        const auto v = value.get<unsigned long long>();
        if (hi >= 0 && v <= static_cast<unsigned long long>(hi) && static_cast<long long>(v) >= lo) return static_cast<int>(v);
    } else if (value.is_number_integer()) {
        const auto v = value.get<long long>();
        if (v >= lo && v <= hi) return static_cast<int>(v);
    }
    throw std::out_of_range("expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi) + ", found " + value.dump());
}

}  // namespace ascope
