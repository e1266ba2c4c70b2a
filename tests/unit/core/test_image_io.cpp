// PNG reading and writing: conformance with the PngSuite reference pixels, the
// documented gray conversion, rejection of corrupt, truncated and hostile files
// with xr::Error(kDataErr), and the writer's round trip.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../temp_dir.hpp"
#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "core/image_io.hpp"
#include "core/rng.hpp"

namespace fs = std::filesystem;

namespace {

std::string shared_dir() {
  const char* env = std::getenv("XR_SHARED_DIR");
  return env && *env ? env : "/work/shared";
}

std::string fuzz_corpus(const std::string& name) {
  const char* env = std::getenv("XR_SOURCE_DIR");
  const fs::path src = env && *env ? fs::path(env) : fs::path(__FILE__).parent_path().parent_path().parent_path().parent_path();
  return (src / "tests" / "fuzz" / "corpus" / "png" / name).string();
}

fs::path pngsuite_dir() { return fs::path(shared_dir()) / "data" / "pngsuite"; }

std::vector<fs::path> suite_files(bool corrupt) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(pngsuite_dir() / "png")) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".png") continue;
    if ((name[0] == 'x') == corrupt) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<int> load_reference(const fs::path& json_path) {
  std::ifstream in(json_path);
  return nlohmann::json::parse(in).get<std::vector<int>>();
}

std::string bytes_of(const fs::path& p) { return xr::read_file(p.string()); }

xr::DecodedImage decode(const std::string& bytes, const std::string& name = "mem.png") {
  return xr::decode_image(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), name);
}

// Runs fn, expects xr::Error with `code`; returns its message ("" if none thrown).
template <typename Fn>
std::string expect_error(Fn fn, xr::Exit code, const std::string& context) {
  try {
    fn();
  } catch (const xr::Error& e) {
    EXPECT_EQ(static_cast<int>(e.code()), static_cast<int>(code)) << context << ": " << e.what();
    EXPECT_NE(std::string(e.what()), "") << context;
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << context << ": one-line message";
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << context << ": threw a non-xr exception: " << e.what();
    return e.what();
  }
  ADD_FAILURE() << context << ": decoded without an error";
  return "";
}

// A PNG chunk with its CRC, for hand-made files.
std::string chunk(const std::string& type, const std::string& data) {
  std::string out;
  const uint32_t len = static_cast<uint32_t>(data.size());
  for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((len >> s) & 0xff);
  const std::string body = type + data;
  out += body;
  const uint32_t crc = static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
  for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((crc >> s) & 0xff);
  return out;
}

std::string be32(uint32_t v) {
  std::string out;
  for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((v >> s) & 0xff);
  return out;
}

// An 8-bit gray PNG header declaring w x h, followed by `idat` (already deflated).
std::string png_with_header(uint32_t w, uint32_t h, const std::string& idat) {
  std::string ihdr = be32(w) + be32(h) + std::string("\x08\x00\x00\x00\x00", 5);
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", idat) + chunk("IEND", "");
}

std::string deflate(const std::string& raw) {
  uLongf n = compressBound(static_cast<uLong>(raw.size()));
  std::string out(n, '\0');
  compress2(reinterpret_cast<Bytef*>(&out[0]), &n, reinterpret_cast<const Bytef*>(raw.data()),
            static_cast<uLong>(raw.size()), 9);
  out.resize(n);
  return out;
}

}  // namespace

