#include "checkpoint/torch_bin_reader.h"

#include <cstring>
#include <functional>

#include "checkpoint/pickle_reader.h"
#include "checkpoint/zip_archive_reader.h"

namespace ascope {

namespace {
using Kind = PickleValue::Kind;

struct Storage {
    DType dtype = DType::F32;
    const std::uint8_t* data = nullptr;
    std::uint64_t elements = 0;
};

bool storageDType(const std::string& global, DType& out) {
    static const std::map<std::string, DType> types = {
        {"torch.FloatStorage", DType::F32}, {"torch.HalfStorage", DType::F16},  {"torch.BFloat16Storage", DType::BF16},
        {"torch.DoubleStorage", DType::F64}, {"torch.LongStorage", DType::I64}, {"torch.IntStorage", DType::I32},
        {"torch.ShortStorage", DType::I16},  {"torch.CharStorage", DType::I8},  {"torch.ByteStorage", DType::U8},
        {"torch.BoolStorage", DType::Bool}};
    auto it = types.find(global);
    if (it == types.end()) return false;
    out = it->second;
    return true;
}

bool allowedGlobal(const std::string& module, const std::string& name) {
    if (module == "collections" && name == "OrderedDict") return true;
    if (module == "torch._utils")
        return name == "_rebuild_tensor_v2" || name == "_rebuild_tensor" || name == "_rebuild_parameter";
    DType unused;
    return module == "torch" && storageDType("torch." + name, unused);
}

// A persistent id: ('storage', StorageType, key, location, numel[, view_metadata]).
struct StorageRef {
    DType dtype = DType::F32;
    std::string key;
    std::uint64_t elements = 0;
};

Expected<StorageRef> parseStorageId(const PickleValue& pid, const std::string& where) {
    const PickleValue* t = pid.items.empty() ? nullptr : pid.items[0];
    if (!t || t->kind != Kind::Tuple || t->items.size() < 5 || t->items[0]->kind != Kind::String ||
        t->items[0]->text != "storage" || t->items[1]->kind != Kind::Global || t->items[2]->kind != Kind::String ||
        t->items[4]->kind != Kind::Int || t->items[4]->integer < 0)
        return makeError(ErrorKind::InvalidInput, where + ": unexpected storage reference");
    if (t->items.size() > 5 && t->items[5]->kind != Kind::None)
        return makeError(ErrorKind::Unsupported, where + ": storage views (PyTorch < 0.4 files) are not supported");
    StorageRef ref;
    if (!storageDType(t->items[1]->text, ref.dtype)) return makeError(ErrorKind::InvalidInput, where + ": unknown storage type " + t->items[1]->text);
    ref.key = t->items[2]->text;
    ref.elements = static_cast<std::uint64_t>(t->items[4]->integer);
    return ref;
}

Expected<std::vector<std::int64_t>> intTuple(const PickleValue* v, const std::string& where, const char* what) {
    if (!v || v->kind != Kind::Tuple) return makeError(ErrorKind::InvalidInput, where + ": " + what + " is not a tuple");
    std::vector<std::int64_t> out;
    for (const auto* x : v->items) {
        if (x->kind != Kind::Int || x->integer < 0) return makeError(ErrorKind::InvalidInput, where + ": " + what + " holds a negative or non-integer value");
        out.push_back(x->integer);
    }
    return out;
}

// The state dict inside the pickle: the root, or root["state_dict"] / root["model"].
const PickleValue* stateDict(const PickleValue* root) {
    if (!root || root->kind != Kind::Dict) return nullptr;
    for (const char* key : {"state_dict", "model"})
        if (const auto* inner = root->dictFind(key); inner && inner->kind == Kind::Dict) return inner;
    return root;
}
}  // namespace

struct TorchBinReader::Impl {
    TorchBinReader& self;
    std::string label;
    std::map<std::string, Storage> storages;  // filled lazily (ZIP) or up front (legacy)
    std::function<Expected<Storage>(const StorageRef&, const std::string&)> resolve;

