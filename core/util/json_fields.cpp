#include "util/json_fields.h"

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

}  // namespace ascope
