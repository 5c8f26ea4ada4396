#include "export/attention_exporter.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "export/npy_writer.h"

namespace ascope {

namespace {
std::string csvField(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}
std::string formatFloat(float v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
    return buf;
}
}  // namespace

bool parseExportFormat(const std::string& name, ExportFormat& out) {
    if (name == "csv") out = ExportFormat::Csv;
    else if (name == "json") out = ExportFormat::Json;
    else if (name == "npy") out = ExportFormat::Npy;
    else return false;
    return true;
}

Status validateSelection(const AttentionStack& a, const AttentionSelection& s) {
    if (a.empty()) return makeError(ErrorKind::InvalidInput, "no attention to export");
    if (s.layer < -1 || s.layer >= a.layers)
        return makeError(ErrorKind::InvalidInput, "layer " + std::to_string(s.layer) + " does not exist (0.." + std::to_string(a.layers - 1) + ")");
    if (s.head < -1 || s.head >= a.heads)
        return makeError(ErrorKind::InvalidInput, "head " + std::to_string(s.head) + " does not exist (0.." + std::to_string(a.heads - 1) + ")");
    return Status::ok();
}

Expected<std::string> exportAttention(const AttentionStack& a, const std::vector<std::string>& labels,
                                      const AttentionSelection& s, ExportFormat format) {
    if (auto st = validateSelection(a, s); !st) return st.errorValue();
    std::vector<int> layers, heads;
    for (int l = 0; l < a.layers; ++l)
        if (s.layer < 0 || s.layer == l) layers.push_back(l);
    for (int h = 0; h < a.heads; ++h)
        if (s.head < 0 || s.head == h) heads.push_back(h);
    auto label = [&](int i) { return i < static_cast<int>(labels.size()) ? labels[i] : std::to_string(i); };

    if (format == ExportFormat::Csv) {
        std::string out = "layer,head,from_index,from_token,to_index,to_token,weight\n";
        for (int l : layers)
            for (int h : heads)
                for (int i = 0; i < a.queries; ++i)
                    for (int j = 0; j < a.keys; ++j)
                        out += std::to_string(l) + "," + std::to_string(h) + "," + std::to_string(i) + "," +
                               csvField(label(i)) + "," + std::to_string(j) + "," + csvField(label(j)) + "," +
                               formatFloat(a.at(l, h, i, j)) + "\n";
        return out;
    }
    if (format == ExportFormat::Json) {
        nlohmann::json j;
        std::vector<std::string> names;
        for (int i = 0; i < std::max(a.queries, a.keys); ++i) names.push_back(label(i));
        j["tokens"] = names;
        j["layers"] = layers;
        j["heads"] = heads;
        j["shape"] = {layers.size(), heads.size(), a.queries, a.keys};
        nlohmann::json data = nlohmann::json::array();
        for (int l : layers) {
            nlohmann::json perLayer = nlohmann::json::array();
            for (int h : heads) {
                nlohmann::json m = nlohmann::json::array();
                for (int i = 0; i < a.queries; ++i)
                    m.push_back(std::vector<float>(a.matrix(l, h) + static_cast<std::size_t>(i) * a.keys,
                                                   a.matrix(l, h) + static_cast<std::size_t>(i + 1) * a.keys));
                perLayer.push_back(std::move(m));
            }
            data.push_back(std::move(perLayer));
        }
        j["attention"] = std::move(data);
        return j.dump();
    }
    std::vector<float> values;
    values.reserve(layers.size() * heads.size() * a.queries * a.keys);
    for (int l : layers)
        for (int h : heads) values.insert(values.end(), a.matrix(l, h), a.matrix(l, h) + a.queries * a.keys);
    return npyBytes({static_cast<std::int64_t>(layers.size()), static_cast<std::int64_t>(heads.size()), a.queries, a.keys},
                    values.data(), values.size());
}

Expected<std::string> exportWindowedAttention(const std::vector<AttentionWindow>& windows, int window, int stride,
                                              const AttentionSelection& s, ExportFormat format) {
    if (windows.empty() || !windows.front().attention) return makeError(ErrorKind::InvalidInput, "no attention to export");
    const auto& a0 = *windows.front().attention;
    for (const auto& w : windows)
        if (!w.attention || w.attention->layers != a0.layers || w.attention->heads != a0.heads ||
            w.attention->queries != a0.queries || w.attention->keys != a0.keys)
            return makeError(ErrorKind::InvalidInput, "the windows' attention differs in shape");
    if (auto st = validateSelection(a0, s); !st) return st.errorValue();
    std::vector<int> layers, heads;
    for (int l = 0; l < a0.layers; ++l)
        if (s.layer < 0 || s.layer == l) layers.push_back(l);
    for (int h = 0; h < a0.heads; ++h)
        if (s.head < 0 || s.head == h) heads.push_back(h);
    if (format == ExportFormat::Npy) {
        std::vector<float> values;
        for (const auto& w : windows)
            for (int l : layers)
                for (int h : heads)
                    values.insert(values.end(), w.attention->matrix(l, h), w.attention->matrix(l, h) + a0.queries * a0.keys);
        return npyBytes({static_cast<std::int64_t>(windows.size()), static_cast<std::int64_t>(layers.size()),
                         static_cast<std::int64_t>(heads.size()), a0.queries, a0.keys},
                        values.data(), values.size());
    }
    if (format == ExportFormat::Json) {
        nlohmann::json j{{"window", window}, {"stride", stride}, {"layers", layers}, {"heads", heads},
                         {"shape", {windows.size(), layers.size(), heads.size(), a0.queries, a0.keys}},
                         {"windows", nlohmann::json::array()}};
        for (const auto& w : windows) {
            auto one = exportAttention(*w.attention, w.labels, s, ExportFormat::Json);
            if (!one) return one.errorValue();
            auto doc = nlohmann::json::parse(*one);
            j["windows"].push_back({{"first_token", w.firstToken}, {"tokens", doc["tokens"]}, {"attention", std::move(doc["attention"])}});
        }
        return j.dump();
    }
    std::string out = "window,layer,head,from_index,from_token,to_index,to_token,weight\n";
    for (std::size_t k = 0; k < windows.size(); ++k) {
        const auto& w = windows[k];
        const auto& a = *w.attention;
        // Indices in the whole text's tokens; a window's start and end tokens keep their own (0 and the last).
        auto global = [&](int i) { return i == 0 || i == a.queries - 1 ? i : w.firstToken - 1 + i; };
        auto label = [&](int i) { return i < static_cast<int>(w.labels.size()) ? w.labels[static_cast<std::size_t>(i)] : std::to_string(i); };
        for (int l : layers)
            for (int h : heads)
                for (int i = 0; i < a.queries; ++i)
                    for (int j = 0; j < a.keys; ++j)
                        out += std::to_string(k) + "," + std::to_string(l) + "," + std::to_string(h) + "," + std::to_string(global(i)) + "," +
                               csvField(label(i)) + "," + std::to_string(global(j)) + "," + csvField(label(j)) + "," +
                               formatFloat(a.at(l, h, i, j)) + "\n";
    }
    return out;
}

Status writeBytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return makeError(ErrorKind::Io, path + ": cannot open for writing");
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return makeError(ErrorKind::Io, path + ": write failed");
    return Status::ok();
}

Status writeAttention(const std::string& path, const AttentionStack& a, const std::vector<std::string>& labels,
                      const AttentionSelection& s, ExportFormat format) {
    auto bytes = exportAttention(a, labels, s, format);
    if (!bytes) return bytes.errorValue();
    return writeBytes(path, *bytes);
}

}  // namespace ascope
