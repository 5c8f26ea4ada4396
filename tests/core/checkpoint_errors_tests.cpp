#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "checkpoint/safetensors_reader.h"
#include "checkpoint/safetensors_writer.h"
#include "vision/image_preprocessor.h"
#include "inference/text_model.h"
#include "temp_dir.h"
#include "tiny_bert_fixture.h"

using namespace ascope;
using namespace ascope::test;

namespace {
// A safetensors file with the given header text and `dataBytes` bytes of payload.
std::string writeRaw(const TempDir& dir, const std::string& header, std::size_t dataBytes,
                     std::uint64_t declaredLength = UINT64_MAX) {
    const std::string path = dir.file("t.safetensors");
    std::string bytes(8, '\0');
    const std::uint64_t len = declaredLength == UINT64_MAX ? header.size() : declaredLength;
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((len >> (8 * i)) & 0xFF);
    bytes += header;
    bytes.append(dataBytes, '\x01');
    writeText(path, bytes);
    return path;
}

std::string openError(const std::string& path) {
    auto r = SafetensorsReader::open(path);
    REQUIRE_FALSE(r.hasValue());
    return r.error();
}
}  // namespace

TEST_CASE("Malformed safetensors files give an error naming the file and the tensor", "[core][checkpoint]") {
    TempDir dir;
    SECTION("a file shorter than the length prefix") {
        writeText(dir.file("t.safetensors"), "abc");
        CHECK_THAT(openError(dir.file("t.safetensors")), Catch::Contains("truncated") && Catch::Contains("t.safetensors"));
    }
    SECTION("a header length beyond the end of the file") {
        auto p = writeRaw(dir, "{}", 0, 1ull << 40);
        CHECK_THAT(openError(p), Catch::Contains("runs past the end of the file"));
    }
    SECTION("a header that is not JSON") {
        auto p = writeRaw(dir, "{not json", 0);
        CHECK_THAT(openError(p), Catch::Contains("invalid JSON header"));
    }
    SECTION("offsets past the end of the data (truncated file)") {
        auto p = writeRaw(dir, R"({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}})", 8);
        CHECK_THAT(openError(p), Catch::Contains("'w'") && Catch::Contains("run past the end"));
    }
    SECTION("overlapping byte ranges") {
        auto p = writeRaw(dir,
                          R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
                          R"( "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
                          12);
        CHECK_THAT(openError(p), Catch::Contains("overlapping"));
    }
    SECTION("shape times dtype size not matching the byte range") {
        auto p = writeRaw(dir, R"({"w": {"dtype": "F16", "shape": [3, 3], "data_offsets": [0, 16]}})", 16);
        CHECK_THAT(openError(p), Catch::Contains("'w'") && Catch::Contains("needs 18 bytes"));
    }
    SECTION("an unknown dtype") {
        auto p = writeRaw(dir, R"({"w": {"dtype": "F8_E9", "shape": [1], "data_offsets": [0, 1]}})", 1);
        CHECK_THAT(openError(p), Catch::Contains("unknown dtype 'F8_E9'"));
    }
    SECTION("begin after end") {
        auto p = writeRaw(dir, R"({"w": {"dtype": "U8", "shape": [0], "data_offsets": [4, 2]}})", 8);
        CHECK_THAT(openError(p), Catch::Contains("begin after they end"));
    }
    SECTION("a negative dimension") {
        auto p = writeRaw(dir, R"({"w": {"dtype": "U8", "shape": [-1], "data_offsets": [0, 1]}})", 1);
        CHECK_THAT(openError(p), Catch::Contains("negative"));
    }
    SECTION("a header that is an array") {
        auto p = writeRaw(dir, "[1, 2]", 0);
        CHECK_THAT(openError(p), Catch::Contains("not an object"));
    }
}

TEST_CASE("Every truncation of a valid checkpoint fails cleanly", "[core][checkpoint]") {
    TempDir dir;
    const auto tiny = writeTinyBert(dir.file("m"));
    const std::string full = readText(dir.file("m/model.safetensors"));
    for (std::size_t cut : {std::size_t(0), std::size_t(7), std::size_t(9), full.size() / 3, full.size() - 1}) {
        writeText(dir.file("cut.safetensors"), full.substr(0, cut));
        auto r = SafetensorsReader::open(dir.file("cut.safetensors"));
        INFO("cut at " << cut);
        CHECK_FALSE(r.hasValue());
    }
    CHECK(SafetensorsReader::open(dir.file("m/model.safetensors")).hasValue());
}

