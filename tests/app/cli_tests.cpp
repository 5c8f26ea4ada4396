#include <catch2/catch.hpp>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sys/wait.h>

#include <filesystem>

#include "checkpoint/checkpoint_tensors.h"
#include "temp_dir.h"
#include "tiny_bert_fixture.h"
#include "tiny_vit_fixture.h"
#include "torch_save_writer.h"

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

// `environment`: assignments put before the command ("ASCOPE_ENGINE=/x").
Run cli(const std::vector<std::string>& args, const std::string& environment = {}) {
    std::string cmd = environment.empty() ? quote(ASCOPE_CLI_PATH) : "env " + environment + " " + quote(ASCOPE_CLI_PATH);
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

TEST_CASE("The CLI runs a RoBERTa folder: tokenize with readable labels, predict <mask>, classify-text", "[app][cli][roberta]") {
    TempDir dir;
    TinyBertSpec spec;
    spec.family = "roberta";
    writeTinyBert(dir.file("r"), spec);
    auto r = cli({"tokenize", "--model", dir.file("r"), "--text", "the cat <mask>", "--json"});
    REQUIRE(r.exitCode == 0);
    auto j = nlohmann::json::parse(r.out);
    REQUIRE(j.size() == 5);
    CHECK(j[0]["token"] == "<s>");
    CHECK(j[2]["token"] == "\xC4\xA0" "cat");
    CHECK(j[2]["label"] == "\xC2\xB7" "cat");
    CHECK(j[2]["start"] == 4);
    CHECK(j[3]["token"] == "<mask>");
    CHECK_FALSE(j[3].contains("label"));
    r = cli({"predict", "--model", dir.file("r"), "--text", "the cat <mask>", "--top-k", "2", "--json"});
    REQUIRE(r.exitCode == 0);
    j = nlohmann::json::parse(r.out);
    REQUIRE(j["masks"].size() == 1);
    CHECK(j["masks"][0]["position"] == 3);
    r = cli({"predict", "--model", dir.file("r"), "--text", "the cat [MASK]"});
    CHECK(r.exitCode == 1);
    CHECK(r.out == "attention-scope-cli: the text has no <mask> token to predict\n");

    spec.task = "sequence";
    writeTinyBert(dir.file("s"), spec);
    r = cli({"classify-text", "--model", dir.file("s"), "--text", "the sky is red", "--json"});
    REQUIRE(r.exitCode == 0);
    j = nlohmann::json::parse(r.out);
    REQUIRE(j["labels"].size() == 2);
    CHECK(j["labels"][0]["score"].get<double>() >= j["labels"][1]["score"].get<double>());
}

TEST_CASE("predict, attention, classify-text and tag take --window and --stride for long texts", "[app][cli][windows]") {
    TempDir dir;
    writeTinyBert(dir.file("m"));  // 24 positions
    std::string text;
    for (int i = 0; i < 12; ++i) text += i == 9 ? "the [MASK] sat . " : "the cat sat . ";
    auto r = cli({"predict", "--model", dir.file("m"), "--text", text, "--json"});
    CHECK(r.exitCode == 1);
    r = cli({"predict", "--model", dir.file("m"), "--text", text, "--window", "16", "--stride", "4", "--json"});
    REQUIRE(r.exitCode == 0);
    auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["masks"].size() == 1);
    CHECK(j["masks"][0]["position"] == 38);
    REQUIRE(j["windows"].size() == 5);  // 48 text tokens, 14 per window, 4 shared: starts 0, 10, 20, 30 and 34
    r = cli({"attention", "--model", dir.file("m"), "--text", text, "--window", "16", "--stride", "4", "--format", "npy",
             "--out", dir.file("w.npy")});
    REQUIRE(r.exitCode == 0);
    const auto npy = readText(dir.file("w.npy"));
    CHECK(npy.find("'shape': (" + std::to_string(j["windows"].size()) + ", 2, 4, 16, 16)") != std::string::npos);
    r = cli({"predict", "--model", dir.file("m"), "--text", text, "--window", "16", "--stride", "14"});
    CHECK(r.exitCode == 1);
    CHECK(r.out.find("stride") != std::string::npos);
    r = cli({"predict", "--model", dir.file("m"), "--text", text, "--window", "16", "--attention-mask", "block:1"});
    CHECK(r.exitCode == 1);

    TinyBertSpec spec;
    spec.task = "sequence";
    writeTinyBert(dir.file("s"), spec);
    r = cli({"classify-text", "--model", dir.file("s"), "--text", text, "--window", "20", "--json"});
    REQUIRE(r.exitCode == 0);
    CHECK(nlohmann::json::parse(r.out)["labels"].size() == 2);
    spec.task = "tokens";
    spec.labels = {"O", "B-PER", "I-PER"};
    writeTinyBert(dir.file("t"), spec);
    r = cli({"tag", "--model", dir.file("t"), "--text", text, "--window", "20", "--stride", "8", "--json"});
    REQUIRE(r.exitCode == 0);
    CHECK(nlohmann::json::parse(r.out)["tokens"].size() == 48);
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
    // A text too long for the model is told how to run anyway; a short pair that is too long is not.
    check(cli({"predict", "--model", dir.file("m"), "--text", longText + "[MASK]"}), "--window 24 runs it in overlapping windows");
    auto pair = cli({"predict", "--model", dir.file("m"), "--text", "the cat [MASK]", "--text-pair", longText});
    check(pair, "at most 24");
    CHECK_THAT(pair.out, !Catch::Contains("--window"));
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

namespace {
void writePpm(const std::string& path, int w, int h) {
    std::string data = "P6\n" + std::to_string(w) + " " + std::to_string(h) + "\n255\n";
    for (int i = 0; i < w * h * 3; ++i) data.push_back(static_cast<char>((i * 37) % 256));
    writeText(path, data);
}
}  // namespace

TEST_CASE("The CLI classifies an image and exports its attention", "[app][cli][vit]") {
    TempDir dir;
    writeTinyVit(dir.file("v"));
    writePpm(dir.file("img.ppm"), 40, 30);
    auto r = cli({"classify", "--model", dir.file("v"), "--image", dir.file("img.ppm"), "--top-k", "3", "--json"});
    REQUIRE(r.exitCode == 0);
    auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["predictions"].size() == 3);
    CHECK_THAT(j["predictions"][0]["label"].get<std::string>(), Catch::StartsWith("shape "));
    r = cli({"attention", "--model", dir.file("v"), "--image", dir.file("img.ppm"), "--layer", "0", "--format", "json",
             "--out", dir.file("a.json")});
    REQUIRE(r.exitCode == 0);
    auto a = nlohmann::json::parse(readText(dir.file("a.json")));
    CHECK(a["shape"] == nlohmann::json({1, 3, 17, 17}));
    CHECK(a["tokens"][1] == "patch 0,0");
}

