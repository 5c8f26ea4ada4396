#include "session/session_file.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "util/json_fields.h"

namespace fs = std::filesystem;

namespace ascope {

namespace {

constexpr const char* kFormat = "attention-scope-session";
constexpr long kMaxTokens = 4096;  // painted matrices and token indices stay below this
constexpr long kMaxTextTokens = 1 << 20;  // a long text's token indices (windows) stay below this
constexpr std::size_t kMaxSteps = 1000;

const std::set<std::string> kTabs = {"attention", "model", "head", "heads", "one-head", "layers", "positional", "side-by-side",
                                     "overlay", "all-heads", "head-importance", "position-similarity"};
const std::set<std::string> kModes = {"text", "image", "train"};
const std::set<std::string> kMasks = {"none", "causal", "block", "custom", "padding"};
const std::set<std::string> kAggregations = {"head", "mean", "max", "rollout"};
const std::set<std::string> kScalings = {"fixed", "auto", "row", "log"};

// Reads one step's or the view's fields, naming the place of a problem ("steps[2].view.layer").
class FieldReader {
public:
    FieldReader(const nlohmann::json& object, std::string where) : m_object(object), m_where(std::move(where)) {}

    Status string(const char* key, std::string& out, const std::set<std::string>* allowed = nullptr) {
        auto it = m_object.find(key);
        if (it == m_object.end() || it->is_null()) return Status::ok();
        if (!it->is_string()) return fail(key, "must be a string");
        out = it->get<std::string>();
        if (allowed && !allowed->count(out)) return fail(key, "has an unknown value '" + out + "'");
        return Status::ok();
    }
    Status integer(const char* key, int& out, long lo, long hi) {
        return readIntField(m_object, key, out, lo, hi, m_where);
    }
    Status boolean(const char* key, bool& out) {
        auto it = m_object.find(key);
        if (it == m_object.end() || it->is_null()) return Status::ok();
        if (!it->is_boolean()) return fail(key, "must be true or false");
        out = it->get<bool>();
        return Status::ok();
    }
    Status integers(const char* key, std::vector<int>& out, long lo, long hi) {
        auto it = m_object.find(key);
        if (it == m_object.end() || it->is_null()) return Status::ok();
        if (!it->is_array()) return fail(key, "must be a list of whole numbers");
        out.clear();
        for (const auto& v : *it) {
            if (!v.is_number_integer() || v.get<long long>() < lo || v.get<long long>() > hi)
                return fail(key, "must hold whole numbers from " + std::to_string(lo) + " to " + std::to_string(hi));
            out.push_back(static_cast<int>(v.get<long long>()));
        }
        return Status::ok();
    }
    Status fail(const std::string& key, const std::string& what) const {
        return makeError(ErrorKind::InvalidInput, m_where + "." + key + " " + what);
    }

private:
    const nlohmann::json& m_object;
    std::string m_where;
};

std::string resolvePath(const std::string& stored, const std::string& folder) {
    if (stored.empty() || folder.empty()) return stored;
    fs::path p(stored);
    return p.is_absolute() ? stored : (fs::path(folder) / p).lexically_normal().string();
}

std::string storePath(const std::string& path, const std::string& folder) {
    if (path.empty() || folder.empty()) return path;
    fs::path p = fs::path(path).lexically_normal(), base = fs::path(folder).lexically_normal();
    if (!p.is_absolute() || !base.is_absolute()) return path;
    const auto relative = p.lexically_relative(base);
    if (relative.empty() || *relative.begin() == "..") return path;
    return relative.string();
}

Status readPainted(const nlohmann::json& list, SessionStep& step, const std::string& where) {
    if (!list.is_array()) return makeError(ErrorKind::InvalidInput, where + " must be a list");
    step.paintedCells.clear();
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto& entry = list[i];
        const std::string at = where + "[" + std::to_string(i) + "]";
        if (!entry.is_object()) return makeError(ErrorKind::InvalidInput, at + " must be an object");
        AttentionMaskSpec::Cells cells;
        FieldReader r(entry, at);
        if (auto st = r.integer("layer", cells.layer, -1, 1000); !st) return st;
        if (auto st = r.integer("head", cells.head, -1, 1000); !st) return st;
        auto rows = entry.find("allowed");
        const std::size_t n = static_cast<std::size_t>(step.paintedTokens);
        if (rows == entry.end() || !rows->is_array() || rows->size() != n)
            return makeError(ErrorKind::InvalidInput, at + ".allowed must be " + std::to_string(n) + " rows (painted_tokens)");
        cells.allowed.reserve(n * n);
        for (const auto& row : *rows) {
            if (!row.is_array() || row.size() != n)
                return makeError(ErrorKind::InvalidInput, at + ".allowed must be a " + std::to_string(n) + " x " +
                                 std::to_string(n) + " matrix");
            for (const auto& v : row) {
                if (!v.is_number_integer() || (v.get<long long>() != 0 && v.get<long long>() != 1))
                    return makeError(ErrorKind::InvalidInput, at + ".allowed must hold 0 and 1 only");
                cells.allowed.push_back(static_cast<std::uint8_t>(v.get<int>()));
            }
        }
        step.paintedCells.push_back(std::move(cells));
    }
    return Status::ok();
}

const std::set<std::string> kStepKeys = {"title", "notes", "try_this", "mode", "text_model", "sentence", "masked_tokens",
                                         "attention_mask", "blocked_keys", "painted_tokens", "painted_cells", "padding",
                                         "compare", "ablated_heads", "view", "image_model", "image", "sentence_b", "model_b", "text_pair", "long_text"};
const std::set<std::string> kLongTextModes = {"windows", "truncate"};
const std::set<std::string> kViewKeys = {"tab", "layer", "head", "aggregation", "color_map", "scaling", "hide_special_tokens"};
const std::set<std::string> kTopKeys = {"format", "version", "steps", "current_step"};

Expected<SessionStep> readStep(const nlohmann::json& j, const std::string& where, const std::string& folder) {
    if (!j.is_object()) return makeError(ErrorKind::InvalidInput, where + " must be an object");
    SessionStep s;
    FieldReader r(j, where);
    for (auto st : {r.string("title", s.title), r.string("notes", s.notes), r.string("try_this", s.tryThis),
                    r.string("mode", s.mode, &kModes), r.string("text_model", s.textModel), r.string("sentence", s.sentence),
                    r.integers("masked_tokens", s.maskedTokens, 0, kMaxTextTokens - 1),
                    r.string("attention_mask", s.attentionMask, &kMasks),
                    r.integers("blocked_keys", s.blockedKeys, 0, kMaxTokens - 1),
                    r.integer("painted_tokens", s.paintedTokens, 0, kMaxTokens), r.integer("padding", s.padding, 0, 64),
                    r.boolean("compare", s.compare), r.string("image_model", s.imageModel), r.string("image", s.image),
                    r.string("sentence_b", s.sentenceB), r.string("model_b", s.modelB), r.string("text_pair", s.textPair)})
        if (!st) return st.errorValue();
    if (auto it = j.find("painted_cells"); it != j.end() && !it->is_null())
        if (auto st = readPainted(*it, s, where + ".painted_cells"); !st) return st.errorValue();
    if (auto it = j.find("ablated_heads"); it != j.end() && !it->is_null()) {
        if (!it->is_array()) return makeError(ErrorKind::InvalidInput, where + ".ablated_heads must be a list");
        for (std::size_t i = 0; i < it->size(); ++i) {
            const auto& h = (*it)[i];
            const std::string at = where + ".ablated_heads[" + std::to_string(i) + "]";
            if (!h.is_object()) return makeError(ErrorKind::InvalidInput, at + " must be {\"layer\": L, \"head\": H}");
            HeadRef ref;
            FieldReader hr(h, at);
            if (!h.contains("layer")) return makeError(ErrorKind::InvalidInput, at + ".layer is missing");
            if (auto st = hr.integer("layer", ref.layer, 0, 1000); !st) return st.errorValue();
            if (auto st = hr.integer("head", ref.head, -1, 1000); !st) return st.errorValue();
            s.ablatedHeads.push_back(ref);
        }
    }
    if (auto it = j.find("long_text"); it != j.end() && !it->is_null()) {
        if (!it->is_object()) return makeError(ErrorKind::InvalidInput, where + ".long_text must be an object");
        FieldReader lt(*it, where + ".long_text");
        std::string mode = "windows";
        for (auto st : {lt.string("mode", mode, &kLongTextModes), lt.integer("window", s.longText.window, 0, kMaxTextTokens),
                        lt.integer("stride", s.longText.stride, -1, kMaxTextTokens),
                        lt.integer("current_window", s.longText.currentWindow, 0, kMaxTextTokens)})
            if (!st) return st.errorValue();
        s.longText.truncate = mode == "truncate";
    }
    if (auto it = j.find("view"); it != j.end() && !it->is_null()) {
        if (!it->is_object()) return makeError(ErrorKind::InvalidInput, where + ".view must be an object");
        FieldReader v(*it, where + ".view");
        for (auto st : {v.string("tab", s.view.tab, &kTabs), v.integer("layer", s.view.layer, 0, 1000),
                        v.integer("head", s.view.head, 0, 1000), v.string("aggregation", s.view.aggregation, &kAggregations),
                        v.string("color_map", s.view.colorMap), v.string("scaling", s.view.scaling, &kScalings),
                        v.boolean("hide_special_tokens", s.view.hideSpecialTokens)})
            if (!st) return st.errorValue();
        for (auto f = it->begin(); f != it->end(); ++f)
            if (!kViewKeys.count(f.key())) s.unknown["view"][f.key()] = f.value();
    }
    for (auto f = j.begin(); f != j.end(); ++f)
        if (!kStepKeys.count(f.key())) s.unknown[f.key()] = f.value();
    s.textModel = resolvePath(s.textModel, folder);
    s.imageModel = resolvePath(s.imageModel, folder);
    s.image = resolvePath(s.image, folder);
    s.modelB = resolvePath(s.modelB, folder);
    return s;
}

nlohmann::json stepJson(const SessionStep& s, const std::string& folder) {
    nlohmann::json j = nlohmann::json::object();
    for (auto f = s.unknown.begin(); f != s.unknown.end(); ++f)
        if (f.key() != "view") j[f.key()] = f.value();
    j["title"] = s.title;
    j["notes"] = s.notes;
    if (!s.tryThis.empty()) j["try_this"] = s.tryThis;
    j["mode"] = s.mode;
    j["text_model"] = storePath(s.textModel, folder);
    j["sentence"] = s.sentence;
    j["masked_tokens"] = s.maskedTokens;
    j["attention_mask"] = s.attentionMask;
    j["blocked_keys"] = s.blockedKeys;
    j["padding"] = s.padding;
    j["compare"] = s.compare;
    j["painted_tokens"] = s.paintedTokens;
    nlohmann::json painted = nlohmann::json::array();
    const std::size_t n = static_cast<std::size_t>(s.paintedTokens);
    for (const auto& c : s.paintedCells) {
        nlohmann::json rows = nlohmann::json::array();
        for (std::size_t q = 0; q < n && (q + 1) * n <= c.allowed.size(); ++q) {
            nlohmann::json row = nlohmann::json::array();
            for (std::size_t k = 0; k < n; ++k) row.push_back(static_cast<int>(c.allowed[q * n + k]));
            rows.push_back(std::move(row));
        }
        painted.push_back({{"layer", c.layer}, {"head", c.head}, {"allowed", std::move(rows)}});
    }
    j["painted_cells"] = std::move(painted);
    nlohmann::json heads = nlohmann::json::array();
    for (const auto& h : s.ablatedHeads) heads.push_back({{"layer", h.layer}, {"head", h.head}});
    j["ablated_heads"] = std::move(heads);
    nlohmann::json view = s.unknown.contains("view") && s.unknown["view"].is_object() ? s.unknown["view"] : nlohmann::json::object();
    view["tab"] = s.view.tab;
    view["layer"] = s.view.layer;
    view["head"] = s.view.head;
    view["aggregation"] = s.view.aggregation;
    view["color_map"] = s.view.colorMap;
    view["scaling"] = s.view.scaling;
    view["hide_special_tokens"] = s.view.hideSpecialTokens;
    j["view"] = std::move(view);
    j["image_model"] = storePath(s.imageModel, folder);
    j["image"] = storePath(s.image, folder);
    if (!s.sentenceB.empty()) j["sentence_b"] = s.sentenceB;
    if (!s.textPair.empty()) j["text_pair"] = s.textPair;
    if (!s.longText.isDefault())
        j["long_text"] = {{"mode", s.longText.truncate ? "truncate" : "windows"}, {"window", s.longText.window}, {"stride", s.longText.stride},
                          {"current_window", s.longText.currentWindow}};
    if (!s.modelB.empty()) j["model_b"] = storePath(s.modelB, folder);
    return j;
}

std::string folderOf(const std::string& path) {
    std::error_code ec;
    auto absolute = fs::absolute(path, ec);
    return ec ? fs::path(path).parent_path().string() : absolute.parent_path().lexically_normal().string();
}

}  // namespace

