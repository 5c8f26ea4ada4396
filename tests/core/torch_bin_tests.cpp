#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <random>

#include "checkpoint/checkpoint_tensors.h"
#include "checkpoint/pickle_reader.h"
#include "checkpoint/torch_bin_reader.h"
#include "inference/text_model.h"
#include "temp_dir.h"
#include "tiny_bert_fixture.h"
#include "torch_save_writer.h"

using namespace ascope;
using namespace ascope::test;
namespace fs = std::filesystem;

namespace {
std::vector<std::uint8_t> floatBytes(const std::vector<float>& v) {
    std::vector<std::uint8_t> out(v.size() * 4);
    std::memcpy(out.data(), v.data(), out.size());
    return out;
}

std::vector<float> floats(const TensorView& view) {
    std::vector<float> out;
    REQUIRE(toFloat32(view, out));
    return out;
}

// A weight [2, 3], a bias sharing its storage at offset 6, a transposed view of the weight,
// an F16 tensor and an int64 buffer.
std::vector<SavedTensor> sampleStateDict() {
    const std::vector<float> storage = {1, 2, 3, 4, 5, 6, -1.5f, 0.25f};
    std::vector<SavedTensor> t(5);
    t[0] = {"layer.weight", "0", DType::F32, floatBytes(storage), 0, {2, 3}, {}, true};
    t[1] = {"layer.bias", "0", DType::F32, {}, 6, {2}, {}, false};
    t[2] = {"layer.weight_t", "0", DType::F32, {}, 0, {3, 2}, {1, 3}, false};
    t[3] = {"half", "1", DType::F16, encodeAs(DType::F16, {0.5f, -2.f, 3.f}), 0, {3}, {}, false};
    std::vector<std::uint8_t> ids(3 * 8, 0);
    for (int i = 0; i < 3; ++i) ids[i * 8] = static_cast<std::uint8_t>(i + 10);
    t[4] = {"position_ids", "2", DType::I64, ids, 0, {1, 3}, {}, false};
    return t;
}

void checkSample(const TorchBinReader& r) {
    REQUIRE(r.tensors().size() == 5);
    CHECK(r.find("layer.weight")->shape == std::vector<std::int64_t>{2, 3});
    CHECK(floats(*r.find("layer.weight")) == std::vector<float>{1, 2, 3, 4, 5, 6});
    CHECK(floats(*r.find("layer.bias")) == std::vector<float>{-1.5f, 0.25f});
    CHECK(floats(*r.find("layer.weight_t")) == std::vector<float>{1, 4, 2, 5, 3, 6});
    CHECK(r.find("half")->dtype == DType::F16);
    CHECK(floats(*r.find("half")) == std::vector<float>{0.5f, -2.f, 3.f});
    const auto* ids = r.find("position_ids");
    CHECK(ids->dtype == DType::I64);
    std::int64_t third = 0;
    std::memcpy(&third, ids->data + 16, 8);
    CHECK(third == 12);
}

// Saves the sample state dict with these options and checks what the reader gives back.
void checkSampleRoundTrip(const TorchSaveOptions& options) {
    TempDir dir;
    writeTorchSave(dir.file("pytorch_model.bin"), sampleStateDict(), options);
    auto r = TorchBinReader::open(dir.file("pytorch_model.bin"));
    REQUIRE(r.hasValue());
    checkSample(**r);
}

std::string openError(const std::string& path) {
    auto r = TorchBinReader::open(path);
    REQUIRE_FALSE(r.hasValue());
    return r.error();
}

// Copies a safetensors model folder to `dst` with its weights saved as pytorch_model.bin.
void resaveAsBin(const std::string& src, const std::string& dst, const TorchSaveOptions& options = {}) {
    fs::create_directories(dst);
    for (const char* f : {"config.json", "vocab.txt", "tokenizer_config.json"})
        if (fs::exists(fs::path(src) / f)) fs::copy_file(fs::path(src) / f, fs::path(dst) / f);
    auto tensors = CheckpointTensors::openFolder(src);
    REQUIRE(tensors.hasValue());
    writeTorchSave((fs::path(dst) / "pytorch_model.bin").string(), savedTensorsFrom(*tensors), options);
}
}  // namespace

