// A 5x7 pixel font (upper-case letters, digits, a little punctuation) for text drawn
// into images without a font library: the report's labelled sample grid and the
// burnt-in markers of xr-phantom's radiographs ("R", "PORTABLE", dates). Lower-case
// letters are drawn as upper-case; other characters as '?'.
#pragma once
#include <cstdint>
#include <string>

#include "core/image.hpp"

namespace xr {

constexpr int kGlyphWidth = 5;
constexpr int kGlyphHeight = 7;

// Width in pixels of `text` at `scale` (glyphs 5*scale wide, 1*scale apart).
int text_width(const std::string& text, int scale);

// Draws `text` with its top-left corner at (x, y); pixels outside the image are clipped.
void draw_text(GrayImage& img, int x, int y, const std::string& text, int scale, uint8_t value);

}  // namespace xr
