#include "cli/cli_options.h"

#include <cstdio>
#include <stdexcept>

namespace ascope::cli {

Expected<CliOptions> CliOptions::parse(const std::vector<std::string>& args, const std::set<std::string>& valued,
                                       const std::set<std::string>& switches) {
    CliOptions o;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string flag = args[i];
        std::string inlineValue;
        bool hasInline = false;
        if (auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
            inlineValue = flag.substr(eq + 1);
            flag = flag.substr(0, eq);
            hasInline = true;
        }
        if (valued.count(flag)) {
            if (hasInline) o.m_values[flag] = inlineValue;
            else if (i + 1 < args.size()) o.m_values[flag] = args[++i];
            else return makeError(ErrorKind::InvalidInput, flag + " needs a value");
        } else if (switches.count(flag) && !hasInline) {
            o.m_switches.insert(flag);
        } else {
            return makeError(ErrorKind::InvalidInput, "unknown option '" + args[i] + "' (see --help)");
        }
    }
    return o;
}

std::optional<std::string> CliOptions::value(const std::string& flag) const {
    auto it = m_values.find(flag);
    if (it == m_values.end()) return std::nullopt;
    return it->second;
}

Expected<int> CliOptions::intValue(const std::string& flag, int fallback, int lo, int hi) const {
    auto v = value(flag);
    if (!v) return fallback;
    try {
        std::size_t used = 0;
        const long n = std::stol(*v, &used);
        if (used != v->size()) throw std::invalid_argument("trailing");
        if (n < lo || n > hi)
            return makeError(ErrorKind::InvalidInput, flag + " must be between " + std::to_string(lo) + " and " + std::to_string(hi));
        return static_cast<int>(n);
    } catch (const std::exception&) {
        return makeError(ErrorKind::InvalidInput, flag + " must be an integer, got '" + *v + "'");
    }
}

Status CliOptions::readInts(std::initializer_list<IntFlag> flags) const {
    for (const auto& f : flags) {
        auto v = intValue(f.name, *f.target, f.lo, f.hi);
        if (!v) return v.errorValue();
        *f.target = *v;
    }
    return Status::ok();
}

Expected<AttentionExportRequest> readAttentionExport(const CliOptions& o) {
    AttentionExportRequest r;
    if (!parseExportFormat(o.value("--format").value_or("csv"), r.format)) return makeError(ErrorKind::InvalidInput, "--format must be csv, json or npy");
    r.out = o.value("--out").value_or("");
    if (r.out.empty()) return makeError(ErrorKind::InvalidInput, "--out FILE is required");
    if (auto st = o.readInts({{"--layer", &r.selection.layer, -1, 100000}, {"--head", &r.selection.head, -1, 100000}}); !st)
        return st.errorValue();
    return r;
}

int writeAttentionExport(const AttentionExportRequest& r, const AttentionStack& attention,
                         const std::vector<std::string>& labels) {
    if (auto st = writeAttention(r.out, attention, labels, r.selection, r.format); !st) {
        std::fprintf(stderr, "attention-scope-cli: %s\n", st.error().c_str());
        return 1;
    }
    std::fprintf(stderr, "wrote %s\n", r.out.c_str());
    return 0;
}

const std::set<std::string> kAttentionControlFlags = {"--attention-mask", "--ablate"};

std::set<std::string> withAttentionControls(std::set<std::string> flags) {
    flags.insert(kAttentionControlFlags.begin(), kAttentionControlFlags.end());
    return flags;
}

Expected<AttentionControlFlags> readAttentionControls(const CliOptions& options) {
    AttentionControlFlags out;
    if (auto mask = options.value("--attention-mask")) {
        auto spec = parseAttentionMaskArgument(*mask);
        if (!spec) return withContext(spec.errorValue(), "--attention-mask: ");
        out.mask = std::move(*spec);
    }
    if (auto ablate = options.value("--ablate")) {
        auto heads = parseAblateArgument(*ablate);
        if (!heads) return withContext(heads.errorValue(), "--ablate: ");
        out.ablate = std::move(*heads);
    }
    return out;
}

}  // namespace ascope::cli
