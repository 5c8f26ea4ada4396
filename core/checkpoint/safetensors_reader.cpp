#include "checkpoint/safetensors_reader.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

namespace ascope {

namespace {
constexpr std::uint64_t kMaxHeaderBytes = 100ull * 1024 * 1024;  // as the safetensors spec

Expected<TensorView> parseEntry(const std::string& path, const std::string& name, const nlohmann::json& entry,
                                const std::uint8_t* dataBegin, std::uint64_t dataSize) {
    const std::string where = path + ": tensor '" + name + "'";
    if (!entry.is_object()) return makeError(ErrorKind::InvalidInput, where + ": header entry is not an object");
    auto dt = entry.find("dtype");
    auto sh = entry.find("shape");
    auto off = entry.find("data_offsets");
    if (dt == entry.end() || !dt->is_string()) return makeError(ErrorKind::InvalidInput, where + ": missing or invalid 'dtype'");
    if (sh == entry.end() || !sh->is_array()) return makeError(ErrorKind::InvalidInput, where + ": missing or invalid 'shape'");
    if (off == entry.end() || !off->is_array() || off->size() != 2)
        return makeError(ErrorKind::InvalidInput, where + ": missing or invalid 'data_offsets'");

    TensorView view;
    view.name = name;
    view.file = path;
    if (!parseDType(dt->get<std::string>(), view.dtype))
        return makeError(ErrorKind::InvalidInput, where + ": unknown dtype '" + dt->get<std::string>() + "'");

    std::uint64_t elements = 1;
    for (const auto& d : *sh) {
        if (!d.is_number_unsigned() && !(d.is_number_integer() && d.get<std::int64_t>() >= 0))
            return makeError(ErrorKind::InvalidInput, where + ": shape has a negative or non-integer dimension");
        const auto dim = d.get<std::uint64_t>();
        if (dim != 0 && elements > std::numeric_limits<std::uint64_t>::max() / dim)
            return makeError(ErrorKind::InvalidInput, where + ": shape is too large");
        elements *= dim;
        view.shape.push_back(static_cast<std::int64_t>(dim));
    }
    for (const auto& o : *off) {
        if (!o.is_number_unsigned() && !(o.is_number_integer() && o.get<std::int64_t>() >= 0))
            return makeError(ErrorKind::InvalidInput, where + ": data_offsets must be non-negative integers");
    }
    const auto begin = (*off)[0].get<std::uint64_t>();
    const auto end = (*off)[1].get<std::uint64_t>();
    if (begin > end) return makeError(ErrorKind::InvalidInput, where + ": data_offsets begin after they end");
    if (end > dataSize)
        return makeError(ErrorKind::InvalidInput, where + ": data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                         ") run past the end of the data (" + std::to_string(dataSize) + " bytes; file truncated?)");
    const std::uint64_t elemSize = dtypeSize(view.dtype);
    if (elements > std::numeric_limits<std::uint64_t>::max() / elemSize || elements * elemSize != end - begin)
        return makeError(ErrorKind::InvalidInput, where + ": shape " + view.shapeString() + " x " + dtypeName(view.dtype) + " needs " +
                         std::to_string(elements * elemSize) + " bytes but data_offsets give " +
                         std::to_string(end - begin));
    view.data = dataBegin + begin;
    view.byteSize = static_cast<std::size_t>(end - begin);
    return view;
}
}  // namespace

Expected<std::shared_ptr<SafetensorsReader>> SafetensorsReader::open(const std::string& path) {
    auto file = MappedFile::open(path);
    if (!file) return file.errorValue();
    const std::uint8_t* bytes = (*file)->data();
    const std::uint64_t size = (*file)->size();
    if (size < 8)
        return makeError(ErrorKind::InvalidInput, path + ": file is truncated (" + std::to_string(size) +
                         " bytes; a safetensors file starts with an 8-byte header length)");
    std::uint64_t headerLen = 0;
    for (int i = 7; i >= 0; --i) headerLen = (headerLen << 8) | bytes[i];  // little-endian
    if (headerLen > size - 8)
        return makeError(ErrorKind::InvalidInput, path + ": header length " + std::to_string(headerLen) + " runs past the end of the file (" +
                         std::to_string(size) + " bytes; truncated or not a safetensors file)");
    if (headerLen > kMaxHeaderBytes)
        return makeError(ErrorKind::InvalidInput, path + ": header length " + std::to_string(headerLen) + " is larger than the 100 MB limit");

    nlohmann::json header;
    try {
        header = nlohmann::json::parse(bytes + 8, bytes + 8 + headerLen);
    } catch (const std::exception& e) {
        return makeError(ErrorKind::InvalidInput, path + ": invalid JSON header (" + std::string(e.what()) + ")");
    }
    if (!header.is_object()) return makeError(ErrorKind::InvalidInput, path + ": JSON header is not an object");

    auto reader = std::make_shared<SafetensorsReader>();
    reader->m_file = *file;
    const std::uint8_t* dataBegin = bytes + 8 + headerLen;
    const std::uint64_t dataSize = size - 8 - headerLen;

    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == "__metadata__") {
            if (it->is_object())
                for (auto m = it->begin(); m != it->end(); ++m)
                    if (m->is_string()) reader->m_metadata[m.key()] = m->get<std::string>();
            continue;
        }
        auto view = parseEntry(path, it.key(), *it, dataBegin, dataSize);
        if (!view) return view.errorValue();
        reader->m_tensors.emplace(it.key(), std::move(*view));
    }

    // Byte ranges may not overlap (empty tensors take no room and are ignored).
    std::vector<const TensorView*> byOffset;
    for (const auto& [name, view] : reader->m_tensors)
        if (view.byteSize > 0) byOffset.push_back(&view);
    std::sort(byOffset.begin(), byOffset.end(), [](auto* a, auto* b) { return a->data < b->data; });
    for (std::size_t i = 1; i < byOffset.size(); ++i) {
        const auto* prev = byOffset[i - 1];
        if (byOffset[i]->data < prev->data + prev->byteSize)
            return makeError(ErrorKind::InvalidInput, path + ": tensors '" + prev->name + "' and '" + byOffset[i]->name +
                             "' have overlapping data_offsets");
    }
    return reader;
}

const TensorView* SafetensorsReader::find(const std::string& name) const {
    auto it = m_tensors.find(name);
    return it == m_tensors.end() ? nullptr : &it->second;
}

}  // namespace ascope
