// Image file I/O. PNG through libpng (every colour type and bit depth, interlaced or
// not); JPEG through libjpeg-turbo (jpeg_io.hpp) where the build has it; other
// formats (BMP, TGA, 8-bit PGM/PPM, ..., and JPEG without libjpeg) through stb_image
// where the build has it (16-bit PGM/PPM are refused: stb 2.27 misreads them).
//
// Conversion to the toolkit's 8-bit gray, documented in xr-toolkit(1): palette
// images are expanded to RGB, then the FIRST channel is kept (R; the gray value of a
// gray image), alpha is ignored, and 16-bit samples become 8-bit as round(v / 257).
// X-rays stored as RGB have R = G = B, so nothing is lost for them.
//
// What the decoded samples are (checked against the PngSuite reference pixels by
// tests/unit/core/test_image_io.cpp): the stored values, with NO gamma correction
// (gAMA, cHRM, sRGB, iCCP and sBIT are ignored: an X-ray's gray levels are data,
// and the suite's reference pixels are the raw samples too); a tRNS chunk becomes
// alpha (0 for the transparent colour or the palette entry's alpha, opaque
// elsewhere), which to_gray8 then ignores; low bit depths are scaled to 8 bits by
// bit replication (a 1-bit 1 is 255, a 2-bit 1 is 85); interlaced images are
// de-interlaced.
//
// Hostile input: corrupt data, bad CRCs in critical chunks, truncation and
// impossible headers throw xr::Error(kDataErr) with libpng's reason. Images larger
// than the limits below, or whose header declares more pixel data than the file
// could hold at deflate's best ratio, are refused before any pixel buffer is
// allocated.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/image.hpp"

namespace xr {

// Full decode, for conformance checks and for callers that need every channel.
struct DecodedImage {
  int width = 0;
  int height = 0;
  int bit_depth = 8;           // 8 or 16: the range of the samples below
  std::vector<uint16_t> rgba;  // 4 samples a pixel, row-major, alpha 255/65535 if opaque
};

// The largest image accepted (per side and in pixels), so a hostile header cannot
// make the reader allocate gigabytes.
constexpr int kMaxImageSide = 1 << 15;
constexpr int64_t kMaxImagePixels = int64_t{1} << 28;

// `name` is used in error messages only. Throws xr::Error(kDataErr) on corrupt data.
DecodedImage decode_png(const uint8_t* data, size_t size, const std::string& name);
DecodedImage decode_image(const uint8_t* data, size_t size, const std::string& name);
DecodedImage read_image(const std::string& path);

GrayImage to_gray8(const DecodedImage& img);
GrayImage read_gray8(const std::string& path);
// The same pixels as to_gray8(decode_image(...)), faster for 8-bit PNGs (png_gray.cpp).
GrayImage decode_gray8(const uint8_t* data, size_t size, const std::string& name);

// Size only, from the header (PNG, JPEG) without decoding the pixels.
struct ImageSize {
  int width = 0;
  int height = 0;
};
ImageSize read_image_size(const std::string& path);

std::string encode_png_gray8(const GrayImage& img);
void write_png_gray8(const std::string& path, const GrayImage& img);  // atomic

bool has_png_signature(const uint8_t* data, size_t size);

}  // namespace xr
