#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "session/session_file.h"
#include "temp_dir.h"

using namespace ascope;
using namespace ascope::test;

namespace {
SessionStep paintedStep(const std::string& folder) {
    SessionStep s;
    s.title = "Masked attention";
    s.notes = "Each token sees only itself and the tokens before it.";
    s.tryThis = "Switch the mask off and compare.";
    s.textModel = folder + "/models/tiny";
    s.sentence = "The nurse said [MASK] was tired.";
    s.maskedTokens = {4};
    s.attentionMask = "custom";
    s.paintedTokens = 3;
    s.paintedCells = {{-1, -1, {1, 0, 0, 1, 1, 0, 1, 1, 1}}, {2, -1, {0, 1, 1, 1, 0, 1, 1, 1, 0}}, {-1, 3, {1, 1, 1, 1, 1, 1, 0, 0, 1}}};
    s.blockedKeys = {1, 2};
    s.padding = 5;
    s.compare = true;
    s.ablatedHeads = {{0, 1}, {3, -1}};
    s.view = {"one-head", 2, 3, "rollout", "magma", "log", true};
    s.image = "/elsewhere/cat.png";
    return s;
}
}  // namespace

TEST_CASE("A session written and read back holds the same steps, with paths beside it stored relative",
          "[core][session]") {
    TempDir dir;
    SessionFile session;
    session.steps = {paintedStep(dir.path().string()), SessionStep{}};
    session.steps[1].mode = "image";
    session.currentStep = 1;
    const std::string path = dir.file("lesson.ascope");
    REQUIRE(writeSessionFile(path, session));

    const auto stored = nlohmann::json::parse(readText(path));
    CHECK(stored["format"] == "attention-scope-session");
    CHECK(stored["version"] == 1);
    CHECK(stored["steps"][0]["text_model"] == "models/tiny");          // below the session's folder: relative
    CHECK(stored["steps"][0]["image"] == "/elsewhere/cat.png");        // elsewhere: absolute
    CHECK(stored["steps"][0]["painted_cells"][1]["allowed"][0] == nlohmann::json({0, 1, 1}));

    // Moved with its models, the session still finds them.
    std::filesystem::create_directories(dir.path() / "moved");
    std::filesystem::rename(path, dir.path() / "moved" / "lesson.ascope");
    auto read = readSessionFile(dir.file("moved/lesson.ascope"));
    REQUIRE(read);
    REQUIRE(read->steps.size() == 2);
    CHECK(read->currentStep == 1);
    const auto& a = read->steps[0];
    const auto& b = session.steps[0];
    CHECK(a.textModel == (dir.path() / "moved" / "models" / "tiny").string());
    CHECK(a.title == b.title);
    CHECK(a.notes == b.notes);
    CHECK(a.tryThis == b.tryThis);
    CHECK(a.sentence == b.sentence);
    CHECK(a.maskedTokens == b.maskedTokens);
    CHECK(a.attentionMask == "custom");
    CHECK(a.blockedKeys == b.blockedKeys);
    CHECK(a.padding == 5);
    CHECK(a.compare);
    REQUIRE(a.paintedCells.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(a.paintedCells[i].layer == b.paintedCells[i].layer);
        CHECK(a.paintedCells[i].head == b.paintedCells[i].head);
        CHECK(a.paintedCells[i].allowed == b.paintedCells[i].allowed);
    }
    REQUIRE(a.ablatedHeads.size() == 2);
    CHECK((a.ablatedHeads[1].layer == 3 && a.ablatedHeads[1].head == -1));
    CHECK(a.view.tab == "one-head");
    CHECK((a.view.layer == 2 && a.view.head == 3));
    CHECK(a.view.aggregation == "rollout");
    CHECK(a.view.colorMap == "magma");
    CHECK(a.view.scaling == "log");
    CHECK(a.view.hideSpecialTokens);
    CHECK(a.image == "/elsewhere/cat.png");
    CHECK(read->steps[1].mode == "image");
}

