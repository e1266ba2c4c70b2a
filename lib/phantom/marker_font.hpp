// A tiny 5x7 bitmap font for the burnt-in labels of synthetic radiographs ("R",
// "PORTABLE", dates): real images carry such text, and the toolkit's exclusion
// list exists because of it.
#pragma once
#include <cstdint>
#include <string>

#include "core/image.hpp"

namespace xr::phantom {

constexpr int kGlyphWidth = 5;
constexpr int kGlyphHeight = 7;

// Width in pixels of `text` drawn at `scale` (one glyph cell is 6 * scale wide).
int text_width(const std::string& text, int scale);

// Draws `text` with its top-left corner at (x, y), each font pixel a scale x scale
// square of `value`; pixels outside the image are clipped. Characters without a
// glyph (lower case, most punctuation) are drawn as spaces.
void draw_text(GrayImage& img, int x, int y, const std::string& text, int scale, uint8_t value);

}  // namespace xr::phantom
