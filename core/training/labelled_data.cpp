#include "training/labelled_data.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace ascope {

namespace {
constexpr std::size_t kMaxLines = 5'000'000;

void stripLineEnd(std::string& line) {
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
}

std::string trim(const std::string& s) {
    const auto a = s.find_first_not_of(" \t");
    if (a == std::string::npos) return {};
    const auto b = s.find_last_not_of(" \t");
    return s.substr(a, b - a + 1);
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && lower(s.substr(s.size() - suffix.size())) == suffix;
}

Error lineError(const std::string& path, std::size_t line, const std::string& what) {
    return makeError(ErrorKind::InvalidInput, path + ":" + std::to_string(line) + ": " + what);
}
}  // namespace

std::vector<std::string> splitCsvRecord(const std::string& line) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                fields.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                fields.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.emplace_back();
        } else {
            fields.back() += c;
        }
    }
    return fields;
}

Expected<std::vector<LabelledSentence>> readLabelledSentences(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return makeError(ErrorKind::Io, path + ": cannot open the data file");
    std::vector<LabelledSentence> out;
    const bool csv = endsWith(path, ".csv");
    std::string line;
    std::size_t number = 0;
    int textColumn = -1, labelColumn = -1;
    while (std::getline(in, line)) {
        ++number;
        if (number > kMaxLines) return lineError(path, number, "too many lines");
        stripLineEnd(line);
        if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // UTF-8 byte-order mark
        if (trim(line).empty()) continue;
        if (csv) {
            auto fields = splitCsvRecord(line);
            if (textColumn < 0) {  // the header
                for (std::size_t i = 0; i < fields.size(); ++i) {
                    const auto name = lower(trim(fields[i]));
                    if ((name == "text" || name == "sentence") && textColumn < 0) textColumn = static_cast<int>(i);
                    if (name == "label" && labelColumn < 0) labelColumn = static_cast<int>(i);
                }
                if (textColumn < 0 || labelColumn < 0)
                    return lineError(path, number, "a CSV file needs a header with a 'text' (or 'sentence') and a 'label' column");
                continue;
            }
            const auto need = static_cast<std::size_t>(std::max(textColumn, labelColumn));
            if (fields.size() <= need)
                return lineError(path, number, "expected at least " + std::to_string(need + 1) + " fields (quoted line breaks are not supported)");
            LabelledSentence s{fields[static_cast<std::size_t>(textColumn)], trim(fields[static_cast<std::size_t>(labelColumn)])};
            if (trim(s.text).empty() || s.label.empty()) return lineError(path, number, "empty text or label");
            out.push_back(std::move(s));
            continue;
        }
        const auto tab = line.rfind('\t');
        if (tab == std::string::npos) return lineError(path, number, "expected text<TAB>label");
        LabelledSentence s{line.substr(0, tab), trim(line.substr(tab + 1))};
        if (out.empty() && lower(trim(s.text)) == "text" && lower(s.label) == "label") continue;  // a header
        if (trim(s.text).empty() || s.label.empty()) return lineError(path, number, "empty text or label");
        out.push_back(std::move(s));
    }
    if (out.empty()) return makeError(ErrorKind::InvalidInput, path + ": no labelled sentences");
    return out;
}

Expected<std::vector<TaggedSentence>> readTaggedSentences(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return makeError(ErrorKind::Io, path + ": cannot open the data file");
    std::vector<TaggedSentence> out;
    TaggedSentence current;
    auto close = [&] {
        if (!current.words.empty()) out.push_back(std::move(current));
        current = TaggedSentence{};
    };
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (number > kMaxLines) return lineError(path, number, "too many lines");
        stripLineEnd(line);
        if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
        if (trim(line).empty()) {
            close();
            continue;
        }
        if (line.rfind("-DOCSTART-", 0) == 0) continue;
        std::vector<std::string> fields;
        if (line.find('\t') != std::string::npos) {
            std::stringstream ss(line);
            std::string f;
            while (std::getline(ss, f, '\t')) fields.push_back(trim(f));
        } else {
            std::stringstream ss(line);
            std::string f;
            while (ss >> f) fields.push_back(f);
        }
        if (fields.size() < 2 || fields.front().empty() || fields.back().empty())
            return lineError(path, number, "expected token<TAB>tag");
        current.words.push_back(fields.front());
        current.tags.push_back(fields.back());
    }
    close();
    if (out.empty()) return makeError(ErrorKind::InvalidInput, path + ": no tagged sentences");
    return out;
}

std::vector<std::string> labelSet(const std::vector<std::string>& labels, bool outsideFirst) {
    std::set<std::string> distinct(labels.begin(), labels.end());
    std::vector<std::string> out;
    if (outsideFirst && distinct.erase("O")) out.push_back("O");
    out.insert(out.end(), distinct.begin(), distinct.end());
    return out;
}

}  // namespace ascope
