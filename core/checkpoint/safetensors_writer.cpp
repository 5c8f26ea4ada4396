#include "checkpoint/safetensors_writer.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

namespace ascope {

void SafetensorsWriter::addFloat32(const std::string& name, std::vector<std::int64_t> shape,
                                   std::vector<float> values) {
    std::vector<std::uint8_t> bytes(values.size() * 4);
    if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    m_entries[name] = Entry{DType::F32, std::move(shape), std::move(bytes)};
}

void SafetensorsWriter::addRaw(const std::string& name, DType dtype, std::vector<std::int64_t> shape,
                               std::vector<std::uint8_t> bytes) {
    m_entries[name] = Entry{dtype, std::move(shape), std::move(bytes)};
}

Status SafetensorsWriter::write(const std::string& path) const {
    nlohmann::json header = nlohmann::json::object();
    if (!m_metadata.empty()) header["__metadata__"] = m_metadata;
    std::uint64_t offset = 0;
    for (const auto& [name, e] : m_entries) {
        header[name] = {{"dtype", dtypeName(e.dtype)},
                        {"shape", e.shape},
                        {"data_offsets", {offset, offset + e.bytes.size()}}};
        offset += e.bytes.size();
    }
    std::string text = header.dump();
    while ((text.size() + 8) % 8 != 0) text.push_back(' ');  // keep the data 8-byte aligned
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) return makeError(ErrorKind::Io, tmp + ": cannot open for writing");
        std::uint64_t len = text.size();
        unsigned char lenBytes[8];
        for (int i = 0; i < 8; ++i) lenBytes[i] = static_cast<unsigned char>((len >> (8 * i)) & 0xFF);
        out.write(reinterpret_cast<const char*>(lenBytes), 8);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        for (const auto& [name, e] : m_entries)
            out.write(reinterpret_cast<const char*>(e.bytes.data()), static_cast<std::streamsize>(e.bytes.size()));
        out.flush();
        if (!out) return makeError(ErrorKind::Io, tmp + ": write failed (disk full?)");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        return makeError(ErrorKind::Io, path + ": cannot rename temporary file into place");
    }
    return Status::ok();
}

}  // namespace ascope