TEST_CASE("CLI image errors are one line with a non-zero exit", "[app][cli][vit]") {
    TempDir dir;
    writeTinyVit(dir.file("v"));
    writeTinyBert(dir.file("m"));
    writeText(dir.file("bad.png"), "\x89PNG\r\n\x1a\n this is not really a png");
    writePpm(dir.file("ok.ppm"), 8, 8);
    auto check = [](const Run& r, const std::string& fragment) {
        INFO(r.out);
        CHECK(r.exitCode != 0);
        CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
        CHECK_THAT(r.out, Catch::Contains(fragment));
    };
    check(cli({"classify", "--model", dir.file("v"), "--image", dir.file("bad.png")}), "cannot read image");
    check(cli({"classify", "--model", dir.file("v"), "--image", dir.file("missing.jpg")}), "no such file");
    check(cli({"classify", "--model", dir.file("m"), "--image", dir.file("ok.ppm")}), "not an image model");
    check(cli({"predict", "--model", dir.file("v"), "--text", "a [MASK]"}), "image model");
}

TEST_CASE("The CLI converts a checkpoint to float16 and it still runs", "[app][cli]") {
    TempDir dir;
    writeTinyBert(dir.file("m"));
    auto r = cli({"convert", "--model", dir.file("m"), "--out", dir.file("h"), "--dtype", "f16"});
    REQUIRE(r.exitCode == 0);
    CHECK_THAT(readText(dir.file("h/model.safetensors")), Catch::Contains("\"F16\""));
    r = cli({"predict", "--model", dir.file("h"), "--text", "the [MASK] sat", "--json"});
    CHECK(r.exitCode == 0);
    CHECK(cli({"convert", "--model", dir.file("m"), "--out", dir.file("x"), "--dtype", "i8"}).exitCode != 0);
}

