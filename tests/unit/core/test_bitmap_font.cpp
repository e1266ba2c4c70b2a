// The 5x7 bitmap font (report labels, phantom markers): glyph shapes, widths,
// clipping, the fallback for characters without a glyph.
#include <gtest/gtest.h>

#include "core/bitmap_font.hpp"

using xr::GrayImage;
using xr::draw_text;
using xr::text_width;

namespace {

int count_value(const GrayImage& img, uint8_t v) {
  int n = 0;
  for (uint8_t p : img.pixels) n += p == v;
  return n;
}

}  // namespace

TEST(BitmapFont, Widths) {
  EXPECT_EQ(text_width("", 3), 0);
  EXPECT_EQ(text_width("R", 1), 5);
  EXPECT_EQ(text_width("AB", 2), 22);  // two 12-pixel cells less the trailing gap
}

TEST(BitmapFont, DrawsTheLetterL) {
  GrayImage img(8, 9, 0);
  draw_text(img, 1, 1, "L", 1, 200);
  // A vertical stroke of 7 in column 1 and a base of 5 in row 7.
  EXPECT_EQ(count_value(img, 200), 7 + 4);
  for (int y = 1; y <= 7; ++y) EXPECT_EQ(img.at(1, y), 200);
  for (int x = 1; x <= 5; ++x) EXPECT_EQ(img.at(x, 7), 200);
  EXPECT_EQ(img.at(2, 6), 0);
  EXPECT_EQ(img.at(6, 7), 0);
}

TEST(BitmapFont, ScaleMakesSquares) {
  GrayImage a(20, 20, 0), b(20, 20, 0);
  draw_text(a, 0, 0, "R", 1, 255);
  draw_text(b, 0, 0, "R", 2, 255);
  EXPECT_EQ(count_value(b, 255), 4 * count_value(a, 255));
}

TEST(BitmapFont, ClipsAtTheBorders) {
  GrayImage img(6, 6, 0);
  draw_text(img, -3, -4, "PORTABLE 12/3", 2, 255);  // mostly outside: no crash
  draw_text(img, 10, 10, "R", 1, 255);              // wholly outside
  EXPECT_GT(count_value(img, 255), 0);
  GrayImage outside(6, 6, 0);
  draw_text(outside, 10, 10, "R", 1, 255);
  EXPECT_EQ(count_value(outside, 255), 0);
}

TEST(BitmapFont, LowerCaseAsUpperCaseUnknownAsQuestionMark) {
  GrayImage lower(20, 10, 0), upper(20, 10, 0), unknown(20, 10, 0), question(20, 10, 0);
  draw_text(lower, 0, 0, "rx", 1, 255);
  draw_text(upper, 0, 0, "RX", 1, 255);
  EXPECT_TRUE(lower.pixels == upper.pixels);
  draw_text(unknown, 0, 0, "#", 1, 255);
  draw_text(question, 0, 0, "?", 1, 255);
  EXPECT_TRUE(unknown.pixels == question.pixels);
  EXPECT_GT(count_value(question, 255), 0);
}
