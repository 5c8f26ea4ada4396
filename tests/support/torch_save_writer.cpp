#include "torch_save_writer.h"

#include <fstream>
#include <map>
#include <set>

namespace ascope::test {

namespace {
void putLe(std::string& out, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::uint32_t crc32(const std::string& s) {
    std::uint32_t c = 0xFFFFFFFFu;
    for (unsigned char b : s) {
        c ^= b;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return ~c;
}

// The fields local and central ZIP headers share: version needed, flags, method, time and date,
// CRC-32, both sizes (stored: equal) and the name length.
void putEntryFields(std::string& out, const std::string& name, const std::string& data, bool deflated) {
    putLe(out, 20, 2);
    putLe(out, 0, 2);
    putLe(out, deflated ? 8 : 0, 2);
    putLe(out, 0, 4);
    putLe(out, crc32(data), 4);
    putLe(out, data.size(), 4);
    putLe(out, data.size(), 4);
    putLe(out, name.size(), 2);
}

const char* storageName(DType d) {
    switch (d) {
    case DType::F32: return "FloatStorage";
    case DType::F16: return "HalfStorage";
    case DType::BF16: return "BFloat16Storage";
    case DType::F64: return "DoubleStorage";
    case DType::I64: return "LongStorage";
    case DType::I32: return "IntStorage";
    case DType::I16: return "ShortStorage";
    case DType::I8: return "CharStorage";
    case DType::U8: return "ByteStorage";
    case DType::Bool: return "BoolStorage";
    }
    return "FloatStorage";
}

class PickleOut {
public:
    std::string bytes;
    void op(char c) { bytes.push_back(c); }
    void proto() { bytes += "\x80\x02"; }
    void global(const std::string& module, const std::string& name) { bytes += "c" + module + "\n" + name + "\n"; }
    void str(const std::string& s) {
        op('X');
        putLe(bytes, s.size(), 4);
        bytes += s;
    }
    void integer(std::int64_t v) {
        if (v >= 0 && v < 256) {
            op('K');
            putLe(bytes, static_cast<std::uint64_t>(v), 1);
        } else if (v >= 0 && v < 65536) {
            op('M');
            putLe(bytes, static_cast<std::uint64_t>(v), 2);
        } else if (v >= INT32_MIN && v <= INT32_MAX) {
            op('J');
            putLe(bytes, static_cast<std::uint64_t>(v), 4);
        } else {
            bytes += "\x8a\x08";
            putLe(bytes, static_cast<std::uint64_t>(v), 8);
        }
    }
    void tuple(const std::vector<std::int64_t>& values) {
        op('(');
        for (auto v : values) integer(v);
        op('t');
    }
    void emptyOrderedDict() {
        global("collections", "OrderedDict");
        op(')');
        op('R');
    }
};

std::vector<std::int64_t> rowMajor(const std::vector<std::int64_t>& shape) {
    std::vector<std::int64_t> s(shape.size(), 1);
    for (std::size_t d = shape.size(); d-- > 1;) s[d - 1] = s[d] * shape[d];
    return s;
}

std::string statePickle(const std::vector<SavedTensor>& tensors, const TorchSaveOptions& options) {
    PickleOut p;
    p.proto();
    p.emptyOrderedDict();
    p.op('(');
    for (const auto& t : tensors) {
        p.str(t.name);
        if (t.asParameter) {
            p.global("torch._utils", "_rebuild_parameter");
            p.op('(');
        }
        p.global("torch._utils", "_rebuild_tensor_v2");
        p.op('(');
        p.op('(');
        p.str("storage");
        p.global("torch", storageName(t.dtype));
        p.str(t.storageKey);
        p.str("cpu");
        std::int64_t numel = 0;
        for (const auto& u : tensors)
            if (u.storageKey == t.storageKey && !u.storageBytes.empty()) {
                numel = static_cast<std::int64_t>(u.storageBytes.size() / dtypeSize(u.dtype));
                break;
            }
        p.integer(numel);
        if (options.legacyFormat) p.op('N');
        p.op('t');
        p.op('Q');
        p.integer(t.offset);
        p.tuple(t.shape);
        p.tuple(t.stride.empty() ? rowMajor(t.shape) : t.stride);
        p.op('\x89');
        p.emptyOrderedDict();
        p.op('t');
        p.op('R');
        if (t.asParameter) {
            p.op('\x89');
            p.emptyOrderedDict();
            p.op('t');
            p.op('R');
        }
    }
    if (!options.extraGlobal.empty()) {
        p.str("hook");
        const auto nl = options.extraGlobal.find('\n');
        p.global(options.extraGlobal.substr(0, nl), options.extraGlobal.substr(nl + 1));
        p.op('(');
        p.str("echo hacked");
        p.op('t');
        p.op('R');
    }
    p.op('u');
    p.op('.');
    return p.bytes;
}

// Storage keys in first-use order, with their bytes.
std::vector<std::pair<std::string, const SavedTensor*>> storages(const std::vector<SavedTensor>& tensors) {
    std::vector<std::pair<std::string, const SavedTensor*>> out;
    std::set<std::string> seen;
    for (const auto& t : tensors)
        if (!t.storageBytes.empty() && seen.insert(t.storageKey).second) out.push_back({t.storageKey, &t});
    return out;
}
}  // namespace

std::string zipStored(const std::vector<std::pair<std::string, std::string>>& entries, bool markDeflated) {
    std::string out, directory;
    for (const auto& [name, data] : entries) {
        const auto offset = out.size();
        const bool deflated = markDeflated && name.find("/data/") != std::string::npos;
        // Local header, padded with an extra field so the data starts on a 64-byte boundary.
        std::size_t pad = (64 - (offset + 30 + name.size() + 4) % 64) % 64;
        std::string local;
        putLe(local, 0x04034b50, 4);
        putEntryFields(local, name, data, deflated);
        putLe(local, 4 + pad, 2);
        local += name;
        putLe(local, 0x4746, 2);  // the padding record PyTorch uses ("FB")
        putLe(local, pad, 2);
        local.append(pad, 'Z');
        out += local + data;
        std::string central;
        putLe(central, 0x02014b50, 4);
        putLe(central, 20, 2);  // version made by
        putEntryFields(central, name, data, deflated);
        putLe(central, 0, 2);
        putLe(central, 0, 2);
        putLe(central, 0, 2);
        putLe(central, 0, 2);
        putLe(central, 0, 4);
        putLe(central, offset, 4);
        directory += central + name;
    }
    const auto dirOffset = out.size();
    out += directory;
    putLe(out, 0x06054b50, 4);
    putLe(out, 0, 4);
    putLe(out, entries.size(), 2);
    putLe(out, entries.size(), 2);
    putLe(out, directory.size(), 4);
    putLe(out, dirOffset, 4);
    putLe(out, 0, 2);
    return out;
}

std::vector<SavedTensor> savedTensorsFrom(const CheckpointTensors& tensors) {
    std::vector<SavedTensor> saved;
    int key = 0;
    for (const auto& name : tensors.names()) {
        const auto* v = tensors.find(name);
        saved.push_back({name, std::to_string(key++), v->dtype, std::vector<std::uint8_t>(v->data, v->data + v->byteSize), 0,
                         v->shape, {}, false});
    }
    return saved;
}

std::string torchSaveBytes(const std::vector<SavedTensor>& tensors, const TorchSaveOptions& options) {
    const std::string pickle = statePickle(tensors, options);
    if (!options.legacyFormat) {
        std::vector<std::pair<std::string, std::string>> entries;
        const std::string root = options.archiveName + "/";
        entries.push_back({root + "data.pkl", pickle});
        entries.push_back({root + "byteorder", "little"});
        for (const auto& [key, t] : storages(tensors))
            entries.push_back({root + "data/" + key, std::string(t->storageBytes.begin(), t->storageBytes.end())});
        entries.push_back({root + "version", "3\n"});
        return zipStored(entries, options.compressData);
    }
    PickleOut magic, protocol, sysInfo, keys;
    magic.proto();
    magic.bytes += std::string("\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 12);
    magic.op('.');
    protocol.proto();
    protocol.integer(1001);
    protocol.op('.');
    sysInfo.proto();
    sysInfo.op('}');
    sysInfo.op('(');
    sysInfo.str("protocol_version");
    sysInfo.integer(1001);
    sysInfo.str("little_endian");
    sysInfo.op('\x88');
    sysInfo.op('u');
    sysInfo.op('.');
    keys.proto();
    keys.op(']');
    keys.op('(');
    const auto used = storages(tensors);
    for (const auto& [key, t] : used) keys.str(key);
    keys.op('e');
    keys.op('.');
    std::string out = magic.bytes + protocol.bytes + sysInfo.bytes + pickle + keys.bytes;
    for (const auto& [key, t] : used) {
        putLe(out, t->storageBytes.size() / dtypeSize(t->dtype), 8);
        out.append(t->storageBytes.begin(), t->storageBytes.end());
    }
    return out;
}

void writeTorchSave(const std::string& path, const std::vector<SavedTensor>& tensors, const TorchSaveOptions& options) {
    std::ofstream(path, std::ios::binary) << torchSaveBytes(tensors, options);
}

}  // namespace ascope::test