TEST_CASE("The CLI reads pytorch_model.bin, converts it to safetensors, and refuses hostile pickles", "[app][cli][bin]") {
    TempDir dir;
    writeTinyBert(dir.file("st"));
    auto reference = cli({"predict", "--model", dir.file("st"), "--text", "the [MASK] sat", "--json"});
    REQUIRE(reference.exitCode == 0);
    // The same weights as a torch.save file only.
    std::filesystem::create_directories(dir.file("bin"));
    for (const char* f : {"config.json", "vocab.txt", "tokenizer_config.json"})
        std::filesystem::copy_file(dir.file(std::string("st/") + f), dir.file(std::string("bin/") + f));
    auto tensors = ascope::CheckpointTensors::openFolder(dir.file("st"));
    REQUIRE(tensors.hasValue());
    const auto saved = savedTensorsFrom(*tensors);
    writeTorchSave(dir.file("bin/pytorch_model.bin"), saved);
    auto fromBin = cli({"predict", "--model", dir.file("bin"), "--text", "the [MASK] sat", "--json"});
    REQUIRE(fromBin.exitCode == 0);
    CHECK(fromBin.out == reference.out);

    REQUIRE(cli({"convert", "--model", dir.file("bin"), "--out", dir.file("conv")}).exitCode == 0);
    CHECK(cli({"predict", "--model", dir.file("conv"), "--text", "the [MASK] sat", "--json"}).out == reference.out);

    TorchSaveOptions hostile;
    hostile.extraGlobal = "posix\nsystem";
    writeTorchSave(dir.file("bin/pytorch_model.bin"), saved, hostile);
    auto r = cli({"predict", "--model", dir.file("bin"), "--text", "the [MASK] sat"});
    INFO(r.out);
    CHECK(r.exitCode != 0);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
    CHECK_THAT(r.out, Catch::Contains("refuses to load 'posix.system'"));
}

namespace {
std::string ldd(const std::string& file) {
    std::string out;
    FILE* p = popen(("ldd " + quote(file) + " 2>&1").c_str(), "r");
    REQUIRE(p != nullptr);
    std::array<char, 4096> buf{};
    std::size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    REQUIRE(pclose(p) == 0);
    return out;
}
}  // namespace

TEST_CASE("LibTorch is in the engine library, loaded at run time: the CLI does not link it", "[app][cli][engine]") {
    const std::string cliLibraries = ldd(ASCOPE_CLI_PATH), engineLibraries = ldd(ASCOPE_ENGINE_PATH);
    INFO(cliLibraries << engineLibraries);
    CHECK_THAT(engineLibraries, Catch::Contains("libtorch_cpu") && Catch::Contains("libdnnl"));
    CHECK_THAT(cliLibraries, !Catch::Contains("libtorch") && !Catch::Contains("libdnnl") &&
                                 !Catch::Contains("libattention-scope-engine"));
}

TEST_CASE("tokenize runs without the engine, and a command that needs it says in one line that it is missing",
          "[app][cli][engine]") {
    TempDir dir;
    writeTinyBert(dir.file("m"));
    const std::string noEngine = "ASCOPE_ENGINE=" + quote(dir.file("no-such-engine.so"));
    auto r = cli({"tokenize", "--model", dir.file("m"), "--text", "The cats", "--json"}, noEngine);
    REQUIRE(r.exitCode == 0);
    CHECK(nlohmann::json::parse(r.out).size() == 5);
    r = cli({"predict", "--model", dir.file("m"), "--text", "The [MASK]"}, noEngine);
    INFO(r.out);
    CHECK(r.exitCode == 1);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
    CHECK_THAT(r.out, Catch::Contains("inference engine could not be loaded") && Catch::Contains("no-such-engine.so"));
    // The folder's own problems are found before the engine is needed.
    r = cli({"predict", "--model", dir.file("nowhere"), "--text", "The [MASK]"}, noEngine);
    CHECK_THAT(r.out, Catch::Contains("not a folder"));
    // A library that is not an engine is refused by name, not called.
    r = cli({"predict", "--model", dir.file("m"), "--text", "The [MASK]"}, "ASCOPE_ENGINE=" + quote(ASCOPE_BASE_PATH));
    CHECK(r.exitCode == 1);
    CHECK_THAT(r.out, Catch::Contains("not an Attention Scope engine"));
}

