// JPEG reading through libjpeg-turbo: decoded pixels equal PIL's (the golden PNGs of
// tests/golden/core/jpeg, made by make_jpeg_golden.py) and agree with stb_image, an
// independent decoder; damaged, hostile and unsupported files throw kDataErr.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "core/jpeg_io.hpp"
#include "core/image_io.hpp"

#if XR_HAVE_STB
#include <stb/stb_image.h>
#endif

namespace fs = std::filesystem;

namespace {

fs::path source_dir() {
  const char* env = std::getenv("XR_SOURCE_DIR");
  return env && *env ? fs::path(env) : fs::path(__FILE__).parent_path().parent_path().parent_path().parent_path();
}

std::string golden(const std::string& name) {
  return xr::read_file((source_dir() / "tests" / "golden" / "core" / "jpeg" / name).string());
}

xr::DecodedImage decode(const std::string& bytes, const std::string& name = "mem.jpg") {
  return xr::decode_image(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), name);
}

// Runs f, expects xr::Error with kDataErr, returns "path: message".
template <class F>
std::string data_error(F f) {
  try {
    f();
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kDataErr) << e.what();
    return e.path() + ": " + e.what();
  }
  ADD_FAILURE() << "no error thrown";
  return "";
}

// Offset of the first start-of-frame marker's segment (FF C0..C2), for patching sizes.
size_t sof_offset(const std::string& jpg) {
  for (size_t i = 2; i + 9 < jpg.size(); ++i) {
    const auto b = static_cast<unsigned char>(jpg[i + 1]);
    if (static_cast<unsigned char>(jpg[i]) == 0xFF && b >= 0xC0 && b <= 0xC2) return i;
  }
  return std::string::npos;
}

void set_be16(std::string& s, size_t at, int v) {
  s[at] = static_cast<char>((v >> 8) & 0xFF);
  s[at + 1] = static_cast<char>(v & 0xFF);
}

}  // namespace

TEST(JpegIo, SignatureCheck) {
  EXPECT_TRUE(xr::has_jpeg_signature(reinterpret_cast<const uint8_t*>("\xff\xd8\xff\xe0"), 4));
  EXPECT_TRUE(xr::has_jpeg_signature(reinterpret_cast<const uint8_t*>("\xff\xd8"), 2));
  EXPECT_FALSE(xr::has_jpeg_signature(reinterpret_cast<const uint8_t*>("\xff\xd8"), 1));
  EXPECT_TRUE(xr::has_jpeg_signature(reinterpret_cast<const uint8_t*>("\xff\xff\xff\xd8"), 4));
  EXPECT_FALSE(xr::has_jpeg_signature(reinterpret_cast<const uint8_t*>("\xff\xff\xff"), 3));
  EXPECT_FALSE(xr::has_jpeg_signature(reinterpret_cast<const uint8_t*>("\xd8\xff"), 2));
  EXPECT_FALSE(xr::has_jpeg_signature(reinterpret_cast<const uint8_t*>("\x89PNG"), 4));
}

#if XR_HAVE_JPEG
class JpegGolden : public ::testing::TestWithParam<const char*> {};

TEST_P(JpegGolden, EqualsPilDecode) {
  const std::string name = GetParam();
  const xr::DecodedImage got = decode(golden(name + ".jpg"), name + ".jpg");
  const std::string ref_png = golden(name + "_pil.png");
  const xr::DecodedImage ref =
      xr::decode_png(reinterpret_cast<const uint8_t*>(ref_png.data()), ref_png.size(), name + "_pil.png");
  ASSERT_EQ(got.width, ref.width);
  ASSERT_EQ(got.height, ref.height);
  EXPECT_EQ(got.bit_depth, 8);
  // The same library with the same settings: the samples are equal, not close.
  EXPECT_EQ(got.rgba, ref.rgba);
}

#if XR_HAVE_STB
// stb_image decodes JPEG with its own IDCT and up-sampling: the two decoders agree
// to rounding (measured: mean |diff| 0.002-0.065 and at most 3 gray levels on these
// files; both decoders are deterministic).
TEST_P(JpegGolden, AgreesWithStbImage) {
  const std::string name = GetParam();
  const std::string bytes = golden(name + ".jpg");
  const xr::DecodedImage got = decode(bytes, name + ".jpg");
  int w = 0, h = 0, n = 0;
  stbi_uc* px = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()), static_cast<int>(bytes.size()),
                                      &w, &h, &n, 4);
  ASSERT_NE(px, nullptr);
  ASSERT_EQ(w, got.width);
  ASSERT_EQ(h, got.height);
  double sum = 0;
  int worst = 0;
  const size_t samples = static_cast<size_t>(w) * h * 4;
  for (size_t i = 0; i < samples; ++i) {
    const int d = std::abs(static_cast<int>(px[i]) - static_cast<int>(got.rgba[i]));
    sum += d;
    worst = std::max(worst, d);
  }
  stbi_image_free(px);
  EXPECT_LT(sum / static_cast<double>(samples), 0.5) << name;
  EXPECT_LE(worst, 3) << name;
}
#endif

