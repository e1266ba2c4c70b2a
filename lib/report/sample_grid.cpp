#include "report/sample_grid.hpp"

#include <algorithm>
#include <filesystem>

#include "core/dataset.hpp"
#include "core/errors.hpp"
#include "core/image_io.hpp"
#include "core/bitmap_font.hpp"

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
    std::string label;
    std::vector<std::string> files;
    std::string group;  // class name for the first row of a class, else ""
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
      rows.push_back({src.first, files, first ? c : ""});
      first = false;
    }
  }
  if (rows.empty()) return g;

  // Text at a size that suits the tiles: 2x for 64-pixel tiles.
  const int scale = std::max(1, tile / 32);
  const int text_h = kGlyphHeight * scale;
  const int header_h = text_h + 2 * kGap + 2 * scale;
  int label_w = 0, header_w = 0;
  size_t widest = 0;
  for (const auto& r : rows) {
    label_w = std::max(label_w, text_width(r.label, scale));
    header_w = std::max(header_w, text_width(r.group, scale));
    widest = std::max(widest, r.files.size());
  }
  label_w += 4 * scale;
  const int tiles_w = static_cast<int>(widest) * (tile + kGap) - kGap;
  const int width = label_w + std::max(tiles_w, header_w);
  int height = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].group.empty()) height += (i ? kGroupGap : 0) + header_h;
    height += tile + kGap;
  }
  height -= kGap;
  g.image = GrayImage(width, height, kBackground);
  g.tiles_x0 = label_w;
  int y = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    if (!r.group.empty()) {
      if (i) y += kGroupGap;
      draw_text(g.image, label_w, y + kGap, r.group, scale, 0);
      y += header_h;
    }
    if (i == 0) g.tiles_y0 = y;
    draw_text(g.image, 0, y + (tile - text_h) / 2, r.label, scale, 0);
    for (size_t k = 0; k < r.files.size(); ++k) {
      GrayImage img;
      try {
        img = read_gray8(r.files[k]);
      } catch (const Error& err) {
        g.notes.push_back("skipped " + r.files[k] + " (" + err.what() + ")");
        continue;
      }
      const GrayImage t = resize(img, tile, tile);
      const int x0 = label_w + static_cast<int>(k) * (tile + kGap);
      for (int yy = 0; yy < tile; ++yy)
        for (int xx = 0; xx < tile; ++xx) g.image.at(x0 + xx, y + yy) = t.at(xx, yy);
    }
    y += tile + kGap;
  }
  return g;
}

}  // namespace xr::report
