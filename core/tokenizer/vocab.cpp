#include "tokenizer/vocab.h"

#include <cstdio>
#include <fstream>

namespace ascope {

Expected<Vocab> Vocab::fromFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return makeError(ErrorKind::Io, path + ": vocabulary file missing or unreadable");
    std::vector<std::string> tokens;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        tokens.push_back(line);
    }
    if (tokens.empty()) return makeError(ErrorKind::InvalidInput, path + ": vocabulary is empty");
    return fromTokens(std::move(tokens));
}

Vocab Vocab::fromTokens(std::vector<std::string> tokens) {
    Vocab v;
    v.m_tokens = std::move(tokens);
    v.m_ids.reserve(v.m_tokens.size());
    for (std::size_t i = 0; i < v.m_tokens.size(); ++i)
        v.m_ids.emplace(v.m_tokens[i], static_cast<int>(i));  // first occurrence wins
    return v;
}

int Vocab::idOf(const std::string& token) const {
    auto it = m_ids.find(token);
    return it == m_ids.end() ? -1 : it->second;
}

const std::string& Vocab::tokenOf(int id) const {
    static const std::string kOutOfRange = "[?]";
    if (id < 0 || id >= size()) return kOutOfRange;
    return m_tokens[static_cast<std::size_t>(id)];
}

Status Vocab::writeFile(const std::string& path) const {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) return makeError(ErrorKind::Io, tmp + ": cannot open for writing");
        for (const auto& t : m_tokens) out << t << '\n';
        if (!out) return makeError(ErrorKind::Io, tmp + ": write failed");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) return makeError(ErrorKind::Io, path + ": cannot rename into place");
    return Status::ok();
}

}  // namespace ascope