// Every valid file decodes to the reference RGBA (8-bit files exactly; 16-bit files
// exactly at 16 bits). The reference decoder applies no gamma correction and turns
// tRNS into alpha, as image_io.hpp documents.
TEST(PngSuite, EveryValidFileMatchesItsReferencePixels) {
  if (!fs::is_directory(pngsuite_dir() / "png")) GTEST_SKIP() << "no PngSuite at " << pngsuite_dir();
  int checked = 0;
  for (const fs::path& file : suite_files(false)) {
    const std::string stem = file.stem().string();
    SCOPED_TRACE(stem);
    const fs::path ref_path = pngsuite_dir() / "json" / (stem + ".json");
    ASSERT_TRUE(fs::exists(ref_path)) << "no reference for " << stem;
    const std::vector<int> ref = load_reference(ref_path);
    xr::DecodedImage img;
    ASSERT_NO_THROW(img = xr::read_image(file.string()));
    ASSERT_EQ(img.rgba.size(), static_cast<size_t>(img.width) * img.height * 4);
    ASSERT_EQ(img.rgba.size(), ref.size());
    const bool sixteen = stem.substr(stem.size() - 2) == "16";
    EXPECT_EQ(img.bit_depth, sixteen ? 16 : 8);
    size_t mismatches = 0, first = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
      if (img.rgba[i] != ref[i] && mismatches++ == 0) first = i;
    }
    EXPECT_EQ(mismatches, 0u) << "first at sample " << first << ": " << img.rgba[first] << " vs "
                              << ref[first];
    ++checked;
  }
  EXPECT_EQ(checked, 161);  // the suite's valid files
}

// The gray conversion: the first channel; 16-bit samples as round(v / 257), which
// is within 1 of the suite's own 8-bit reduction (_to8.json; the README allows 1).
TEST(PngSuite, GrayConversionIsTheFirstChannel) {
  if (!fs::is_directory(pngsuite_dir() / "png")) GTEST_SKIP() << "no PngSuite at " << pngsuite_dir();
  int sixteen_bit_files = 0;
  for (const fs::path& file : suite_files(false)) {
    const std::string stem = file.stem().string();
    SCOPED_TRACE(stem);
    const std::vector<int> ref = load_reference(pngsuite_dir() / "json" / (stem + ".json"));
    const xr::GrayImage gray = xr::read_gray8(file.string());
    ASSERT_EQ(gray.pixels.size() * 4, ref.size());
    const fs::path to8_path = pngsuite_dir() / "json" / (stem + "_to8.json");
    const bool sixteen = stem.substr(stem.size() - 2) == "16";
    std::vector<int> to8;
    // The suite has _to8.json for 29 of its 33 16-bit files (not the alpha ones).
    if (sixteen && fs::exists(to8_path)) {
      to8 = load_reference(to8_path);
      ASSERT_EQ(to8.size(), ref.size());
      ++sixteen_bit_files;
    }
    size_t bad = 0;
    for (size_t i = 0; i < gray.pixels.size(); ++i) {
      const int got = gray.pixels[i];
      const int expected = sixteen ? static_cast<int>(std::lround(ref[4 * i] / 257.0)) : ref[4 * i];
      if (got != expected) ++bad;
      if (!to8.empty() && std::abs(got - to8[4 * i]) > 1) ++bad;
    }
    EXPECT_EQ(bad, 0u);
  }
  EXPECT_EQ(sixteen_bit_files, 29);
}

TEST(PngSuite, CorruptFilesFailWithDataError) {
  if (!fs::is_directory(pngsuite_dir() / "png")) GTEST_SKIP() << "no PngSuite at " << pngsuite_dir();
  const auto files = suite_files(true);
  EXPECT_EQ(files.size(), 14u);
  for (const fs::path& file : files) {
    const std::string msg =
        expect_error([&] { xr::read_image(file.string()); }, xr::Exit::kDataErr, file.filename().string());
    // The message says what is wrong, not just "error".
    EXPECT_GT(msg.size(), 10u) << file;
    expect_error([&] { xr::read_gray8(file.string()); }, xr::Exit::kDataErr, file.filename().string());
  }
}

TEST(PngSuite, TruncatedFilesFailAtEveryCutPoint) {
  if (!fs::is_directory(pngsuite_dir() / "png")) GTEST_SKIP() << "no PngSuite at " << pngsuite_dir();
  for (const char* name : {"basn0g08", "basi6a16", "basn3p08", "tbrn2c08", "basi0g01"}) {
    const std::string bytes = bytes_of(pngsuite_dir() / "png" / (std::string(name) + ".png"));
    ASSERT_NO_THROW(decode(bytes));
    // Every cut in the first 128 bytes (signature, IHDR, ancillary chunks), then
    // every 7th byte to the end: each misses at least IEND.
    for (size_t cut = 0; cut < bytes.size(); cut += cut < 128 ? 1 : 7) {
      const std::string part = bytes.substr(0, cut);
      expect_error([&] { decode(part); }, xr::Exit::kDataErr, std::string(name) + " cut at " + std::to_string(cut));
    }
    expect_error([&] { decode(bytes.substr(0, bytes.size() - 1)); }, xr::Exit::kDataErr, "last byte cut");
  }
}