TEST_CASE("A state dict in PyTorch's ZIP format reads back shared, strided and typed tensors", "[core][checkpoint][bin]") {
    checkSampleRoundTrip({});
}

TEST_CASE("A state dict in the legacy torch.save format reads back the same tensors", "[core][checkpoint][bin]") {
    TorchSaveOptions legacy;
    legacy.legacyFormat = true;
    checkSampleRoundTrip(legacy);
}

TEST_CASE("A BERT folder with only pytorch_model.bin gives the same results as its safetensors twin", "[core][checkpoint][bin]") {
    TempDir dir;
    TinyBertSpec spec;
    spec.dtype = GENERATE(DType::F32, DType::F16);
    const TinyBert tiny = writeTinyBert(dir.file("st"), spec);
    TorchSaveOptions options;
    options.legacyFormat = GENERATE(false, true);
    resaveAsBin(tiny.dir, dir.file("bin"), options);
    REQUIRE_FALSE(fs::exists(dir.file("bin/model.safetensors")));
    auto a = TextModel::load(tiny.dir);
    auto b = TextModel::load(dir.file("bin"));
    REQUIRE(a.hasValue());
    REQUIRE(b.hasValue());
    const char* text = "the cat sat on the [MASK] .";
    auto ra = (*a)->analyse(text);
    auto rb = (*b)->analyse(text);
    REQUIRE(ra.hasValue());
    REQUIRE(rb.hasValue());
    CHECK(ra->attention.values == rb->attention.values);
    REQUIRE(ra->predictions.size() == 1);
    REQUIRE(rb->predictions.size() == 1);
    for (std::size_t k = 0; k < ra->predictions[0].top.size(); ++k) {
        CHECK(ra->predictions[0].top[k].id == rb->predictions[0].top[k].id);
        CHECK(ra->predictions[0].top[k].probability == rb->predictions[0].top[k].probability);
    }
}

TEST_CASE("Sharded pytorch_model.bin checkpoints load through their index", "[core][checkpoint][bin]") {
    TempDir dir;
    writeTorchSave(dir.file("pytorch_model-00001-of-00002.bin"), {sampleStateDict()[0], sampleStateDict()[1]});
    writeTorchSave(dir.file("pytorch_model-00002-of-00002.bin"), {sampleStateDict()[3]});
    writeText(dir.file("pytorch_model.bin.index.json"),
              R"({"weight_map": {"layer.weight": "pytorch_model-00001-of-00002.bin",
                  "layer.bias": "pytorch_model-00001-of-00002.bin", "half": "pytorch_model-00002-of-00002.bin"}})");
    auto t = CheckpointTensors::openFolder(dir.path().string());
    REQUIRE(t.hasValue());
    CHECK(t->names().size() == 3);
    CHECK(floats(*t->find("half")) == std::vector<float>{0.5f, -2.f, 3.f});
    CHECK(floats(*t->find("layer.bias")) == std::vector<float>{-1.5f, 0.25f});
}

TEST_CASE("A pickle that names anything but tensor rebuilders is refused without running it", "[core][checkpoint][bin]") {
    TempDir dir;
    TorchSaveOptions hostile;
    hostile.extraGlobal = GENERATE(as<std::string>{}, "os\nsystem", "builtins\neval", "subprocess\nPopen", "torch\nload");
    hostile.legacyFormat = GENERATE(false, true);
    writeTorchSave(dir.file("evil.bin"), sampleStateDict(), hostile);
    const std::string name = hostile.extraGlobal.substr(0, hostile.extraGlobal.find('\n'));
    CHECK_THAT(openError(dir.file("evil.bin")), Catch::Contains("refuses to load '" + name + ".") && Catch::Contains("evil.bin"));
}

