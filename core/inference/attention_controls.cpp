#include "inference/attention_controls.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace ascope {

namespace {
Error invalid(const std::string& message) { return makeError(ErrorKind::InvalidInput, message); }

Expected<int> parseIndex(const std::string& text, const std::string& what) {
    if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
        return invalid(what + " '" + text + "' is not a non-negative integer");
    return std::stoi(text);
}

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(text);
    while (std::getline(in, part, separator)) parts.push_back(part);
    if (!text.empty() && text.back() == separator) parts.push_back("");
    return parts;
}
}  // namespace

Expected<std::vector<std::uint8_t>> allowedCells(const AttentionMaskSpec& spec, int layers, int heads, int tokens) {
    if (!spec.active()) return std::vector<std::uint8_t>{};
    if (spec.padding < 0) return invalid("the number of pad tokens must not be negative");
    const int n = tokens, total = tokens + spec.padding;
    const auto cell = [total](int q, int k) { return static_cast<std::size_t>(q) * total + k; };
    // One [total][total] pattern shared by every head, then per-head overrides.
    std::vector<std::uint8_t> base(static_cast<std::size_t>(total) * total, 1);
    for (int q = 0; q < total; ++q)
        for (int k = 0; k < total; ++k) {
            bool ok = k < n;  // pad keys are never attended to
            if (spec.mode == AttentionMaskSpec::Mode::Causal) ok = ok && k <= q;
            base[cell(q, k)] = ok;
        }
    if (spec.mode == AttentionMaskSpec::Mode::Block)
        for (int k : spec.blockedKeys) {
            if (k < 0 || k >= n)
                return invalid("blocked token " + std::to_string(k) + " does not exist (0.." + std::to_string(n - 1) + ")");
            for (int q = 0; q < total; ++q) base[cell(q, k)] = 0;
        }
    std::vector<std::uint8_t> out;
    out.reserve(static_cast<std::size_t>(layers) * heads * base.size());
    for (int l = 0; l < layers; ++l)
        for (int h = 0; h < heads; ++h) out.insert(out.end(), base.begin(), base.end());
    if (spec.mode == AttentionMaskSpec::Mode::Custom)
        for (const auto& c : spec.custom) {
            if (c.layer < -1 || c.layer >= layers)
                return invalid("mask layer " + std::to_string(c.layer) + " does not exist (0.." + std::to_string(layers - 1) + ")");
            if (c.head < -1 || c.head >= heads)
                return invalid("mask head " + std::to_string(c.head) + " does not exist (0.." + std::to_string(heads - 1) + ")");
            if (c.allowed.size() != static_cast<std::size_t>(n) * n)
                return invalid("the mask has " + std::to_string(c.allowed.size()) + " cells; this text needs " +
                               std::to_string(n) + " x " + std::to_string(n));
            for (int l = 0; l < layers; ++l)
                for (int h = 0; h < heads; ++h) {
                    if ((c.layer >= 0 && c.layer != l) || (c.head >= 0 && c.head != h)) continue;
                    std::uint8_t* m = out.data() + (static_cast<std::size_t>(l) * heads + h) * base.size();
                    for (int q = 0; q < n; ++q)
                        for (int k = 0; k < n; ++k) m[cell(q, k)] = c.allowed[static_cast<std::size_t>(q) * n + k] != 0;
                }
        }
    return out;
}

Expected<std::vector<float>> headMask(const std::vector<HeadRef>& ablated, int layers, int heads) {
    if (ablated.empty()) return std::vector<float>{};
    std::vector<float> mask(static_cast<std::size_t>(layers) * heads, 1.f);
    for (const auto& r : ablated) {
        if (r.layer < 0 || r.layer >= layers)
            return invalid("layer " + std::to_string(r.layer) + " does not exist (0.." + std::to_string(layers - 1) + ")");
        if (r.head < -1 || r.head >= heads)
            return invalid("head " + std::to_string(r.head) + " does not exist (0.." + std::to_string(heads - 1) + ")");
        for (int h = 0; h < heads; ++h)
            if (r.head < 0 || r.head == h) mask[static_cast<std::size_t>(r.layer) * heads + h] = 0.f;
    }
    return mask;
}

