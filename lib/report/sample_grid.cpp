#include "report/sample_grid.hpp"

#include <algorithm>
#include <filesystem>

#include "core/dataset.hpp"
#include "core/errors.hpp"
#include "core/png_io.hpp"

namespace fs = std::filesystem;

namespace xr::report {

namespace {
constexpr int kGap = 2;        // between tiles
constexpr int kGroupGap = 10;  // between classes
constexpr uint8_t kBackground = 255;

// The first `n` image files of a folder by name.
std::vector<std::string> first_images(const fs::path& dir, int n) {
  std::vector<std::string> files;
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.' || !entry.is_regular_file() || !is_image_file_name(name)) continue;
    files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  if (static_cast<int>(files.size()) > n) files.resize(n);
  return files;
}
}  // namespace

SampleGrid sample_grid(const Experiment& e, int per_row, int tile) {
  SampleGrid g;
  const fs::path root(e.dir);
  std::vector<std::string> classes = e.classes;
  if (classes.empty() && fs::is_directory(root / "split" / "train")) {
    classes = scan_image_folder((root / "split" / "train").string()).classes;
  }
  const std::vector<std::pair<std::string, fs::path>> sources{
      {"real", root / "split" / "train"}, {"classical", root / "classical"}, {"GAN", root / "gan"}};
  struct Row {
    std::vector<std::string> files;
    bool group_start;
  };
  std::vector<Row> rows;
  for (const auto& src : sources) {
    if (!fs::is_directory(src.second)) g.notes.push_back(src.first + " images: no folder " + src.second.string());
  }
  for (const auto& c : classes) {
    bool first = true;
    for (const auto& src : sources) {
      auto files = first_images(src.second / c, per_row);
      if (files.empty()) continue;
      g.rows.push_back(c + ": " + src.first);
      rows.push_back({files, first && !rows.empty()});
      first = false;
    }
  }
  if (rows.empty()) return g;
  int height = 0;
  for (const auto& r : rows) height += (r.group_start ? kGroupGap : 0) + tile + kGap;
  height -= kGap;
  const int width = per_row * (tile + kGap) - kGap;
  g.image = GrayImage(width, height, kBackground);
  int y = 0;
  for (const auto& r : rows) {
    if (r.group_start) y += kGroupGap;
    for (size_t i = 0; i < r.files.size(); ++i) {
      GrayImage img;
      try {
        img = read_gray8(r.files[i]);
      } catch (const Error& err) {
        g.notes.push_back("skipped " + r.files[i] + " (" + err.what() + ")");
        continue;
      }
      const GrayImage t = resize(img, tile, tile);
      const int x0 = static_cast<int>(i) * (tile + kGap);
      for (int yy = 0; yy < tile; ++yy)
        for (int xx = 0; xx < tile; ++xx) g.image.at(x0 + xx, y + yy) = t.at(xx, yy);
    }
    y += tile + kGap;
  }
  return g;
}

}  // namespace xr::report
