#pragma once
// Attention Scope's session file (.ascope): JSON, {"format": "attention-scope-session",
// "version": 1, "steps": [...], "current_step": N}. A session is one or more steps; each step is
// a saved app state (mode, models, sentence, token masks, the mask inside attention with its
// painted cells, switched-off heads, the view, an image) plus a title, notes and a "try this"
// prompt, which is what a lesson is made of. Paths are stored relative to the session file when
// they lie beside or below it. Fields this version does not know, at the top or in a step, are
// kept and written back unchanged. Reading validates every field (types, ranges, matrix sizes)
// and names what is wrong; a file of a newer major version is refused.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "inference/attention_controls.h"
#include "util/expected.h"

namespace ascope {

struct SessionView {
    std::string tab = "attention";     // attention, model, head, heads, one-head, layers, positional, side-by-side
    int layer = 0, head = 0;
    std::string aggregation = "head";  // head, mean, max, rollout
    std::string colorMap = "viridis";
    std::string scaling = "fixed";     // fixed, auto, row, log
    bool hideSpecialTokens = false;
};

// A text longer than the model: windows or truncation, the window and stride (0 and -1: the
// model's defaults), and the window the views show.
struct SessionLongText {
    bool truncate = false;  // "mode": "windows" or "truncate"
    int window = 0;
    int stride = -1;
    int currentWindow = 0;
    bool isDefault() const { return !truncate && window == 0 && stride == -1 && currentWindow == 0; }
};

struct SessionStep {
    std::string title;
    std::string notes;    // a few sentences of explanation
    std::string tryThis;  // optional prompt for the student
    std::string mode = "text";  // text, image, train
    std::string textModel;      // a folder ("" = the built-in demo model); absolute once read
    std::string sentence;
    std::vector<int> maskedTokens;  // token indices toggled to [MASK] (of the sentence as tokenised)
    std::string attentionMask = "none";  // none, causal, block, custom, padding
    std::vector<int> blockedKeys;
    std::vector<AttentionMaskSpec::Cells> paintedCells;  // in painting order, each [tokens][tokens]
    int paintedTokens = 0;                               // the side of every painted matrix
    int padding = 0;
    bool compare = false;
    std::vector<HeadRef> ablatedHeads;
    SessionView view;
    std::string imageModel;  // "" = the built-in demo ViT
    std::string image;       // an image file, "" = none
    std::string sentenceB;   // side by side: the second sentence
    std::string textPair;    // sentence B of a pair ([CLS] A [SEP] B [SEP]) in the main view
    std::string modelB;      // side by side: another model for it ("" = the step's text model)
    SessionLongText longText;  // "long_text", written when not the defaults
    nlohmann::json unknown = nlohmann::json::object();  // fields of newer versions, kept
};

struct SessionFile {
    static constexpr int kVersion = 1;
    std::vector<SessionStep> steps;
    int currentStep = 0;
    nlohmann::json unknown = nlohmann::json::object();
};

// Reads and validates a session file; relative paths are resolved against its folder.
Expected<SessionFile> readSessionFile(const std::string& path);
Expected<SessionFile> parseSessionFile(const std::string& text, const std::string& folder, const std::string& source);
// Writes atomically (a temporary file renamed over the target); paths beside or below the file's
// folder are stored relative to it.
Status writeSessionFile(const std::string& path, const SessionFile& session);
std::string sessionFileText(const SessionFile& session, const std::string& folder);

}  // namespace ascope