TEST_CASE("Model folders with missing or mismatched parts are refused with the reason", "[core][checkpoint]") {
    TempDir dir;
    const auto tiny = writeTinyBert(dir.file("m"));
    const auto folder = dir.file("m");
    auto loadError = [&]() {
        auto m = TextModel::load(folder);
        REQUIRE_FALSE(m.hasValue());
        return m.error();
    };
    SECTION("missing vocabulary") {
        std::filesystem::remove(folder + "/vocab.txt");
        CHECK_THAT(loadError(), Catch::Contains("vocab.txt"));
    }
    SECTION("missing config") {
        std::filesystem::remove(folder + "/config.json");
        CHECK_THAT(loadError(), Catch::Contains("config.json"));
    }
    SECTION("missing weights file") {
        std::filesystem::remove(folder + "/model.safetensors");
        CHECK_THAT(loadError(), Catch::Contains("no model.safetensors"));
    }
    SECTION("a config that disagrees with the tensor shapes") {
        auto config = nlohmann::json::parse(readText(folder + "/config.json"));
        config["intermediate_size"] = 40;
        writeText(folder + "/config.json", config.dump());
        CHECK_THAT(loadError(), Catch::Contains("intermediate.dense.weight") && Catch::Contains("[32, 16]") &&
                                    Catch::Contains("[40, 16]"));
    }
    SECTION("more layers in the config than in the checkpoint") {
        auto config = nlohmann::json::parse(readText(folder + "/config.json"));
        config["num_hidden_layers"] = 3;
        writeText(folder + "/config.json", config.dump());
        CHECK_THAT(loadError(), Catch::Contains("missing tensor 'bert.encoder.layer.2."));
    }
    SECTION("hidden size not divisible by the heads") {
        auto config = nlohmann::json::parse(readText(folder + "/config.json"));
        config["num_attention_heads"] = 3;
        writeText(folder + "/config.json", config.dump());
        CHECK_THAT(loadError(), Catch::Contains("not a multiple"));
    }
    SECTION("an integer dtype where weights belong") {
        // Rewrite the checkpoint with the word embeddings stored as I32.
        SafetensorsWriter writer;
        {
            auto reader = SafetensorsReader::open(folder + "/model.safetensors");
            REQUIRE(reader.hasValue());
            for (const auto& [name, view] : (*reader)->tensors()) {
                const DType dtype = name == "bert.embeddings.word_embeddings.weight" ? DType::I32 : view.dtype;
                writer.addRaw(name, dtype, view.shape, std::vector<std::uint8_t>(view.data, view.data + view.byteSize));
            }
        }
        REQUIRE(writer.write(folder + "/model.safetensors").hasValue());
        CHECK_THAT(loadError(), Catch::Contains("word_embeddings.weight") && Catch::Contains("dtype I32"));
    }
    SECTION("a LayerNorm epsilon that is not a number") {
        auto config = nlohmann::json::parse(readText(folder + "/config.json"));
        config["layer_norm_eps"] = "1e-12";
        writeText(folder + "/config.json", config.dump());
        CHECK_THAT(loadError(), Catch::Contains("config.json") && Catch::Contains("'layer_norm_eps' must be a number"));
    }
    SECTION("a config.json that is not JSON") {
        writeText(folder + "/config.json", "{\"hidden_size\": ");
        CHECK_THAT(loadError(), Catch::Contains("config.json") && Catch::Contains("invalid JSON"));
    }
}

#include "checkpoint/model_discovery.h"

TEST_CASE("Models in a Hugging Face hub cache are found by name and snapshot", "[core][checkpoint]") {
    TempDir dir;
    const auto snap = dir.path() / "models--google--bert-tiny" / "snapshots" / "abc123";
    std::filesystem::create_directories(snap);
    writeText((snap / "config.json").string(), "{}");
    std::filesystem::create_directories(dir.path() / "models--empty--thing" / "snapshots" / "x");  // no config.json
    std::filesystem::create_directories(dir.path() / "datasets--some--set");
    const auto found = findCachedModels(dir.path().string());
    REQUIRE(found.size() == 1);
    CHECK(found[0].name == "google/bert-tiny");
    CHECK(found[0].dir == snap.string());
    CHECK(findCachedModels(dir.file("missing")).empty());
}

TEST_CASE("Preprocessor settings that are not integers in range are refused with the key named",
          "[core][checkpoint][vision]") {
    for (const char* text : {R"({"resample": 2.2e50})", R"({"size": {"height": 1e12, "width": 3}})",
                             R"({"size": 4294967520})", R"({"crop_size": "big"})", R"({"size": {"shortest_edge": -4}})",
                             R"({"resample": 9})", R"([1, 2])"}) {
        INFO(text);
        auto c = PreprocessorConfig::fromJsonText(text, "preprocessor_config.json", 224);
        REQUIRE_FALSE(c.hasValue());
        CHECK(c.errorKind() == ErrorKind::InvalidInput);
        CHECK_THAT(c.error(), Catch::Contains("preprocessor_config.json"));
    }
    auto ok = PreprocessorConfig::fromJsonText(R"({"size": {"shortest_edge": 256}, "crop_size": 224, "resample": 2})",
                                               "preprocessor_config.json", 224);
    REQUIRE(ok.hasValue());
    CHECK(ok->shortestEdge == 256);
    CHECK(ok->cropWidth == 224);
    CHECK(ok->resample == 2);
}