Expected<SessionFile> parseSessionFile(const std::string& text, const std::string& folder, const std::string& source) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const std::exception&) {
        return makeError(ErrorKind::InvalidInput, source + ": not a session file (the JSON is malformed or truncated)");
    }
    const auto format = j.is_object() ? j.find("format") : j.end();
    if (!j.is_object() || format == j.end() || !format->is_string() || format->get<std::string>() != kFormat)
        return makeError(ErrorKind::InvalidInput, source + ": not an Attention Scope session (\"format\" is not \"" +
                         std::string(kFormat) + "\")");
    int version = 0;
    if (auto st = readIntField(j, "version", version, 1, 1000000, source); !st) return st.errorValue();
    if (version < 1) return makeError(ErrorKind::InvalidInput, source + ": the session has no version");
    if (version > SessionFile::kVersion)
        return makeError(ErrorKind::Unsupported, source + ": a session of version " + std::to_string(version) +
                         " needs a newer Attention Scope (this one reads version " + std::to_string(SessionFile::kVersion) + ")");
    auto steps = j.find("steps");
    if (steps == j.end() || !steps->is_array() || steps->empty() || steps->size() > kMaxSteps)
        return makeError(ErrorKind::InvalidInput, source + ": \"steps\" must be a list of 1 to " + std::to_string(kMaxSteps) + " steps");
    SessionFile session;
    for (std::size_t i = 0; i < steps->size(); ++i) {
        auto step = readStep((*steps)[i], source + ": steps[" + std::to_string(i) + "]", folder);
        if (!step) return step.errorValue();
        session.steps.push_back(std::move(*step));
    }
    if (auto st = readIntField(j, "current_step", session.currentStep, 0, static_cast<long>(session.steps.size()) - 1, source); !st)
        return st.errorValue();
    for (auto f = j.begin(); f != j.end(); ++f)
        if (!kTopKeys.count(f.key())) session.unknown[f.key()] = f.value();
    return session;
}