TEST(PngIo, EmptyAndNonPngInputsFail) {
  xr_test::TempDir dir("xr-test-png");
  xr::write_file_atomic((dir / "empty.png").string(), "");
  std::string msg = expect_error([&] { xr::read_image((dir / "empty.png").string()); }, xr::Exit::kDataErr, "empty");
  EXPECT_NE(msg.find("empty"), std::string::npos) << msg;

  xr::write_file_atomic((dir / "text.png").string(), "this is not an image at all\n");
  expect_error([&] { xr::read_image((dir / "text.png").string()); }, xr::Exit::kDataErr, "text");
  expect_error([&] { xr::read_gray8((dir / "text.png").string()); }, xr::Exit::kDataErr, "text gray");

  xr::Rng rng(3);
  std::string noise(4096, '\0');
  for (char& c : noise) c = static_cast<char>(rng.below(256));
  expect_error([&] { decode(noise); }, xr::Exit::kDataErr, "noise");

  // A PNG signature followed by noise.
  expect_error([&] { decode(std::string("\x89PNG\r\n\x1a\n", 8) + noise); }, xr::Exit::kDataErr,
               "signature + noise");

  // Just the signature, through decode_png directly too.
  const std::string sig("\x89PNG\r\n\x1a\n", 8);
  expect_error([&] { xr::decode_png(reinterpret_cast<const uint8_t*>(sig.data()), sig.size(), "sig"); },
               xr::Exit::kDataErr, "signature only");
  expect_error([&] { xr::decode_png(reinterpret_cast<const uint8_t*>(noise.data()), noise.size(), "n"); },
               xr::Exit::kDataErr, "decode_png on noise");
}

TEST(PngIo, MissingFileIsNoInput) {
  expect_error([] { xr::read_image("/nonexistent/dir/a.png"); }, xr::Exit::kNoInput, "missing");
  expect_error([] { xr::read_image_size("/nonexistent/dir/a.png"); }, xr::Exit::kNoInput, "missing size");
}

// Headers that declare huge images must fail fast, without allocating the pixels.
TEST(PngIo, HugeDeclaredSizesFailWithoutAllocating) {
  // A valid stream for a 1x1 image, under headers that claim far more.
  const std::string idat = deflate(std::string("\0\0", 2));
  ASSERT_NO_THROW(decode(png_with_header(1, 1, idat)));
  struct Case {
    uint32_t w, h;
  };
  for (Case c : {Case{16000, 16000}, Case{16384, 16384}, Case{40000, 40000}, Case{1, 30000},
                 Case{0x7fffffff, 1}, Case{0xffffffff, 0xffffffff}, Case{0, 5}}) {
    const std::string ctx = std::to_string(c.w) + "x" + std::to_string(c.h);
    const std::string msg = expect_error([&] { decode(png_with_header(c.w, c.h, idat)); }, xr::Exit::kDataErr, ctx);
    EXPECT_NE(msg.find("PNG"), std::string::npos) << ctx << ": " << msg;
  }
  // The size-only reader refuses the same headers.
  xr_test::TempDir dir("xr-test-png");
  xr::write_file_atomic((dir / "huge.png").string(), png_with_header(0xffffffff, 4, idat));
  expect_error([&] { xr::read_image_size((dir / "huge.png").string()); }, xr::Exit::kDataErr, "size of huge");
}

// A large but honest image (all zeros compress well) still decodes: the size check
// compares with what deflate can achieve, not with a guess.
TEST(PngIo, HighlyCompressedLargeImageDecodes) {
  const uint32_t w = 2000, h = 1500;
  const std::string raw(static_cast<size_t>(h) * (w + 1), '\0');
  const xr::DecodedImage img = decode(png_with_header(w, h, deflate(raw)));
  EXPECT_EQ(img.width, 2000);
  EXPECT_EQ(img.height, 1500);
  EXPECT_EQ(xr::to_gray8(img).pixels, std::vector<uint8_t>(size_t{w} * h, 0));
}