TEST_CASE("The command-line tool links no GUI libraries: no Qt Widgets, QtSvg, PrintSupport or QCustomPlot",
          "[app][cli]") {
    const std::string out = ldd(ASCOPE_CLI_PATH);
    INFO(out);
    CHECK_THAT(out, Catch::Contains("libattention-scope-base"));  // the listing is real
    CHECK_THAT(out, !Catch::Contains("libQt6Widgets"));
    CHECK_THAT(out, !Catch::Contains("libQt6Svg"));
    CHECK_THAT(out, !Catch::Contains("libQt6PrintSupport"));
    CHECK_THAT(out, !Catch::Contains("qcustomplot"));
}

TEST_CASE("The CLI reports head statistics that agree with the exported attention", "[app][cli]") {
    TempDir dir;
    writeTinyBert(dir.file("m"));
    const std::string text = "the cat sat on the mat .";
    auto r = cli({"head-stats", "--model", dir.file("m"), "--text", text, "--json"});
    REQUIRE(r.exitCode == 0);
    const auto stats = nlohmann::json::parse(r.out);
    REQUIRE(stats["heads"].size() == 2 * 4);
    REQUIRE(cli({"attention", "--model", dir.file("m"), "--text", text, "--format", "json", "--out", dir.file("a.json")})
                .exitCode == 0);
    const auto exported = nlohmann::json::parse(readText(dir.file("a.json")));
    const auto tokens = exported["tokens"].get<std::vector<std::string>>();
    for (const auto& s : stats["heads"]) {
        const auto& m = exported["attention"][s["layer"].get<int>()][s["head"].get<int>()];
        const int n = static_cast<int>(m.size());
        double entropy = 0, distance = 0, sep = 0, previous = 0;
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) {
                const double p = m[i][j].get<double>();
                if (p > 0) entropy -= p * std::log(p) / n;
                distance += p * std::abs(i - j) / n;
                if (tokens[static_cast<std::size_t>(j)] == "[SEP]") sep += p / n;
                if (j == i - 1) previous += p / n;
            }
        CHECK(s["entropy"].get<double>() == Approx(entropy).epsilon(1e-4));
        CHECK(s["mean_distance"].get<double>() == Approx(distance).epsilon(1e-4));
        CHECK(s["sep"].get<double>() == Approx(sep).epsilon(1e-4));
        CHECK(s["previous"].get<double>() == Approx(previous).epsilon(1e-4));
    }
    auto table = cli({"head-stats", "--model", dir.file("m"), "--text", text});
    REQUIRE(table.exitCode == 0);
    CHECK_THAT(table.out, Catch::Contains("entropy") && Catch::Contains("punct"));
    CHECK(cli({"head-stats", "--model", dir.file("m")}).exitCode == 1);  // no --text
}

