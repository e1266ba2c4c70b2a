// Loading the golden files of tests/golden/metrics/ (made by make_goldens.py there).
#pragma once
#include <ATen/ATen.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "core/image.hpp"

namespace xr_test {

inline std::string golden_dir() {
  const char* src = std::getenv("XR_SOURCE_DIR");
  if (src && *src) return std::string(src) + "/tests/golden/metrics";
  return (std::filesystem::path(__FILE__).parent_path() / "../../golden/metrics").string();
}

inline nlohmann::json load_golden(const std::string& name) {
  std::ifstream in(golden_dir() + "/" + name);
  if (!in) throw std::runtime_error("cannot open golden " + golden_dir() + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

// A [rows, cols] float tensor from a flat JSON list (float32 values written exactly).
inline at::Tensor matrix(const nlohmann::json& flat, int64_t rows, int64_t cols) {
  at::Tensor t = at::empty({rows, cols}, at::kFloat);
  float* p = t.data_ptr<float>();
  for (int64_t i = 0; i < rows * cols; ++i) p[i] = static_cast<float>(flat.at(i).get<double>());
  return t;
}

inline xr::GrayImage gray(const nlohmann::json& flat, int w, int h) {
  xr::GrayImage g(w, h);
  for (size_t i = 0; i < g.pixels.size(); ++i) g.pixels[i] = static_cast<uint8_t>(flat.at(i).get<int>());
  return g;
}

// The fixed real and fake feature sets of features.json, with the expected values.
struct FeatureSets {
  at::Tensor real, fake;
  nlohmann::json g;
};

inline FeatureSets load_feature_sets() {
  FeatureSets s;
  s.g = load_golden("features.json");
  const int64_t d = s.g["dim"];
  s.real = matrix(s.g["real"], s.g["n_real"], d);
  s.fake = matrix(s.g["fake"], s.g["n_fake"], d);
  return s;
}

}  // namespace xr_test