    Status addTensor(const std::string& name, const PickleValue* v) {
        const std::string where = label + ": tensor '" + name + "'";
        if (v->isCallOf("torch._utils._rebuild_parameter")) {
            const auto* args = v->items[1];
            if (args->items.empty()) return makeError(ErrorKind::InvalidInput, where + ": empty parameter");
            v = args->items[0];
        }
        if (!v->isCallOf("torch._utils._rebuild_tensor_v2") && !v->isCallOf("torch._utils._rebuild_tensor"))
            return Status::ok();  // not a tensor (plain numbers in some state dicts): ignored
        const auto& args = v->items[1]->items;
        if (args.size() < 4 || args[0]->kind != Kind::PersistentId || args[1]->kind != Kind::Int || args[1]->integer < 0)
            return makeError(ErrorKind::InvalidInput, where + ": malformed tensor record");
        auto ref = parseStorageId(*args[0], where);
        if (!ref) return ref.errorValue();
        auto storage = resolve(*ref, where);
        if (!storage) return storage.errorValue();
        auto shape = intTuple(args[2], where, "size");
        if (!shape) return shape.errorValue();
        auto stride = intTuple(args[3], where, "stride");
        if (!stride) return stride.errorValue();
        if (shape->size() != stride->size()) return makeError(ErrorKind::InvalidInput, where + ": size and stride differ in length");

        TensorView view;
        view.name = name;
        view.file = label;
        view.dtype = storage->dtype;
        view.shape = *shape;
        const std::uint64_t elemSize = dtypeSize(view.dtype);
        std::uint64_t elements = 1, lastIndex = 0;
        bool contiguous = true;
        std::uint64_t expected = 1;
        for (std::size_t d = shape->size(); d-- > 0;) {
            const auto n = static_cast<std::uint64_t>((*shape)[d]), s = static_cast<std::uint64_t>((*stride)[d]);
            std::uint64_t reach = 0;
            if (__builtin_mul_overflow(elements, n, &elements) || (n > 0 && __builtin_mul_overflow(n - 1, s, &reach)) ||
                __builtin_add_overflow(lastIndex, reach, &lastIndex))
                return makeError(ErrorKind::InvalidInput, where + ": shape " + view.shapeString() + " is too large");
            if (n != 1 && s != expected) contiguous = false;
            if (n > 0 && __builtin_mul_overflow(expected, n, &expected)) expected = ~0ull;
        }
        const auto offset = static_cast<std::uint64_t>(args[1]->integer);
        if (elements > 0 && (offset >= storage->elements || lastIndex >= storage->elements - offset))
            return makeError(ErrorKind::InvalidInput, where + ": shape " + view.shapeString() + " reaches past the end of its storage (" +
                             std::to_string(storage->elements) + " elements)");
        view.byteSize = static_cast<std::size_t>(elements * elemSize);
        if (elements == 0 || contiguous) {
            view.data = storage->data + (elements ? offset * elemSize : 0);
        } else {
            auto copy = std::make_unique<std::vector<std::uint8_t>>(view.byteSize);
            std::vector<std::int64_t> index(shape->size(), 0);
            for (std::uint64_t i = 0; i < elements; ++i) {
                std::uint64_t src = offset;
                for (std::size_t d = 0; d < index.size(); ++d) src += static_cast<std::uint64_t>(index[d] * (*stride)[d]);
                std::memcpy(copy->data() + i * elemSize, storage->data + src * elemSize, elemSize);
                for (std::size_t d = index.size(); d-- > 0;) {
                    if (++index[d] < (*shape)[d]) break;
                    index[d] = 0;
                }
            }
            view.data = copy->data();
            self.m_copies.push_back(std::move(copy));
        }
        self.m_tensors[name] = std::move(view);
        return Status::ok();
    }

    Status addAll(const PickleValue* root) {
        const auto* dict = stateDict(root);
        if (!dict) return makeError(ErrorKind::InvalidInput, label + ": the pickle does not hold a state dict");
        for (std::size_t i = 0; i + 1 < dict->items.size(); i += 2) {
            if (dict->items[i]->kind != Kind::String) return makeError(ErrorKind::InvalidInput, label + ": state dict has a non-string key");
            if (auto st = addTensor(dict->items[i]->text, dict->items[i + 1]); !st) return st;
        }
        if (self.m_tensors.empty()) return makeError(ErrorKind::InvalidInput, label + ": holds no tensors");
        return Status::ok();
    }

    Status readZip(const MappedFile& file) {
        auto zip = ZipArchiveReader::parse(file.data(), file.size(), label);
        if (!zip) return zip.errorValue();
        std::string prefix;
        for (const auto& [name, entry] : zip->entries()) {
            const auto slash = name.find('/');
            if (slash != std::string::npos && name.substr(slash) == "/data.pkl") {
                prefix = name.substr(0, slash + 1);
                break;
            }
        }
        const ZipEntry* pkl = zip->find(prefix + "data.pkl");
        if (!pkl) return makeError(ErrorKind::InvalidInput, label + ": ZIP archive without data.pkl (not a PyTorch file)");
        if (const auto* order = zip->find(prefix + "byteorder")) {
            auto bytes = zip->bytes(*order);
            if (!bytes) return bytes.errorValue();
            if (std::string(reinterpret_cast<const char*>(*bytes), order->size) != "little")
                return makeError(ErrorKind::Unsupported, label + ": saved on a big-endian machine; not supported");
        }
        auto pklBytes = zip->bytes(*pkl);
        if (!pklBytes) return pklBytes.errorValue();
        auto doc = readPickle(*pklBytes, pkl->size, label, allowedGlobal);
        if (!doc) return doc.errorValue();
        resolve = [&](const StorageRef& ref, const std::string& where) -> Expected<Storage> {
            const ZipEntry* e = zip->find(prefix + "data/" + ref.key);
            if (!e) return makeError(ErrorKind::InvalidInput, where + ": storage '" + ref.key + "' is missing from the archive");
            auto bytes = zip->bytes(*e);
            if (!bytes) return bytes.errorValue();
            const std::uint64_t elemSize = dtypeSize(ref.dtype);
            if (ref.elements > e->size / elemSize)
                return makeError(ErrorKind::InvalidInput, where + ": storage '" + ref.key + "' holds " + std::to_string(e->size) + " bytes, fewer than " +
                                 std::to_string(ref.elements) + " " + dtypeName(ref.dtype) + " values");
            return Storage{ref.dtype, *bytes, ref.elements};
        };
        return addAll((*doc)->root);
    }

