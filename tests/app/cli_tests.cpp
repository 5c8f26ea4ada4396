#include <catch2/catch.hpp>
#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "temp_dir.h"
#include "tiny_bert_fixture.h"

using namespace ascope::test;

namespace {
struct Run {
    int exitCode;
    std::string out;  // stdout + stderr
};

std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

Run cli(const std::vector<std::string>& args) {
    std::string cmd = quote(ASCOPE_CLI_PATH);
    for (const auto& a : args) cmd += " " + quote(a);
    cmd += " 2>&1";
    Run r{-1, {}};
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::array<char, 4096> buf{};
    std::size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    const int status = pclose(p);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}
}  // namespace

TEST_CASE("The CLI predicts every [MASK] as JSON", "[app][cli]") {
    TempDir dir;
    writeTinyBert(dir.file("m"));
    auto r = cli({"predict", "--model", dir.file("m"), "--text", "the [MASK] sat on the [MASK] .", "--top-k", "3", "--json"});
    REQUIRE(r.exitCode == 0);
    auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["masks"].size() == 2);
    CHECK(j["masks"][0]["position"] == 2);
    CHECK(j["masks"][1]["predictions"].size() == 3);
    float sum = 0;
    for (const auto& p : j["masks"][0]["predictions"]) sum += p["probability"].get<float>();
    CHECK(sum > 0.f);
    CHECK(sum <= 1.0001f);
}

TEST_CASE("The CLI writes attention as NPY, CSV and JSON", "[app][cli]") {
    TempDir dir;
    writeTinyBert(dir.file("m"));
    auto r = cli({"attention", "--model", dir.file("m"), "--text", "the cat sat", "--format", "npy", "--out", dir.file("a.npy")});
    REQUIRE(r.exitCode == 0);
    CHECK(readText(dir.file("a.npy")).substr(1, 5) == "NUMPY");
    r = cli({"attention", "--model", dir.file("m"), "--text", "the cat sat", "--layer", "1", "--head", "2", "--format",
             "csv", "--out", dir.file("a.csv")});
    REQUIRE(r.exitCode == 0);
    const auto csv = readText(dir.file("a.csv"));
    CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + 5 * 5);
    r = cli({"attention", "--model", dir.file("m"), "--text", "the cat", "--format", "json", "--out", dir.file("a.json")});
    REQUIRE(r.exitCode == 0);
    CHECK(nlohmann::json::parse(readText(dir.file("a.json")))["shape"] == nlohmann::json({2, 4, 4, 4}));
}

TEST_CASE("The CLI tokenizes with ids and spans", "[app][cli]") {
    TempDir dir;
    writeTinyBert(dir.file("m"));
    auto r = cli({"tokenize", "--model", dir.file("m"), "--text", "The cats", "--json"});
    REQUIRE(r.exitCode == 0);
    auto j = nlohmann::json::parse(r.out);
    REQUIRE(j.size() == 5);
    CHECK(j[2]["token"] == "cat");
    CHECK(j[2]["start"] == 4);
    CHECK(j[3]["token"] == "##s");
    CHECK(j[3]["end"] == 8);
}

TEST_CASE("CLI errors are one line on stderr with a non-zero exit", "[app][cli]") {
    TempDir dir;
    writeTinyBert(dir.file("m"));
    auto check = [](const Run& r, const std::string& fragment) {
        INFO(r.out);
        CHECK(r.exitCode != 0);
        CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
        CHECK_THAT(r.out, Catch::Contains(fragment));
    };
    check(cli({"predict", "--model", dir.file("nowhere"), "--text", "x [MASK]"}), "not a folder");
    check(cli({"predict", "--model", dir.file("m"), "--text", "no mask here"}), "no [MASK]");
    check(cli({"attention", "--model", dir.file("m"), "--text", "a", "--format", "xml", "--out", dir.file("x")}), "--format");
    check(cli({"attention", "--model", dir.file("m"), "--text", "a", "--layer", "9", "--format", "csv", "--out", dir.file("x")}),
          "layer 9 does not exist");
    check(cli({"predict", "--model", dir.file("m"), "--text", "x", "--top-k", "zero"}), "--top-k");
    check(cli({"frobnicate"}), "unknown command");
    std::string longText;
    for (int i = 0; i < 30; ++i) longText += "the cat ";
    check(cli({"predict", "--model", dir.file("m"), "--text", longText + "[MASK]"}), "at most 24");
    writeText(dir.file("m/model.safetensors"), "garbage!!");
    check(cli({"predict", "--model", dir.file("m"), "--text", "x [MASK]"}), "model.safetensors");
}

TEST_CASE("The CLI prints help and version", "[app][cli]") {
    auto r = cli({"--help"});
    CHECK(r.exitCode == 0);
    CHECK_THAT(r.out, Catch::Contains("predict") && Catch::Contains("attention"));
    r = cli({"--version"});
    CHECK(r.exitCode == 0);
    CHECK_THAT(r.out, Catch::StartsWith("attention-scope-cli "));
}
