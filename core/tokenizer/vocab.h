#pragma once
// A WordPiece vocabulary (vocab.txt: one token per line, id = line number).
#include <string>
#include <unordered_map>
#include <vector>

#include "util/expected.h"

namespace ascope {

class Vocab {
public:
    static Expected<Vocab> fromFile(const std::string& path);
    static Vocab fromTokens(std::vector<std::string> tokens);

    int size() const { return static_cast<int>(m_tokens.size()); }
    // -1 when absent.
    int idOf(const std::string& token) const;
    const std::string& tokenOf(int id) const;
    const std::vector<std::string>& tokens() const { return m_tokens; }
    Status writeFile(const std::string& path) const;

private:
    std::vector<std::string> m_tokens;
    std::unordered_map<std::string, int> m_ids;
};

}  // namespace ascope