TEST_CASE("Malformed .bin files give an error naming the file and the tensor", "[core][checkpoint][bin]") {
    TempDir dir;
    const std::string path = dir.file("pytorch_model.bin");
    SECTION("a storage smaller than its tensor") {
        auto t = sampleStateDict();
        t[1].offset = 7;  // two elements from offset 7 of an 8-element storage
        writeTorchSave(path, t);
        CHECK_THAT(openError(path), Catch::Contains("'layer.bias'") && Catch::Contains("past the end of its storage"));
    }
    SECTION("a storage missing from the archive") {
        auto t = sampleStateDict();
        t[3].storageKey = "9";
        t[3].storageBytes.clear();
        writeTorchSave(path, t);
        CHECK_THAT(openError(path), Catch::Contains("'half'") && Catch::Contains("storage '9'"));
    }
    SECTION("compressed entries") {
        TorchSaveOptions o;
        o.compressData = true;
        writeTorchSave(path, sampleStateDict(), o);
        CHECK_THAT(openError(path), Catch::Contains("compressed"));
    }
    SECTION("a ZIP archive that is not a PyTorch file") {
        writeText(path, zipStored({{"readme.txt", "hello"}}));
        CHECK_THAT(openError(path), Catch::Contains("without data.pkl"));
    }
    SECTION("text that is neither format") {
        writeText(path, "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 440473133\n");
        CHECK_THAT(openError(path), Catch::Contains("neither a PyTorch ZIP archive nor a legacy torch.save file"));
    }
    SECTION("an empty file") {
        writeText(path, "");
        CHECK_THAT(openError(path), Catch::Contains("pytorch_model.bin"));
    }
}

TEST_CASE("Every truncation and thousands of corrupted .bin files fail cleanly", "[core][checkpoint][bin]") {
    TempDir dir;
    const std::string path = dir.file("cut.bin");
    TorchSaveOptions legacy;
    legacy.legacyFormat = GENERATE(false, true);
    const std::string good = torchSaveBytes(sampleStateDict(), legacy);
    // The storage bytes at the end of a legacy file are data; cutting only the tail of the
    // ZIP's end record is what a truncated download looks like. Every prefix must be refused.
    for (std::size_t cut = 0; cut < good.size(); ++cut) {
        writeText(path, good.substr(0, cut));
        auto r = TorchBinReader::open(path);
        INFO("cut at " << cut << " of " << good.size());
        CHECK_FALSE(r.hasValue());
    }
    std::mt19937 rng(11);
    int loaded = 0;
    for (int i = 0; i < 2000; ++i) {
        std::string bad = good;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int f = 0; f < flips; ++f) bad[rng() % bad.size()] = static_cast<char>(rng() & 0xFF);
        writeText(path, bad);
        auto r = TorchBinReader::open(path);  // must not crash or read out of bounds (checked under ASan)
        if (r.hasValue()) {
            ++loaded;
            for (const auto& [name, view] : (*r)->tensors()) CHECK(view.byteSize == view.elementCount() * dtypeSize(view.dtype));
        }
    }
    INFO(loaded << " of 2000 corrupted files still loaded (flips inside tensor data are harmless)");
    CHECK(loaded < 2000);
}

TEST_CASE("Hostile pickles with deep nesting or cycles are read without exhausting the stack", "[core][checkpoint][bin]") {
    auto allowNothing = [](const std::string&, const std::string&) { return false; };
    SECTION("a million nested tuples") {
        std::string p = "\x80\x02]";
        p.append(1000000, '\x85');
        p += ".";
        auto doc = readPickle(reinterpret_cast<const std::uint8_t*>(p.data()), p.size(), "deep.pkl", allowNothing);
        REQUIRE(doc.hasValue());
        CHECK((*doc)->root->kind == PickleValue::Kind::Tuple);
    }
    SECTION("a list that contains itself") {
        const std::string p("\x80\x02]q\x00h\x00" "a.", 9);
        auto doc = readPickle(reinterpret_cast<const std::uint8_t*>(p.data()), p.size(), "cycle.pkl", allowNothing);
        REQUIRE(doc.hasValue());
        CHECK((*doc)->root->items.at(0) == (*doc)->root);
    }
    SECTION("unknown opcodes and stack underflow") {
        for (const std::string& p : {std::string("\x80\x02\xff."), std::string("\x80\x02t."), std::string("\x80\x02h\x05.")}) {
            auto doc = readPickle(reinterpret_cast<const std::uint8_t*>(p.data()), p.size(), "bad.pkl", allowNothing);
            CHECK_FALSE(doc.hasValue());
        }
    }
}