TEST_CASE("predict and attention take --attention-mask causal|none|block:I,J|FILE.json and --ablate L:H,...",
          "[app][cli][mask]") {
    TempDir dir;
    writeTinyBert(dir.file("m"));
    const std::string text = "the cat sat on the [MASK] .";  // 9 tokens with [CLS] and [SEP]
    auto attentionWith = [&](std::vector<std::string> extra) {
        std::vector<std::string> args = {"attention", "--model", dir.file("m"), "--text", text, "--format", "json",
                                         "--out", dir.file("a.json")};
        args.insert(args.end(), extra.begin(), extra.end());
        auto r = cli(args);
        INFO(r.out);
        REQUIRE(r.exitCode == 0);
        return nlohmann::json::parse(readText(dir.file("a.json")))["attention"];
    };
    const auto causal = attentionWith({"--attention-mask", "causal"});
    for (int i = 0; i < 9; ++i)
        for (int j = i + 1; j < 9; ++j) REQUIRE(causal[1][3][i][j].get<float>() == 0.f);
    const auto blocked = attentionWith({"--attention-mask", "block:2,5"});
    for (int i = 0; i < 9; ++i) REQUIRE(blocked[0][1][i][5].get<float>() == 0.f);
    const auto none = attentionWith({"--attention-mask", "none"});
    CHECK(none[0][0][0][8].get<float>() > 0.f);

    std::string matrix = "[";
    for (int i = 0; i < 9; ++i) {
        matrix += i ? ",[" : "[";
        for (int j = 0; j < 9; ++j) matrix += std::string(j ? "," : "") + (j == 4 && i == 6 ? "0" : "1");
        matrix += "]";
    }
    matrix += "]";
    writeText(dir.file("mask.json"), "{\"1:2\": " + matrix + "}");
    const auto custom = attentionWith({"--attention-mask", dir.file("mask.json")});
    CHECK(custom[1][2][6][4].get<float>() == 0.f);
    CHECK(custom[1][1][6][4].get<float>() > 0.f);

    const auto ablated = attentionWith({"--ablate", "0:1,1:*"});
    for (int i = 0; i < 9; ++i) {
        REQUIRE(ablated[0][1][i][i].get<float>() == 0.f);
        REQUIRE(ablated[1][0][i][0].get<float>() == 0.f);
    }

    auto plain = cli({"predict", "--model", dir.file("m"), "--text", text, "--json"});
    auto masked = cli({"predict", "--model", dir.file("m"), "--text", text, "--json", "--attention-mask", "causal", "--ablate", "1:0"});
    REQUIRE(plain.exitCode == 0);
    REQUIRE(masked.exitCode == 0);
    CHECK(nlohmann::json::parse(plain.out)["masks"][0]["predictions"][0]["probability"] !=
          nlohmann::json::parse(masked.out)["masks"][0]["predictions"][0]["probability"]);

    for (const std::vector<std::string>& bad :
         {std::vector<std::string>{"--attention-mask", "sideways"}, {"--attention-mask", "block:99"},
          {"--ablate", "7:0"}, {"--ablate", "x"}}) {
        std::vector<std::string> args = {"predict", "--model", dir.file("m"), "--text", text};
        args.insert(args.end(), bad.begin(), bad.end());
        auto r = cli(args);
        INFO(bad[0] << " " << bad[1] << ": " << r.out);
        CHECK(r.exitCode == 1);
        CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
    }
}

TEST_CASE("Image attention and classify take the same attention controls", "[app][cli][mask]") {
    TempDir dir;
    writeTinyVit(dir.file("v"));
    writePpm(dir.file("p.ppm"), 40, 30);
    const auto image = dir.file("p.ppm");
    auto r = cli({"attention", "--model", dir.file("v"), "--image", image, "--format", "json", "--out", dir.file("a.json"),
                  "--attention-mask", "block:0", "--ablate", "0:0"});
    INFO(r.out);
    REQUIRE(r.exitCode == 0);
    const auto a = nlohmann::json::parse(readText(dir.file("a.json")))["attention"];
    for (std::size_t i = 0; i < a[1][1].size(); ++i) REQUIRE(a[1][1][i][0].get<float>() == 0.f);
    for (std::size_t i = 0; i < a[0][0].size(); ++i) REQUIRE(a[0][0][i][i].get<float>() == 0.f);
    CHECK(cli({"classify", "--model", dir.file("v"), "--image", image, "--attention-mask", "causal", "--json"}).exitCode == 0);
}