    // Legacy stream: magic, protocol, sys_info, the state dict, the storage keys, then each
    // storage as an 8-byte element count followed by its bytes.
    Status readLegacy(const MappedFile& file) {
        const std::uint8_t* p = file.data();
        std::size_t left = file.size();
        std::vector<std::shared_ptr<PickleDocument>> docs;
        for (int i = 0; i < 5; ++i) {
            auto doc = readPickle(p, left, label, allowedGlobal);
            if (!doc) return i == 0 ? Status(makeError(ErrorKind::InvalidInput, label + ": neither a PyTorch ZIP archive nor a legacy torch.save file"))
                                    : Status(doc.errorValue());
            p += (*doc)->bytesRead;
            left -= (*doc)->bytesRead;
            docs.push_back(*doc);
        }
        const auto* magic = docs[0]->root;
        static const std::string kMagic("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10);  // 0x1950a86a20f9469cfc6c
        if (magic->kind != Kind::Int || magic->text != kMagic)
            return makeError(ErrorKind::InvalidInput, label + ": not a torch.save file (wrong magic number)");
        if (const auto* le = docs[2]->root->dictFind("little_endian"); le && le->kind == Kind::Bool && !le->integer)
            return makeError(ErrorKind::Unsupported, label + ": saved on a big-endian machine; not supported");
        // Which storages the state dict uses, and their types.
        std::map<std::string, StorageRef> refs;
        for (const auto& node : docs[3]->arena)
            if (node->kind == Kind::PersistentId) {
                auto ref = parseStorageId(*node, label);
                if (!ref) return ref.errorValue();
                refs[ref->key] = *ref;
            }
        const auto* keys = docs[4]->root;
        if (keys->kind != Kind::List) return makeError(ErrorKind::InvalidInput, label + ": storage key list missing");
        for (const auto* k : keys->items) {
            if (k->kind != Kind::String) return makeError(ErrorKind::InvalidInput, label + ": storage key is not a string");
            auto it = refs.find(k->text);
            if (it == refs.end()) return makeError(ErrorKind::InvalidInput, label + ": storage '" + k->text + "' is not used by any tensor");
            if (left < 8) return makeError(ErrorKind::InvalidInput, label + ": storage '" + k->text + "' is missing (file truncated?)");
            std::uint64_t n = 0;
            for (int b = 7; b >= 0; --b) n = (n << 8) | p[b];
            p += 8;
            left -= 8;
            const std::uint64_t elemSize = dtypeSize(it->second.dtype);
            if (n != it->second.elements || n > left / elemSize)
                return makeError(ErrorKind::InvalidInput, label + ": storage '" + k->text + "' is truncated or has the wrong size");
            storages[k->text] = Storage{it->second.dtype, p, n};
            p += n * elemSize;
            left -= n * elemSize;
        }
        resolve = [&](const StorageRef& ref, const std::string& where) -> Expected<Storage> {
            auto it = storages.find(ref.key);
            if (it == storages.end()) return makeError(ErrorKind::InvalidInput, where + ": storage '" + ref.key + "' is missing from the file");
            return it->second;
        };
        return addAll(docs[3]->root);
    }
};

Expected<std::shared_ptr<TorchBinReader>> TorchBinReader::open(const std::string& path) {
    auto file = MappedFile::open(path);
    if (!file) return file.errorValue();
    auto reader = std::shared_ptr<TorchBinReader>(new TorchBinReader());
    reader->m_file = *file;
    Impl impl{*reader, path, {}, {}};
    const bool zip = ZipArchiveReader::looksLikeZip((*file)->data(), (*file)->size());
    if (auto st = zip ? impl.readZip(**file) : impl.readLegacy(**file); !st) return st.errorValue();
    return reader;
}

const TensorView* TorchBinReader::find(const std::string& name) const {
    auto it = m_tensors.find(name);
    return it == m_tensors.end() ? nullptr : &it->second;
}

}  // namespace ascope
