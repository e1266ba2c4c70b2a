// A fresh folder under the system's temporary folder, removed with everything in it
// when the object goes out of scope: the scratch space of one unit test.
#pragma once
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace xr_test {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "xr-test") {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // The path of `rel` inside the folder (converts to std::string where one is expected).
  std::filesystem::path operator/(const std::string& rel) const { return std::filesystem::path(path_) / rel; }

 private:
  std::string path_;
};

}  // namespace xr_test
