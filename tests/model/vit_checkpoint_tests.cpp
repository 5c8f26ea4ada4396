#include <QString>
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "inference/image_model.h"
#include "io/image_file_reader.h"
#include "shared_data.h"

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
