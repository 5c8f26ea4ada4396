#include <QString>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "inference/image_model.h"
#include "io/image_file_reader.h"
#include "shared_data.h"
#include "temp_dir.h"

using namespace ascope;

TEST_CASE("The pretrained ViT-Tiny classifies every shared photograph as expected", "[model][vit]") {
    auto model = ImageModel::load(test::sharedPath("models/vit-tiny-patch16-224"));
    REQUIRE(model.hasValue());
    CHECK((*model)->config().numLayers == 12);
    std::ifstream in(test::sharedPath("images/expected_top1.json"));
    const auto expected = nlohmann::json::parse(in);
    int checked = 0;
    for (const auto& [file, label] : expected["top1"].items()) {
        auto image = ui::readImageFile(QString::fromStdString(test::sharedPath("images/" + file)));
        REQUIRE(image.hasValue());
        auto r = (*model)->analyse(*image);
        REQUIRE(r.hasValue());
        INFO(file);
        CHECK(r->top.at(0).label == label.get<std::string>());
        CHECK(r->attention.queries == 197);
        ++checked;
    }
    CHECK(checked >= 9);
    for (const auto& [file, labels] : expected["ambiguous"].items()) {
        auto image = ui::readImageFile(QString::fromStdString(test::sharedPath("images/" + file)));
        REQUIRE(image.hasValue());
        auto r = (*model)->analyse(*image);
        REQUIRE(r.hasValue());
        const auto allowed = labels.get<std::vector<std::string>>();
        INFO(file);
        CHECK(std::find(allowed.begin(), allowed.end(), r->top.at(0).label) != allowed.end());
    }
}

TEST_CASE("The ViT-Tiny pytorch_model.bin alone gives exactly the safetensors results", "[model][vit][bin]") {
    namespace fs = std::filesystem;
    const fs::path shared = test::sharedPath("models/vit-tiny-patch16-224");
    test::TempDir dir;
    for (const char* f : {"config.json", "preprocessor_config.json"}) fs::copy_file(shared / f, dir.path() / f);
    fs::create_symlink(shared / "pytorch_model.bin", dir.path() / "pytorch_model.bin");
    auto fromBin = ImageModel::load(dir.path().string());
    REQUIRE(fromBin.hasValue());
    auto fromSafetensors = ImageModel::load(shared.string());
    REQUIRE(fromSafetensors.hasValue());
    int compared = 0;
    for (const auto& entry : fs::directory_iterator(test::sharedPath("images"))) {
        if (entry.path().extension() == ".json") continue;
        auto image = ui::readImageFile(QString::fromStdString(entry.path().string()));
        if (!image) continue;
        auto a = (*fromBin)->analyse(*image);
        auto b = (*fromSafetensors)->analyse(*image);
        REQUIRE(a.hasValue());
        REQUIRE(b.hasValue());
        INFO(entry.path().filename().string());
        CHECK(a->top.at(0).label == b->top.at(0).label);
        CHECK(a->top.at(0).probability == b->top.at(0).probability);
        CHECK(a->attention.values == b->attention.values);
        ++compared;
    }
    CHECK(compared >= 9);
}
