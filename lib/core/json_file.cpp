#include "core/json_file.hpp"

#include <filesystem>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"

namespace xr {

nlohmann::json read_json_file(const std::string& path) {
  if (!std::filesystem::exists(path)) fail_missing(path, "no such file");
  const std::string text = read_file(path);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    fail_data(path, std::string("malformed JSON (") + e.what() + ")");
  }
}

}  // namespace xr
