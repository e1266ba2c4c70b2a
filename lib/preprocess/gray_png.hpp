// Faster gray PNG reading and writing for xr-crop's hot loop (tests/bench/crop_speed.sh).
//
// Reading: 8-bit-or-less PNGs are decoded straight to their first channel (libpng
// expands palette and low-bit gray, nothing else) instead of to 16-bit RGBA and
// back. The pixels are xr::read_gray8's (tests/unit/preprocess/test_gray_png.cpp
// checks every PngSuite file); 16-bit PNGs and other formats go through
// xr::read_gray8 itself, and so do corrupt files (the same messages and codes).
//
// Writing: an 8-bit gray PNG with the Paeth filter on every row and zlib's
// run-length strategy at level 6. On the real sample's 128x128 crops that is about
// 3.5x faster than xr::encode_png_gray8 (adaptive filters, default strategy) and
// the files come out about 1% smaller; any PNG reader gives the same pixels.
#pragma once
#include <string>

#include "core/image.hpp"

namespace xr {

GrayImage read_gray8_fast(const std::string& path);
GrayImage decode_gray8_fast(const std::string& bytes, const std::string& name);

std::string encode_gray8_fast(const GrayImage& img);
void write_gray8_fast(const std::string& path, const GrayImage& img);  // atomic

}  // namespace xr