Expected<SessionFile> readSessionFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return makeError(ErrorKind::Io, path + ": cannot open the session file");
    std::ostringstream text;
    text << in.rdbuf();
    if (text.str().size() > 64u * 1024 * 1024) return makeError(ErrorKind::InvalidInput, path + ": too large for a session file");
    return parseSessionFile(text.str(), folderOf(path), path);
}

std::string sessionFileText(const SessionFile& session, const std::string& folder) {
    nlohmann::json j = session.unknown.is_object() ? session.unknown : nlohmann::json::object();
    j["format"] = kFormat;
    j["version"] = SessionFile::kVersion;
    j["current_step"] = session.currentStep;
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : session.steps) steps.push_back(stepJson(s, folder));
    j["steps"] = std::move(steps);
    return j.dump(1) + "\n";
}

Status writeSessionFile(const std::string& path, const SessionFile& session) {
    const std::string text = sessionFileText(session, folderOf(path));
    const std::string temporary = path + ".part";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) return makeError(ErrorKind::Io, path + ": cannot write the session file");
        out << text;
        out.flush();
        if (!out) {
            std::remove(temporary.c_str());
            return makeError(ErrorKind::Io, path + ": could not write the whole session file (disk full?)");
        }
    }
    std::error_code ec;
    fs::rename(temporary, path, ec);
    if (ec) {
        std::remove(temporary.c_str());
        return makeError(ErrorKind::Io, path + ": cannot replace the session file (" + ec.message() + ")");
    }
    return Status::ok();
}

}  // namespace ascope
