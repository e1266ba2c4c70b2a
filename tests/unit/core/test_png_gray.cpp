// read_gray8's fast path (png_gray.cpp) must give exactly the general decoder's
// pixels, to_gray8(read_image(...)), on every PngSuite file (all colour types, bit
// depths, interlacing, tRNS) and fail the same way on the corrupt x*.png ones;
// skips when the suite is absent.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "core/image_io.hpp"

namespace fs = std::filesystem;

namespace {

fs::path pngsuite() {
  const char* shared = std::getenv("XR_SHARED_DIR");
  return fs::path(shared ? shared : "/work/shared") / "data/pngsuite/png";
}

TEST(PngGray, SameAsReadGray8OnPngSuite) {
  const fs::path dir = pngsuite();
  if (!fs::is_directory(dir)) GTEST_SKIP() << "PngSuite absent (" << dir << ")";
  int decoded = 0, failed = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".png") continue;
    const std::string path = e.path().string();
    xr::GrayImage reference;
    xr::Exit reference_error = xr::Exit::kOk;
    std::string reference_message;
    try {
      reference = xr::to_gray8(xr::read_image(path));
    } catch (const xr::Error& err) {
      reference_error = err.code();
      reference_message = err.what();
    }
    try {
      const xr::GrayImage fast = xr::read_gray8(path);
      EXPECT_EQ(reference_error, xr::Exit::kOk) << path << " decoded, but read_gray8 fails";
      EXPECT_EQ(fast.width, reference.width) << path;
      EXPECT_EQ(fast.height, reference.height) << path;
      EXPECT_TRUE(fast.pixels == reference.pixels) << path;
      ++decoded;
    } catch (const xr::Error& err) {
      EXPECT_EQ(err.code(), reference_error) << path;
      EXPECT_EQ(std::string(err.what()), reference_message) << path;
      ++failed;
    }
  }
  EXPECT_GT(decoded, 150);
  EXPECT_GT(failed, 5);  // the x*.png files
}

// The encoder's files (Paeth + Z_RLE) read back through the general reader to the
// same pixels, for sizes and contents that exercise every Paeth case and long runs.
TEST(PngGray, EncoderRoundTrips) {
  for (const auto& [w, h] : {std::pair{1, 1}, {3, 2}, {128, 128}, {257, 31}}) {
    xr::GrayImage img(w, h);
    uint32_t state = 12345;
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        state = state * 1664525u + 1013904223u;
        img.at(x, y) = static_cast<uint8_t>(y < h / 2 ? (x * 3 + y) & 255 : state >> 24);
      }
    }
    const std::string png = xr::encode_png_gray8(img);
    const xr::GrayImage back = xr::to_gray8(xr::decode_png(reinterpret_cast<const uint8_t*>(png.data()), png.size(), "mem"));
    ASSERT_EQ(back.width, w);
    ASSERT_EQ(back.height, h);
    EXPECT_TRUE(back.pixels == img.pixels) << w << "x" << h;
  }
}

TEST(PngGray, TruncationFailsWithTheGeneralMessage) {
  xr::GrayImage img(3, 2);
  for (int i = 0; i < 6; ++i) img.pixels[i] = static_cast<uint8_t>(40 * i);
  const std::string png = xr::encode_png_gray8(img);
  const auto* bytes = reinterpret_cast<const uint8_t*>(png.data());
  const xr::GrayImage back = xr::decode_gray8(bytes, png.size(), "mem");
  EXPECT_TRUE(back.pixels == img.pixels);
  try {
    xr::decode_gray8(bytes, png.size() - 20, "cut.png");
    FAIL() << "a truncated PNG decoded";
  } catch (const xr::Error& err) {
    EXPECT_EQ(err.code(), xr::Exit::kDataErr);
    EXPECT_EQ(err.path(), "cut.png");
  }
}

}  // namespace