TEST_CASE("head-importance ranks every head by the drop it causes, agreeing with predict --ablate", "[app][cli][importance]") {
    TempDir dir;
    writeTinyBert(dir.file("m"));
    const std::string text = "the cat sat on the [MASK] .";
    auto r = cli({"head-importance", "--model", dir.file("m"), "--text", text, "--json"});
    REQUIRE(r.exitCode == 0);
    const auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["layers"] == 2);
    REQUIRE(j["heads"] == 4);
    REQUIRE(j["masks"].size() == 1);
    const auto& mask = j["masks"][0];
    REQUIRE(mask["ranked"].size() == 8);
    for (std::size_t i = 1; i < 8; ++i) CHECK(mask["ranked"][i - 1]["drop"].get<double>() >= mask["ranked"][i]["drop"].get<double>());
    // The most important head, switched off through predict, gives the probability reported.
    const auto& first = mask["ranked"][0];
    const std::string head = std::to_string(first["layer"].get<int>()) + ":" + std::to_string(first["head"].get<int>());
    auto p = cli({"predict", "--model", dir.file("m"), "--text", text, "--top-k", "200", "--json", "--ablate", head});
    REQUIRE(p.exitCode == 0);
    const auto predicted = nlohmann::json::parse(p.out);
    bool found = false;
    for (const auto& c : predicted["masks"][0]["predictions"])
        if (c["id"] == mask["answer"]["id"]) {
            found = true;
            CHECK(c["probability"].get<double>() == Approx(first["probability"].get<double>()).margin(1e-5));
        }
    CHECK(found);
    CHECK(mask["drop"][first["layer"].get<int>()][first["head"].get<int>()].get<double>() ==
          Approx(first["drop"].get<double>()));
    auto table = cli({"head-importance", "--model", dir.file("m"), "--text", text, "--top", "3"});
    REQUIRE(table.exitCode == 0);
    CHECK_THAT(table.out, Catch::Contains("Most important heads") && Catch::Contains("3. layer"));
    auto none = cli({"head-importance", "--model", dir.file("m"), "--text", "the cat sat ."});
    CHECK(none.exitCode == 1);
    CHECK_THAT(none.out, Catch::Contains("[MASK]"));
}

TEST_CASE("layers reads the masked-LM head after every layer, the last row being predict's answer", "[app][cli][lens]") {
    TempDir dir;
    writeTinyBert(dir.file("m"));
    const std::string text = "the cat sat on the [MASK] .";
    auto r = cli({"layers", "--model", dir.file("m"), "--text", text, "--top-k", "3", "--json"});
    REQUIRE(r.exitCode == 0);
    const auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["masks"].size() == 1);
    const auto& layers = j["masks"][0]["layers"];
    REQUIRE(layers.size() == 3);  // embeddings and two layers
    CHECK(layers[0]["after_layer"] == -1);
    CHECK(layers[2]["after_layer"] == 1);
    CHECK(layers[2]["final_rank"] == 0);
    auto p = cli({"predict", "--model", dir.file("m"), "--text", text, "--top-k", "3", "--json"});
    REQUIRE(p.exitCode == 0);
    const auto predicted = nlohmann::json::parse(p.out)["masks"][0]["predictions"];
    for (std::size_t k = 0; k < 3; ++k) {
        CHECK(layers[2]["top"][k]["id"] == predicted[k]["id"]);
        CHECK(layers[2]["top"][k]["probability"].get<double>() == Approx(predicted[k]["probability"].get<double>()));
    }
    CHECK(j["masks"][0]["final"]["id"] == predicted[0]["id"]);
    auto table = cli({"layers", "--model", dir.file("m"), "--text", text});
    REQUIRE(table.exitCode == 0);
    CHECK_THAT(table.out, Catch::Contains("embeddings") && Catch::Contains("layer 1"));
    CHECK(cli({"layers", "--model", dir.file("m"), "--text", text, "--top-k", "0"}).exitCode == 1);
}

