// The toolkit's in-memory image: 8-bit grayscale, row-major, and the geometric
// operations on it that several stages share (crop, resize).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace xr {

struct GrayImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // width * height, row-major

  GrayImage() = default;
  GrayImage(int w, int h, uint8_t fill = 0)
      : width(w), height(h), pixels(static_cast<size_t>(w) * h, fill) {}
  bool empty() const { return width == 0 || height == 0; }
  uint8_t& at(int x, int y) { return pixels[static_cast<size_t>(y) * width + x]; }
  uint8_t at(int x, int y) const { return pixels[static_cast<size_t>(y) * width + x]; }
};

// A half-open pixel rectangle [x0, x1) x [y0, y1).
struct Box {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  int width() const { return x1 - x0; }
  int height() const { return y1 - y0; }
  bool empty() const { return x1 <= x0 || y1 <= y0; }
};

GrayImage crop(const GrayImage& img, const Box& box);

// Separable resampling, per axis: when shrinking, exact area averaging (each output
// pixel is the coverage-weighted mean of the input pixels under it, as OpenCV's
// INTER_AREA; PIL's BOX filter agrees at integer ratios only, as it weights each
// input pixel 0 or 1 by where its centre falls); when enlarging, bilinear with pixel
// centres at half-integers and edge pixels repeated (PIL's BILINEAR). Results are
// rounded to the nearest grey level.
GrayImage resize(const GrayImage& img, int width, int height);

}  // namespace xr
