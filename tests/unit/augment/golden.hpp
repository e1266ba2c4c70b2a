// Loads tests/golden/augment/transform.json (made by make_golden.py with scipy) for
// the augment unit tests.
#pragma once
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "augment/affine_warp.hpp"
#include "core/image.hpp"

namespace xr_test {

inline std::string golden_dir() {
  // The test runner sets XR_SOURCE_DIR; by hand, look upwards from the current folder.
  if (const char* s = std::getenv("XR_SOURCE_DIR")) return std::string(s) + "/tests/golden/augment";
  for (auto p = std::filesystem::current_path(); !p.empty(); p = p.parent_path()) {
    if (std::filesystem::exists(p / "tests/golden/augment/transform.json")) return (p / "tests/golden/augment").string();
    if (p == p.parent_path()) break;
  }
  return "tests/golden/augment";
}

struct GoldenCase {
  std::string name;
  xr::GrayImage input;
  bool has_params = false;
  nlohmann::json params;
  xr::augment::AffineMap map;
  double brightness = 1.0;
  std::vector<double> expected;  // clip(scipy * brightness), unrounded
};

inline std::vector<GoldenCase> load_golden() {
  std::ifstream f(golden_dir() + "/transform.json");
  if (!f) throw std::runtime_error("cannot open " + golden_dir() + "/transform.json");
  const nlohmann::json doc = nlohmann::json::parse(f);
  std::vector<GoldenCase> out;
  for (const auto& c : doc.at("cases")) {
    GoldenCase g;
    g.name = c.at("name").get<std::string>();
    g.input = xr::GrayImage(c.at("width").get<int>(), c.at("height").get<int>());
    const auto px = c.at("input").get<std::vector<int>>();
    for (size_t i = 0; i < px.size(); ++i) g.input.pixels.at(i) = static_cast<uint8_t>(px[i]);
    g.has_params = !c.at("params").is_null();
    g.params = c.at("params");
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 2; ++j) g.map.matrix[i][j] = c.at("matrix")[i][j].get<double>();
      g.map.offset[i] = c.at("offset")[i].get<double>();
    }
    g.brightness = c.at("brightness").get<double>();
    g.expected = c.at("expected").get<std::vector<double>>();
    out.push_back(std::move(g));
  }
  return out;
}

// Largest |ours - reference| over the image, in grey levels.
inline double max_abs_error(const xr::GrayImage& ours, const std::vector<double>& ref) {
  double worst = 0;
  for (size_t i = 0; i < ref.size(); ++i) worst = std::max(worst, std::abs(ours.pixels.at(i) - ref[i]));
  return worst;
}

}  // namespace xr_test