TEST(PngIo, WriteReadRoundTrip) {
  xr_test::TempDir dir("xr-test-png");
  xr::Rng rng(11);
  for (auto [w, h] : {std::pair{1, 1}, std::pair{7, 3}, std::pair{128, 128}, std::pair{300, 17}}) {
    xr::GrayImage img(w, h);
    for (auto& p : img.pixels) p = static_cast<uint8_t>(rng.below(256));
    const fs::path path = dir / ("rt" + std::to_string(w) + ".png");
    xr::write_png_gray8(path.string(), img);
    const xr::DecodedImage full = xr::read_image(path.string());
    EXPECT_EQ(full.bit_depth, 8);
    for (size_t i = 0; i < img.pixels.size(); ++i) {
      ASSERT_EQ(full.rgba[4 * i], img.pixels[i]);
      ASSERT_EQ(full.rgba[4 * i + 1], img.pixels[i]);  // gray is replicated
      ASSERT_EQ(full.rgba[4 * i + 3], 255);             // opaque
    }
    EXPECT_EQ(xr::read_gray8(path.string()).pixels, img.pixels);
    const xr::ImageSize size = xr::read_image_size(path.string());
    EXPECT_EQ(size.width, w);
    EXPECT_EQ(size.height, h);
  }
  // Nothing but the written files is left in the folder (no temporaries).
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir / "")) n += e.path().filename().string()[0] == '.' ? 100 : 1;
  EXPECT_EQ(n, 4);
}

TEST(PngIo, EncodingAnEmptyImageIsAnInternalError) {
  expect_error([] { xr::encode_png_gray8(xr::GrayImage()); }, xr::Exit::kSoftware, "empty image");
}

// round(v / 257) at the rounding boundaries, by hand: 128/257 = 0.498 -> 0,
// 129/257 = 0.502 -> 1, 385/257 = 1.498 -> 1, 386/257 = 1.502 -> 2,
// 65406/257 = 254.498 -> 254.
TEST(PngIo, SixteenBitToEightBitRounding) {
  xr::DecodedImage img;
  img.width = 7;
  img.height = 1;
  img.bit_depth = 16;
  const std::vector<uint16_t> values = {0, 128, 129, 385, 386, 65406, 65535};
  const std::vector<uint8_t> expected = {0, 0, 1, 1, 2, 254, 255};
  for (uint16_t v : values) img.rgba.insert(img.rgba.end(), {v, 0, 0, 65535});
  EXPECT_EQ(xr::to_gray8(img).pixels, expected);
}

TEST(PngIo, SignatureCheck) {
  const std::string sig("\x89PNG\r\n\x1a\n", 8);
  EXPECT_TRUE(xr::has_png_signature(reinterpret_cast<const uint8_t*>(sig.data()), 8));
  EXPECT_FALSE(xr::has_png_signature(reinterpret_cast<const uint8_t*>(sig.data()), 7));
  EXPECT_FALSE(xr::has_png_signature(reinterpret_cast<const uint8_t*>("GIF89a.."), 8));
}

#if XR_HAVE_STB
// Other formats go through stb_image, with the same rules for hostile headers.
TEST(StbImage, PgmDecodesAndHugeHeadersFail) {
  const std::string pgm = std::string("P5\n2 2\n255\n") + std::string("\x00\x40\x80\xff", 4);
  const xr::DecodedImage img = decode(pgm, "a.pgm");
  ASSERT_EQ(img.width, 2);
  ASSERT_EQ(img.height, 2);
  EXPECT_EQ(xr::to_gray8(img).pixels, (std::vector<uint8_t>{0, 0x40, 0x80, 0xff}));
  const std::string msg =
      expect_error([&] { decode(std::string("P5\n16000 16000\n255\n") + "abcd", "huge.pgm"); }, xr::Exit::kDataErr,
                   "huge pgm");
  EXPECT_NE(msg.find("16000x16000"), std::string::npos) << msg;
  expect_error([&] { decode(std::string("P5\n4 4\n255\nab"), "short.pgm"); }, xr::Exit::kDataErr, "short pgm");
  expect_error([&] { decode(std::string("\xff\xd8\xff\xe0", 4) + std::string(64, '\0'), "bad.jpg"); },
               xr::Exit::kDataErr, "bad jpeg");
}
#endif

