#include <catch2/catch.hpp>
#include <cstring>
#include <nlohmann/json.hpp>

#include "export/attention_exporter.h"

using namespace ascope;

namespace {
AttentionStack sampleStack() {
    AttentionStack a;
    a.layers = 2;
    a.heads = 3;
    a.queries = a.keys = 4;
    for (int i = 0; i < 2 * 3 * 4 * 4; ++i) a.values.push_back(static_cast<float>(i) / 100.f);
    return a;
}
const std::vector<std::string> kLabels = {"[CLS]", "a,b", "say \"hi\"", "[SEP]"};
}  // namespace

TEST_CASE("NPY export has a valid header and the selected matrices", "[core][export]") {
    const auto a = sampleStack();
    auto bytes = exportAttention(a, kLabels, {1, -1}, ExportFormat::Npy);
    REQUIRE(bytes.hasValue());
    const std::string& b = *bytes;
    REQUIRE(b.substr(0, 8) == std::string("\x93NUMPY\x01\x00", 8));
    const std::size_t headerLen = static_cast<unsigned char>(b[8]) | (static_cast<unsigned char>(b[9]) << 8);
    CHECK((10 + headerLen) % 64 == 0);
    const std::string header = b.substr(10, headerLen);
    CHECK_THAT(header, Catch::Contains("'descr': '<f4'") && Catch::Contains("'shape': (1, 3, 4, 4)"));
    REQUIRE(b.size() == 10 + headerLen + 3 * 16 * 4);
    float first;
    std::memcpy(&first, b.data() + 10 + headerLen, 4);
    CHECK(first == a.at(1, 0, 0, 0));
}

TEST_CASE("CSV export quotes token labels and lists one row per weight", "[core][export]") {
    auto csv = exportAttention(sampleStack(), kLabels, {0, 2}, ExportFormat::Csv);
    REQUIRE(csv.hasValue());
    CHECK_THAT(*csv, Catch::StartsWith("layer,head,from_index,from_token,to_index,to_token,weight\n"));
    CHECK(std::count(csv->begin(), csv->end(), '\n') == 1 + 16);
    CHECK_THAT(*csv, Catch::Contains("0,2,1,\"a,b\",2,\"say \"\"hi\"\"\","));
}

TEST_CASE("JSON export nests layers, heads and rows", "[core][export]") {
    const auto a = sampleStack();
    auto text = exportAttention(a, kLabels, {-1, -1}, ExportFormat::Json);
    REQUIRE(text.hasValue());
    auto j = nlohmann::json::parse(*text);
    CHECK(j["shape"] == nlohmann::json({2, 3, 4, 4}));
    CHECK(j["tokens"][2] == "say \"hi\"");
    CHECK(j["attention"][1][2][3][0].get<float>() == Approx(a.at(1, 2, 3, 0)));
}

TEST_CASE("Exporting a layer or head that does not exist is an error", "[core][export]") {
    auto r = exportAttention(sampleStack(), kLabels, {2, 0}, ExportFormat::Csv);
    REQUIRE_FALSE(r.hasValue());
    CHECK_THAT(r.error(), Catch::Contains("layer 2 does not exist (0..1)"));
}
