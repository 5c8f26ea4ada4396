#pragma once
// A fresh temporary folder, removed when the object goes away.
#include <filesystem>
#include <string>

namespace ascope::test {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }
    std::string file(const std::string& name) const { return (m_path / name).string(); }

private:
    std::filesystem::path m_path;
};

void writeText(const std::string& path, const std::string& text);
std::string readText(const std::string& path);

}  // namespace ascope::test