TEST_CASE("Fields a newer version added are kept when the session is saved again", "[core][session]") {
    const std::string text = R"({"format": "attention-scope-session", "version": 1, "author": "Ada",
        "steps": [{"title": "One", "sentence": "hi", "glossary": {"mask": "hidden"},
                   "view": {"layer": 1, "zoom": 2.5}}]})";
    auto session = parseSessionFile(text, "/l", "x.ascope");
    REQUIRE(session);
    session->steps[0].title = "Changed";
    const auto again = nlohmann::json::parse(sessionFileText(*session, "/l"));
    CHECK(again["author"] == "Ada");
    CHECK(again["steps"][0]["glossary"]["mask"] == "hidden");
    CHECK(again["steps"][0]["view"]["zoom"] == 2.5);
    CHECK(again["steps"][0]["view"]["layer"] == 1);
    CHECK(again["steps"][0]["title"] == "Changed");
}

TEST_CASE("Broken session files are refused with a message that names the problem", "[core][session]") {
    auto refuse = [](const std::string& text, const std::string& fragment) {
        auto r = parseSessionFile(text, "/l", "lesson.ascope");
        INFO(text);
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error(), Catch::Contains(fragment));
        CHECK_THAT(r.error(), Catch::StartsWith("lesson.ascope"));
    };
    const std::string good = R"({"format": "attention-scope-session", "version": 1, "steps": [{"sentence": "hi"}]})";
    REQUIRE(parseSessionFile(good, "/l", "lesson.ascope"));
    for (std::size_t cut : {std::size_t(0), std::size_t(1), good.size() / 2, good.size() - 1})
        refuse(good.substr(0, cut), "malformed or truncated");
    refuse(R"({"version": 1, "steps": []})", "not an Attention Scope session");
    // "format" of another type (a fuzzer's find: an array here used to throw out of the reader).
    refuse(R"({"format": [{"mode": "text", "masked_tokens": [2]}]})", "not an Attention Scope session");
    refuse(R"({"format": 1, "version": 1, "steps": [{}]})", "not an Attention Scope session");
    refuse(R"({"format": {"a": "b"}, "version": 1, "steps": [{}]})", "not an Attention Scope session");
    refuse(R"({"format": "attention-scope-session", "version": 7, "steps": [{}]})", "needs a newer Attention Scope");
    refuse(R"({"format": "attention-scope-session", "version": 1, "steps": []})", "steps");
    refuse(R"({"format": "attention-scope-session", "version": 1, "steps": [{}], "current_step": 3})", "current_step");
    refuse(R"({"format": "attention-scope-session", "version": 1, "steps": [{"sentence": 5}]})", "steps[0].sentence must be a string");
    refuse(R"({"format": "attention-scope-session", "version": 1, "steps": [{"attention_mask": "sideways"}]})", "unknown value 'sideways'");
    refuse(R"({"format": "attention-scope-session", "version": 1, "steps": [{"masked_tokens": [1, -2]}]})", "masked_tokens");
    refuse(R"({"format": "attention-scope-session", "version": 1, "steps": [{"view": {"layer": 1e300}}]})", "layer");
    refuse(R"({"format": "attention-scope-session", "version": 1, "steps": [{"painted_tokens": 2,
              "painted_cells": [{"allowed": [[1, 0], [1]]}]}]})", "2 x 2 matrix");
    refuse(R"({"format": "attention-scope-session", "version": 1, "steps": [{"painted_tokens": 1,
              "painted_cells": [{"allowed": [[2]]}]}]})", "0 and 1 only");
    refuse(R"({"format": "attention-scope-session", "version": 1, "steps": [{"ablated_heads": [{"head": 1}]}]})", "layer is missing");
}

TEST_CASE("A session that cannot be read leaves nothing half-written, and a missing one is an I/O error", "[core][session]") {
    TempDir dir;
    auto missing = readSessionFile(dir.file("nowhere.ascope"));
    REQUIRE_FALSE(missing);
    CHECK(missing.errorKind() == ErrorKind::Io);
    SessionFile session;
    session.steps = {SessionStep{}};
    auto st = writeSessionFile(dir.file("no-such-folder/x.ascope"), session);
    REQUIRE_FALSE(st);
    CHECK_FALSE(std::filesystem::exists(dir.file("no-such-folder/x.ascope.part")));
}