TEST_CASE("classify-text prints a sequence classifier's labels, highest first, as JSON", "[app][cli][task]") {
    TempDir dir;
    TinyBertSpec spec;
    spec.task = "sequence";
    spec.labels = {"negative", "neutral", "positive"};
    writeTinyBert(dir.file("m"), spec);
    auto r = cli({"classify-text", "--model", dir.file("m"), "--text", "the sun is bright", "--json"});
    REQUIRE(r.exitCode == 0);
    auto j = nlohmann::json::parse(r.out);
    REQUIRE(j.size() == 1);
    REQUIRE(j["labels"].size() == 3);
    float sum = 0, previous = 2;
    std::set<std::string> names;
    for (const auto& l : j["labels"]) {
        REQUIRE(l.size() == 2);
        const float score = l["score"].get<float>();
        CHECK(score <= previous);
        previous = score;
        sum += score;
        names.insert(l["label"].get<std::string>());
    }
    CHECK(sum == Approx(1.f).margin(1e-5));
    CHECK(names == std::set<std::string>{"negative", "neutral", "positive"});
    r = cli({"classify-text", "--model", dir.file("m"), "--text", "the sun is bright", "--top-k", "1", "--json"});
    REQUIRE(r.exitCode == 0);
    CHECK(nlohmann::json::parse(r.out)["labels"].size() == 1);

    SECTION("a fill-mask model has no labels to print; predict has no masks to fill in a classifier") {
        writeTinyBert(dir.file("mlm"));
        r = cli({"classify-text", "--model", dir.file("mlm"), "--text", "the sun"});
        CHECK(r.exitCode == 1);
        CHECK_THAT(r.out, Catch::Contains("no sequence-classification head"));
        r = cli({"predict", "--model", dir.file("m"), "--text", "the [MASK] is bright"});
        CHECK(r.exitCode == 1);
        CHECK_THAT(r.out, Catch::Contains("no masked-LM head"));
        r = cli({"tag", "--model", dir.file("m"), "--text", "the sun"});
        CHECK(r.exitCode == 1);
        CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
    }
}

TEST_CASE("tag prints each token's label and the grouped entities with code-point offsets", "[app][cli][task]") {
    TempDir dir;
    TinyBertSpec spec;
    spec.task = "tokens";
    spec.labels = {"O", "B-PER", "I-PER", "B-LOC", "I-LOC"};
    spec.seed = 11;
    writeTinyBert(dir.file("m"), spec);
    const std::string text = "the shiny cat sat on the mat in the sun";
    auto r = cli({"tag", "--model", dir.file("m"), "--text", text, "--json"});
    REQUIRE(r.exitCode == 0);
    auto j = nlohmann::json::parse(r.out);
    REQUIRE(j.size() == 2);
    // [CLS] and [SEP] carry no label; "shiny" is two tokens (shin ##y).
    REQUIRE(j["tokens"].size() == 11);
    CHECK(j["tokens"][1]["token"] == "shin");
    CHECK(j["tokens"][2]["token"] == "##y");
    CHECK(j["tokens"][2]["start"] == 8);
    CHECK(j["tokens"][2]["end"] == 9);
    // Re-group the printed tokens independently and compare with the printed entities.
    std::vector<nlohmann::json> groups;
    std::string openType;
    for (const auto& t : j["tokens"]) {
        REQUIRE(t.size() == 5);
        const std::string label = t["label"];
        const bool begin = label.rfind("B-", 0) == 0;
        const std::string type = label == "O" ? "O" : label.substr(2);
        if (groups.empty() || type != openType || begin) {
            groups.push_back({{"label", type}, {"start", t["start"]}, {"end", t["end"]}, {"n", 1},
                              {"sum", t["score"].get<double>()}});
            openType = type;
        } else {
            groups.back()["end"] = t["end"];
            groups.back()["n"] = groups.back()["n"].get<int>() + 1;
            groups.back()["sum"] = groups.back()["sum"].get<double>() + t["score"].get<double>();
        }
    }
    std::vector<nlohmann::json> expected;
    for (const auto& g : groups)
        if (g["label"] != "O") expected.push_back(g);
    REQUIRE(expected.size() >= 2);  // the seed gives entities to group (random weights, so not every token is O)
    REQUIRE(j["entities"].size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto& e = j["entities"][i];
        REQUIRE(e.size() == 5);
        CHECK(e["label"] == expected[i]["label"]);
        CHECK(e["start"] == expected[i]["start"]);
        CHECK(e["end"] == expected[i]["end"]);
        const std::size_t start = e["start"], end = e["end"];
        CHECK(e["text"] == text.substr(start, end - start));
        CHECK(e["score"].get<double>() ==
              Approx(expected[i]["sum"].get<double>() / expected[i]["n"].get<int>()).margin(1e-6));
    }

    SECTION("offsets count characters, not bytes, after a non-ASCII character") {
        r = cli({"tag", "--model", dir.file("m"), "--text", "\xC3\xA9 the sun", "--json"});
        REQUIRE(r.exitCode == 0);
        j = nlohmann::json::parse(r.out);
        const auto& last = j["tokens"].back();
        CHECK(last["token"] == "sun");
        CHECK(last["start"] == 6);
        CHECK(last["end"] == 9);
    }
}