Expected<AttentionMaskSpec> parseAttentionMaskArgument(const std::string& argument) {
    AttentionMaskSpec spec;
    if (argument == "none") return spec;
    if (argument == "causal") {
        spec.mode = AttentionMaskSpec::Mode::Causal;
        return spec;
    }
    if (argument.rfind("block:", 0) == 0) {
        spec.mode = AttentionMaskSpec::Mode::Block;
        for (const auto& part : split(argument.substr(6), ',')) {
            auto k = parseIndex(part, "token index");
            if (!k) return k.errorValue();
            spec.blockedKeys.push_back(*k);
        }
        if (spec.blockedKeys.empty()) return invalid("block: needs token indices, e.g. block:2,5");
        return spec;
    }
    std::ifstream in(argument, std::ios::binary);
    if (!in) return makeError(ErrorKind::Io, argument + ": not none, causal or block:I,J,..., and no such mask file");
    spec.mode = AttentionMaskSpec::Mode::Custom;
    auto readMatrix = [&](const nlohmann::json& m, int layer, int head) -> Status {
        if (!m.is_array() || m.empty()) return invalid(argument + ": a mask must be a non-empty array of rows");
        const std::size_t n = m.size();
        AttentionMaskSpec::Cells cells{layer, head, {}};
        for (const auto& row : m) {
            if (!row.is_array() || row.size() != n) return invalid(argument + ": a mask must be square (T rows of T 0/1 values)");
            for (const auto& v : row) {
                if (!v.is_number() || (v.get<double>() != 0 && v.get<double>() != 1))
                    return invalid(argument + ": mask values must be 0 or 1");
                cells.allowed.push_back(v.get<double>() != 0);
            }
        }
        spec.custom.push_back(std::move(cells));
        return Status::ok();
    };
    try {
        const auto j = nlohmann::json::parse(in);
        if (j.is_array()) {
            if (auto st = readMatrix(j, -1, -1); !st) return st.errorValue();
            return spec;
        }
        if (!j.is_object() || j.empty()) return invalid(argument + ": expected a T x T array or an object of them");
        // "all" first, then layers, then single heads: more specific keys override.
        for (int pass = 0; pass < 3; ++pass)
            for (const auto& [key, value] : j.items()) {
                const auto colon = key.find(':');
                const int kind = key == "all" ? 0 : colon == std::string::npos ? 1 : 2;
                if (kind != pass) continue;
                int layer = -1, head = -1;
                if (kind >= 1) {
                    auto l = parseIndex(key.substr(0, colon), "mask layer");
                    if (!l) return withContext(l.errorValue(), argument + ": ");
                    layer = *l;
                }
                if (kind == 2) {
                    auto h = parseIndex(key.substr(colon + 1), "mask head");
                    if (!h) return withContext(h.errorValue(), argument + ": ");
                    head = *h;
                }
                if (auto st = readMatrix(value, layer, head); !st) return st.errorValue();
            }
    } catch (const std::exception& e) {
        return invalid(argument + ": invalid JSON (" + e.what() + ")");
    }
    return spec;
}

Expected<std::vector<HeadRef>> parseAblateArgument(const std::string& argument) {
    std::vector<HeadRef> out;
    for (const auto& part : split(argument, ',')) {
        const auto colon = part.find(':');
        if (colon == std::string::npos) return invalid("--ablate takes L:H pairs (L:* for a whole layer), got '" + part + "'");
        auto l = parseIndex(part.substr(0, colon), "layer");
        if (!l) return l.errorValue();
        HeadRef r{*l, -1};
        if (part.substr(colon + 1) != "*") {
            auto h = parseIndex(part.substr(colon + 1), "head");
            if (!h) return h.errorValue();
            r.head = *h;
        }
        out.push_back(r);
    }
    if (out.empty()) return invalid("--ablate takes L:H pairs, e.g. 0:3,2:1");
    return out;
}

}  // namespace ascope