INSTANTIATE_TEST_SUITE_P(Files, JpegGolden, ::testing::Values("gray_baseline", "gray_progressive", "rgb_420"));

TEST(JpegIo, GrayConversionKeepsTheRedChannel) {
  // rgb_420.jpg has R = the pattern, G = its mirror, B = 30 (make_jpeg_golden.py).
  const xr::DecodedImage img = decode(golden("rgb_420.jpg"));
  const xr::GrayImage gray = xr::to_gray8(img);
  for (size_t i = 0; i < gray.pixels.size(); ++i) ASSERT_EQ(gray.pixels[i], img.rgba[4 * i]) << i;
}

TEST(JpegIo, GarbageAfterTheStartMarkerFails) {
  data_error([&] { decode(std::string("\xff\xd8\x00\x10JFIF", 8) + std::string(100, 'x'), "junk.jpg"); });
}

TEST(JpegIo, TruncatedFilesFail) {
  const std::string full = golden("gray_baseline.jpg");
  for (const size_t keep : {full.size() - 2, full.size() * 3 / 4, full.size() / 2, size_t{40}, size_t{3}}) {
    const std::string msg = data_error([&] { decode(full.substr(0, keep), "cut.jpg"); });
    EXPECT_NE(msg.find("cut.jpg"), std::string::npos) << msg;
    EXPECT_NE(msg.find("JPEG"), std::string::npos) << keep << ": " << msg;
  }
}

TEST(JpegIo, SizeFromTheHeaderAlone) {
  const std::string full = golden("gray_progressive.jpg");
  const auto size_of = [](const std::string& b) {
    return xr::jpeg_image_size(reinterpret_cast<const uint8_t*>(b.data()), b.size(), "s.jpg");
  };
  const xr::ImageSize s = size_of(full);
  EXPECT_EQ(s.width, 37);
  EXPECT_EQ(s.height, 23);
  // The scan data are not read: a file cut after the first scan's header still has
  // a size (decoding it fails)...
  const size_t sos = full.find("\xff\xda");
  ASSERT_NE(sos, std::string::npos);
  const size_t sos_len = (static_cast<unsigned char>(full[sos + 2]) << 8) | static_cast<unsigned char>(full[sos + 3]);
  const std::string cut = full.substr(0, sos + 2 + sos_len);
  EXPECT_EQ(size_of(cut).width, 37);
  data_error([&] { decode(cut, "cut.jpg"); });
  // ...but the header's refusals hold.
  std::string huge = full;
  set_be16(huge, sof_offset(huge) + 5, 30000);
  set_be16(huge, sof_offset(huge) + 7, 30000);
  data_error([&] { size_of(huge); });
  data_error([&] { size_of(golden("cmyk.jpg")); });
}

TEST(JpegIo, HugeDeclaredSizeFailsBeforeDecoding) {
  std::string jpg = golden("gray_baseline.jpg");
  const size_t sof = sof_offset(jpg);
  ASSERT_NE(sof, std::string::npos);
  set_be16(jpg, sof + 5, 30000);  // height
  set_be16(jpg, sof + 7, 30000);  // width
  const std::string msg = data_error([&] { decode(jpg, "huge.jpg"); });
  EXPECT_NE(msg.find("30000x30000"), std::string::npos) << msg;
}

TEST(JpegIo, ZeroHeightFails) {
  std::string jpg = golden("gray_baseline.jpg");
  const size_t sof = sof_offset(jpg);
  ASSERT_NE(sof, std::string::npos);
  set_be16(jpg, sof + 5, 0);
  data_error([&] { decode(jpg, "empty.jpg"); });
}

TEST(JpegIo, TwelveBitIsRefused) {
  std::string jpg = golden("gray_baseline.jpg");
  const size_t sof = sof_offset(jpg);
  ASSERT_NE(sof, std::string::npos);
  jpg[sof + 4] = 12;  // sample precision
  const std::string msg = data_error([&] { decode(jpg, "twelve.jpg"); });
  EXPECT_NE(msg.find("precision"), std::string::npos) << msg;
}

TEST(JpegIo, CmykIsRefusedWithItsReason) {
  const std::string msg = data_error([&] { decode(golden("cmyk.jpg"), "cmyk.jpg"); });
  EXPECT_NE(msg.find("CMYK"), std::string::npos) << msg;
}

// The files on which stb_image 2.27's JPEG decoder reads out of bounds
// (tests/fuzz/known-issues; the second starts with FF fill bytes, which stb skips
// and libjpeg refuses): they reach libjpeg, never stb, and are refused cleanly.
TEST(JpegIo, StbOutOfBoundsFilesAreRefused) {
  for (const char* name : {"stb-jpeg-huff-decode-oob-read.jpg", "stb-jpeg-fill-bytes-global-overflow.jpg"}) {
    const std::string bytes = xr::read_file((source_dir() / "tests" / "fuzz" / "known-issues" / name).string());
    const std::string msg = data_error([&] { decode(bytes, name); });
    EXPECT_NE(msg.find("JPEG"), std::string::npos) << msg;
  }
}
#endif
