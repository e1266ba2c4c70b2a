#include "preprocess/lung_box.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "core/resample_taps.hpp"

namespace xr::preprocess {
namespace {

// The bounding box of the pixels at or above a cut, one row at a time.
class BoxScan {
 public:
  BoxScan(int width, int height) : x0_(width), y0_(height) {}

  // Row y: counts first, branch-free (it vectorises); looks for the ends only in rows
  // that have lung, from both sides.
  template <typename Pixel, typename Cut>
  void add_row(const Pixel* row, int width, Cut cut, int y) {
    int in_row = 0;
    for (int x = 0; x < width; ++x) in_row += row[x] >= cut;
    if (in_row == 0) return;
    n_ += in_row;
    int first = 0, last = width - 1;
    while (row[first] < cut) ++first;
    while (row[last] < cut) --last;
    x0_ = std::min(x0_, first);
    x1_ = std::max(x1_, last + 1);
    y0_ = std::min(y0_, y);
    y1_ = y + 1;
  }

  // The box (empty when no pixel reached the cut); *count, if given, the pixels that did.
  Box box(int64_t* count) const {
    if (count) *count = n_;
    if (n_ == 0) return Box{};
    return Box{x0_, y0_, x1_, y1_};
  }

 private:
  int x0_, y0_, x1_ = 0, y1_ = 0;
  int64_t n_ = 0;
};

}  // namespace

double aspect_difference(int w1, int h1, int w2, int h2) {
  if (w1 <= 0 || h1 <= 0 || w2 <= 0 || h2 <= 0) throw std::invalid_argument("aspect of an empty image");
  // Cross-multiplied (r1 / r2 = w1*h2 / (w2*h1)), larger over smaller so that the
  // difference does not depend on which of the two is the mask.
  const double a = static_cast<double>(w1) * h2, b = static_cast<double>(w2) * h1;
  return std::max(a, b) / std::min(a, b) - 1.0;
}

Box threshold_box(const GrayImage& mask, int threshold, int64_t* count) {
  BoxScan scan(mask.width, mask.height);
  for (int y = 0; y < mask.height; ++y) {
    scan.add_row(&mask.pixels[static_cast<size_t>(y) * mask.width], mask.width, threshold, y);
  }
  return scan.box(count);
}

Box resized_threshold_box(const GrayImage& mask, int width, int height, int threshold, int64_t* count) {
  if (mask.empty() || width <= 0 || height <= 0) throw std::invalid_argument("resize of an empty mask");
  if (width == mask.width && height == mask.height) return threshold_box(mask, threshold, count);
  const AxisTaps wx = axis_taps(mask.width, width);
  const AxisTaps wy = axis_taps(mask.height, height);
  // Horizontal pass, as xr::resize's, only for mask rows with a non-zero pixel (a
  // zero row gives exact zeros).
  std::vector<float> tmp(static_cast<size_t>(width) * mask.height);
  std::vector<char> row_used(mask.height, 0);
  for (int y = 0; y < mask.height; ++y) {
    const uint8_t* row = &mask.pixels[static_cast<size_t>(y) * mask.width];
    int any = 0;
    for (int x = 0; x < mask.width; ++x) any |= row[x];
    if (!any) continue;
    row_used[y] = 1;
    float* out = &tmp[static_cast<size_t>(y) * width];
    for (int x = 0; x < width; ++x) {
      const auto& taps = wx.taps[x];
      const uint8_t* src = row + wx.first[x];
      float acc = 0.f;
      for (size_t k = 0; k < taps.size(); ++k) acc += taps[k] * src[k];
      out[x] = acc;
    }
  }
  // Vertical pass: the same sums in the same order (adding a zero row's 0 changes
  // nothing, so those are skipped), compared with threshold - 0.5 instead of rounded.
  const float cut = static_cast<float>(threshold) - 0.5f;
  BoxScan scan(width, height);
  std::vector<float> acc(width);
  for (int y = 0; y < height; ++y) {
    const auto& taps = wy.taps[y];
    bool any = false;
    for (size_t k = 0; k < taps.size(); ++k) any = any || row_used[wy.first[y] + k];
    if (!any) continue;
    std::fill(acc.begin(), acc.end(), 0.f);
    for (size_t k = 0; k < taps.size(); ++k) {
      if (!row_used[wy.first[y] + k]) continue;
      const float* src = &tmp[static_cast<size_t>(wy.first[y] + k) * width];
      const float t = taps[k];
      for (int x = 0; x < width; ++x) acc[x] += t * src[x];
    }
    scan.add_row(acc.data(), width, cut, y);
  }
  return scan.box(count);
}

LungBox lung_box(const GrayImage& mask, int image_width, int image_height, const MaskRules& rules) {
  LungBox out;
  if (mask.empty() || image_width <= 0 || image_height <= 0) {
    throw std::invalid_argument("lung_box of an empty image or mask");
  }
  if (aspect_difference(mask.width, mask.height, image_width, image_height) > rules.aspect_tolerance) {
    out.verdict = MaskVerdict::kAspectMismatch;
    return out;
  }
  int64_t count = 0;
  out.box = resized_threshold_box(mask, image_width, image_height, rules.threshold, &count);
  out.area_fraction = static_cast<double>(count) / (static_cast<double>(image_width) * image_height);
  // An empty box always counts as empty, even with min_area 0: there is nothing to crop.
  if (out.box.empty() || out.area_fraction < rules.min_area) out.verdict = MaskVerdict::kEmpty;
  return out;
}

}  // namespace xr::preprocess