#if XR_HAVE_STB
// stb_image's other formats (GIF, PSD, PIC, HDR) are refused by signature, unread.
TEST(StbImage, UnlistedFormatsAreRefused) {
  std::string msg =
      expect_error([&] { decode(std::string("GIF89a") + std::string(30, '\0'), "a.gif"); }, xr::Exit::kDataErr, "gif");
  EXPECT_NE(msg.find("GIF files are not supported"), std::string::npos) << msg;
  msg = expect_error([&] { decode(std::string("8BPS") + std::string(40, '\0'), "a.psd"); }, xr::Exit::kDataErr, "psd");
  EXPECT_NE(msg.find("PSD"), std::string::npos) << msg;
  msg = expect_error([&] { decode("#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 1 +X 1\nabcd", "a.hdr"); },
                     xr::Exit::kDataErr, "hdr");
  EXPECT_NE(msg.find("HDR"), std::string::npos) << msg;
}
#endif

#if XR_HAVE_STB
// Found by fuzz_core_png: 17 bytes that stb_image takes for a huge image (TGA has
// no signature) and allocated ~2 GB for, before the pixels-per-byte check.
TEST(StbImage, FuzzFoundHugeTgaHeader) {
  const std::string bytes("\x8a\x00\x03\x8a\x00\x03\x00\x40\x01\x52\x00\x00\x64\x2e\x00\x40\x08", 17);
  expect_error([&] { decode(bytes, "oom.tga"); }, xr::Exit::kDataErr, "fuzz oom");
}
#endif

TEST(PngIo, ToGray8RefusesInconsistentImages) {
  xr::DecodedImage img;
  img.width = 3;
  img.height = 2;
  img.rgba.resize(4 * 5);
  expect_error([&] { xr::to_gray8(img); }, xr::Exit::kSoftware, "short rgba");
  img.rgba.resize(4 * 6, 7);
  EXPECT_EQ(xr::to_gray8(img).pixels.size(), 6u);
}

#if XR_HAVE_STB
// Found by fuzz_core_png: a PGM header whose height is not a number, which stb_image
// 2.27 decodes "successfully" as an image of height 0.
TEST(StbImage, FuzzFoundZeroHeightPgm) {
  const std::string bytes("P5\n8\x8a\x00\x0b\x8a\xca\xfd 6\n255\n", 17);
  expect_error([&] { decode(bytes + std::string(64, '\x10'), "zero.pgm"); }, xr::Exit::kDataErr, "zero height");
  expect_error([&] { decode(std::string("P5\n0 4\n255\n") + std::string(16, 'a'), "zero-width.pgm"); },
               xr::Exit::kDataErr, "zero width");
}
#endif

#if XR_HAVE_STB
// Found by fuzz_core_png (ASan: heap-buffer-overflow inside stb_image 2.27): a
// 16-bit PPM, whose channel conversion in stb writes past its buffer; stb also
// reads 16-bit PNM samples in the wrong byte order. Such files are refused.
TEST(StbImage, SixteenBitPnmIsRefused) {
  std::string ppm = "P6\n2 1\n65535\n";
  for (int v : {0x0000, 0x8000, 0xffff, 0x1234, 0x5678, 0x9abc}) {
    ppm += static_cast<char>(v >> 8);
    ppm += static_cast<char>(v & 0xff);
  }
  const std::string msg = expect_error([&] { decode(ppm, "a.ppm"); }, xr::Exit::kDataErr, "16-bit ppm");
  EXPECT_NE(msg.find("16-bit"), std::string::npos) << msg;
  expect_error([&] { decode(xr::read_file(fuzz_corpus("pnm16-overflow-regression.ppm")), "f.ppm"); },
               xr::Exit::kDataErr, "fuzz 16-bit ppm");
  // 8-bit RGB and gray+comment PNMs still decode, channels expanded to RGBA.
  const xr::DecodedImage rgb = decode(std::string("P6 # c\n2 1 255\n") + "\x01\x02\x03\x04\x05\x06", "b.ppm");
  EXPECT_EQ(rgb.rgba, (std::vector<uint16_t>{1, 2, 3, 255, 4, 5, 6, 255}));
}
#endif