TEST_CASE("fine-tune trains a classifier from a TSV, reports held-out figures, and classify-text opens it",
          "[app][cli][finetune]") {
    TempDir dir;
    writeTinyBert(dir.file("base"));
    std::string data;
    for (int i = 0; i < 60; ++i) data += std::string(i % 2 ? "the cat sat on the mat .\tA\n" : "the dog ran in the sun .\tB\n");
    writeText(dir.file("d.tsv"), data);
    auto r = cli({"fine-tune", "--model", dir.file("base"), "--data", dir.file("d.tsv"), "--task", "sentence", "--out",
                  dir.file("out"), "--epochs", "2", "--lr", "3e-3", "--seed", "4"});
    REQUIRE(r.exitCode == 0);
    CHECK_THAT(r.out, Catch::Contains("held-out sentences: 6") && Catch::Contains("precision"));
    r = cli({"classify-text", "--model", dir.file("out"), "--text", "the cat sat on the mat .", "--json"});
    REQUIRE(r.exitCode == 0);
    CHECK(nlohmann::json::parse(r.out)["labels"].size() == 2);

    r = cli({"fine-tune", "--model", dir.file("base"), "--data", dir.file("d.tsv"), "--task", "words", "--out", dir.file("x")});
    CHECK(r.exitCode == 1);
    CHECK_THAT(r.out, Catch::Contains("--task must be sentence or tokens"));
    writeText(dir.file("bad.tsv"), "no tab\n");
    r = cli({"fine-tune", "--model", dir.file("base"), "--data", dir.file("bad.tsv"), "--out", dir.file("x")});
    CHECK(r.exitCode == 1);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
    CHECK_THAT(r.out, Catch::Contains("bad.tsv:1"));
}

TEST_CASE("classify-text without --model uses the built-in demo sentiment model", "[app][cli][finetune]") {
    auto r = cli({"classify-text", "--text", "The concert was wonderful.", "--json"});
    REQUIRE(r.exitCode == 0);
    const auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["labels"].size() == 2);
    std::set<std::string> names{j["labels"][0]["label"], j["labels"][1]["label"]};
    CHECK(names == std::set<std::string>{"NEGATIVE", "POSITIVE"});
}

TEST_CASE("A pair given with --text-pair runs [CLS] A [SEP] B [SEP], with B's tokens in segment 1", "[app][cli][pair]") {
    TempDir dir;
    writeTinyBert(dir.file("m"));
    auto r = cli({"tokenize", "--model", dir.file("m"), "--text", "the cat", "--text-pair", "a dog", "--json"});
    REQUIRE(r.exitCode == 0);
    auto j = nlohmann::json::parse(r.out);
    REQUIRE(j.size() == 7);
    std::vector<int> segments;
    for (const auto& t : j) segments.push_back(t["segment"]);
    CHECK(segments == std::vector<int>{0, 0, 0, 0, 1, 1, 1});
    CHECK(j[3]["token"] == "[SEP]");
    CHECK(j[5]["start"] == 10);  // "dog" in "the cat\na dog"
    r = cli({"predict", "--model", dir.file("m"), "--text", "the [MASK] sat", "--text-pair", "a dog ran", "--json"});
    REQUIRE(r.exitCode == 0);
    j = nlohmann::json::parse(r.out);
    CHECK(j["tokens"].size() == 9);
    const auto single = nlohmann::json::parse(
        cli({"predict", "--model", dir.file("m"), "--text", "the [MASK] sat", "--json"}).out);
    CHECK(single["masks"][0]["predictions"][0]["probability"] != j["masks"][0]["predictions"][0]["probability"]);
}
