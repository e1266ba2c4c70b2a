#include "core/image_io.hpp"

#include <png.h>
#include <zlib.h>

#include <cctype>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "core/jpeg_io.hpp"
#include "core/png_memory.hpp"

#if XR_HAVE_STB
#include <stb/stb_image.h>
#endif

namespace xr {
namespace {

// libpng reports errors by longjmp. Everything that lives across the setjmp is kept
// in a heap struct reached through a pointer, so no automatic variable of the
// function that calls setjmp is modified between setjmp and longjmp (those would be
// indeterminate after the jump), and no C++ frame with destructors is ever jumped
// over (the callbacks of png_memory.hpp neither allocate nor throw).
using ReadState = PngReadState;

// Holds the libpng structs and frees them on every path out, longjmp included.
struct PngReader {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~PngReader() { png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); }
};

// Deflate cannot compress better than about 1032:1, so a file whose header
// promises far more pixel data than its size could hold is rejected before the
// pixel buffer is allocated (a 100-byte file declaring 16000x16000 pixels).
constexpr double kMaxDeflateRatio = 1032.0;
#if XR_HAVE_STB
constexpr double kMaxPixelsPerByte = 4096.0;  // for the formats stb_image reads
#endif

// What decode_steps works on: inputs, the outcome, and the decoded buffer.
struct DecodeJob {
  PngReader reader;
  ReadState state;
  png_uint_32 width = 0, height = 0;
  int bit_depth = 0, color_type = 0, interlace = 0;
  int out_depth = 0;
  enum class Stop { kDone, kTooLarge, kImpossibleSize, kBadLayout } stop = Stop::kDone;
  std::vector<png_bytep> rows;
  std::vector<uint8_t> buffer;
};

// The libpng calls. Returns false when libpng reported an error (job->state.error).
// Only `job` (a pointer, never modified) is live across setjmp.
bool decode_steps(DecodeJob* job) {
  png_structp png = job->reader.png;
  png_infop info = job->reader.info;
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_read_fn(png, &job->state, xr_png_read_memory);
  png_set_user_limits(png, kMaxImageSide, kMaxImageSide);
  png_set_chunk_malloc_max(png, 64u << 20);
  png_read_info(png, info);

  png_get_IHDR(png, info, &job->width, &job->height, &job->bit_depth, &job->color_type, &job->interlace,
               nullptr, nullptr);
  if (static_cast<int64_t>(job->width) * job->height > kMaxImagePixels) {
    job->stop = DecodeJob::Stop::kTooLarge;
    return true;
  }
  // Bytes of filtered image data the header implies (one filter byte a row; an
  // interlaced image has a little more), against what the file could decompress to.
  const double raw_bytes = static_cast<double>(job->height) *
                           (1.0 + std::ceil(static_cast<double>(job->width) * png_get_channels(png, info) *
                                            job->bit_depth / 8.0));
  if (raw_bytes > kMaxDeflateRatio * static_cast<double>(job->state.size) + 1024.0) {
    job->stop = DecodeJob::Stop::kImpossibleSize;
    return true;
  }
  // Everything to RGBA at 8 or 16 bits: palette and low-bit gray expand, tRNS
  // becomes alpha, gray is replicated, an opaque alpha channel is added. No gamma
  // or sBIT transformation: the stored sample values are returned as they are.
  png_set_expand(png);
  png_set_gray_to_rgb(png);
  png_set_add_alpha(png, job->bit_depth == 16 ? 0xffff : 0xff, PNG_FILLER_AFTER);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);

  job->out_depth = png_get_bit_depth(png, info);
  const size_t rowbytes = png_get_rowbytes(png, info);
  if (rowbytes != static_cast<size_t>(job->width) * 4 * (job->out_depth / 8)) {
    job->stop = DecodeJob::Stop::kBadLayout;
    return true;
  }
  job->buffer.resize(rowbytes * job->height);
  job->rows.resize(job->height);
  for (png_uint_32 y = 0; y < job->height; ++y) job->rows[y] = job->buffer.data() + y * rowbytes;
  png_read_image(png, job->rows.data());
  png_read_end(png, nullptr);
  return true;
}

#if XR_HAVE_STB
// stb_image 2.27 mishandles binary PNM (P5 gray, P6 RGB) in two ways checked here
// before it reads one: it does not check that the file holds all the pixels its
// header declares (and returns uninitialised memory for the rest), and it reads
// 16-bit samples (maxval above 255) in the wrong byte order. Throws kDataErr for a
// truncated or 16-bit file; anything else, malformed headers included, is left
// to stb.
void check_pnm(const uint8_t* data, size_t size, const std::string& name) {
  if (size < 3 || data[0] != 'P' || (data[1] != '5' && data[1] != '6')) return;
  size_t pos = 2;
  uint64_t fields[3] = {0, 0, 0};  // width, height, maxval
  for (uint64_t& field : fields) {
    for (;;) {  // whitespace and comments
      while (pos < size && std::isspace(data[pos])) ++pos;
      if (pos < size && data[pos] == '#') {
        while (pos < size && data[pos] != '\n') ++pos;
        continue;
      }
      break;
    }
    if (pos >= size || !std::isdigit(data[pos])) return;  // malformed: stb reports it
    while (pos < size && std::isdigit(data[pos]) && field < (uint64_t{1} << 40)) field = field * 10 + (data[pos++] - '0');
  }
  if (fields[2] > 255) fail_data(name, "16-bit PGM/PPM files are not supported (convert to PNG)");
  // stbi_info has already refused sides beyond kMaxImageSide; this keeps the product
  // below from overflowing whatever the header says.
  if (fields[0] > (uint64_t{1} << 20) || fields[1] > (uint64_t{1} << 20)) return;
  ++pos;  // the single whitespace byte before the pixels
  const uint64_t need = fields[0] * fields[1] * (data[1] == '5' ? 1 : 3);
  if (pos > size || need > size - pos) fail_data(name, "corrupt image (PNM file is truncated)");
}

// stb_image also reads GIF, PSD, Softimage PIC and Radiance HDR. No X-ray set comes in
// them and each is more decoder code for a hostile file to reach, so they are refused
// by their signatures (stb's own tests) before stb sees them; the formats stb still
// reads are BMP, TGA and binary PGM/PPM (and JPEG in a build without libjpeg).
void refuse_unlisted_formats(const uint8_t* data, size_t size, const std::string& name) {
  static const struct {
    const char* signature;
    const char* format;
  } kRefused[] = {{"GIF8", "GIF"}, {"8BPS", "PSD"}, {"\x53\x80\xF6\x34", "PIC"}, {"#?RADIANCE", "HDR"}, {"#?RGBE", "HDR"}};
  for (const auto& r : kRefused) {
    const size_t n = std::strlen(r.signature);
    if (size >= n && std::memcmp(data, r.signature, n) == 0) {
      fail_data(name, std::string(r.format) + " files are not supported (convert to PNG)");
    }
  }
}
#endif

}  // namespace

bool has_png_signature(const uint8_t* data, size_t size) {
  return size >= 8 && png_sig_cmp(const_cast<png_bytep>(data), 0, 8) == 0;
}

DecodedImage decode_png(const uint8_t* data, size_t size, const std::string& name) {
  if (!has_png_signature(data, size)) fail_data(name, "not a PNG file (bad signature)");
  auto job = std::make_unique<DecodeJob>();
  job->state.data = data;
  job->state.size = size;
  PngReader& r = job->reader;
  r.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &job->state, xr_png_on_error, xr_png_on_warning);
  if (!r.png) throw Error(Exit::kSoftware, name, "libpng initialisation failed");
  r.info = png_create_info_struct(r.png);
  if (!r.info) throw Error(Exit::kSoftware, name, "libpng initialisation failed");

  if (!decode_steps(job.get())) fail_data(name, std::string("corrupt PNG (") + job->state.error + ")");
  const std::string dims = std::to_string(job->width) + "x" + std::to_string(job->height);
  switch (job->stop) {
    case DecodeJob::Stop::kTooLarge:
      fail_data(name, "image too large (" + dims + ")");
    case DecodeJob::Stop::kImpossibleSize:
      fail_data(name, "corrupt PNG (header declares " + dims + " pixels, more than the file can hold)");
    case DecodeJob::Stop::kBadLayout:
      fail_data(name, "unexpected PNG row layout");
    case DecodeJob::Stop::kDone:
      break;
  }

  DecodedImage img;
  img.width = static_cast<int>(job->width);
  img.height = static_cast<int>(job->height);
  img.bit_depth = job->out_depth;
  const size_t samples = static_cast<size_t>(job->width) * job->height * 4;
  img.rgba.resize(samples);
  const uint8_t* src = job->buffer.data();
  if (img.bit_depth == 16) {
    // PNG stores 16-bit samples big-endian whatever the host.
    for (size_t i = 0; i < samples; ++i) img.rgba[i] = static_cast<uint16_t>((src[2 * i] << 8) | src[2 * i + 1]);
  } else {
    for (size_t i = 0; i < samples; ++i) img.rgba[i] = src[i];
  }
  return img;
}

DecodedImage decode_image(const uint8_t* data, size_t size, const std::string& name) {
  if (size == 0) fail_data(name, "empty file");
  if (has_png_signature(data, size)) return decode_png(data, size, name);
#if XR_HAVE_JPEG
  if (has_jpeg_signature(data, size)) return decode_jpeg(data, size, name);
#endif
#if XR_HAVE_STB
  refuse_unlisted_formats(data, size, name);
  if (size > static_cast<size_t>(INT32_MAX)) fail_data(name, "image file too large");
  int w = 0, h = 0, n = 0;
  if (!stbi_info_from_memory(data, static_cast<int>(size), &w, &h, &n)) {
    fail_data(name, std::string("not an image this toolkit reads (") + stbi_failure_reason() + ")");
  }
  // stb_image 2.27 accepts a PNM header whose height is not a number as height 0.
  if (w <= 0 || h <= 0) {
    fail_data(name, "corrupt image (size " + std::to_string(w) + "x" + std::to_string(h) + ")");
  }
  if (w > kMaxImageSide || h > kMaxImageSide || static_cast<int64_t>(w) * h > kMaxImagePixels) {
    fail_data(name, "image too large (" + std::to_string(w) + "x" + std::to_string(h) + ")");
  }
  // No format stb reads packs more than a few hundred pixels into a byte (a flat
  // JPEG comes closest), so a tiny file declaring a huge image is corrupt: refuse
  // it before stb allocates the pixels.
  if (static_cast<double>(w) * h > kMaxPixelsPerByte * static_cast<double>(size) + 65536.0) {
    fail_data(name, "corrupt image (header declares " + std::to_string(w) + "x" + std::to_string(h) +
                        " pixels, more than the file can hold)");
  }
  check_pnm(data, size, name);
  // The file's own channels (req_comp 0), expanded to RGBA here: stb 2.27's channel
  // conversion of a 16-bit PGM/PPM writes past its buffer (found by fuzz_core_png;
  // such files are refused above, and with req_comp 0 stb converts nothing anyway).
  int loaded_w = 0, loaded_h = 0;
  stbi_uc* pixels = stbi_load_from_memory(data, static_cast<int>(size), &loaded_w, &loaded_h, &n, 0);
  if (!pixels) fail_data(name, std::string("corrupt image (") + stbi_failure_reason() + ")");
  struct Free {
    stbi_uc* p;
    ~Free() { stbi_image_free(p); }
  } free_pixels{pixels};
  if (loaded_w != w || loaded_h != h || n < 1 || n > 4) {
    fail_data(name, "corrupt image (inconsistent header)");
  }
  DecodedImage img;
  img.width = w;
  img.height = h;
  img.bit_depth = 8;
  const size_t count = static_cast<size_t>(w) * h;
  img.rgba.resize(count * 4);
  for (size_t i = 0; i < count; ++i) {
    const stbi_uc* px = pixels + i * n;
    uint16_t* out = &img.rgba[4 * i];
    if (n <= 2) {  // gray, gray + alpha
      out[0] = out[1] = out[2] = px[0];
      out[3] = n == 2 ? px[1] : 255;
    } else {  // RGB, RGBA
      out[0] = px[0];
      out[1] = px[1];
      out[2] = px[2];
      out[3] = n == 4 ? px[3] : 255;
    }
  }
  return img;
#else
  fail_data(name, "not a PNG file (this build reads other formats only with stb_image)");
#endif
}

DecodedImage read_image(const std::string& path) {
  const std::string bytes = read_file(path);
  return decode_image(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), path);
}

GrayImage to_gray8(const DecodedImage& img) {
  const size_t n = static_cast<size_t>(img.width) * img.height;
  if (img.width < 0 || img.height < 0 || img.rgba.size() != 4 * n) {
    throw Error(Exit::kSoftware, "", "to_gray8: the image's sample count does not match its size");
  }
  GrayImage out(img.width, img.height);
  if (img.bit_depth == 16) {
    for (size_t i = 0; i < n; ++i) out.pixels[i] = static_cast<uint8_t>((img.rgba[4 * i] + 128u) / 257u);
  } else {
    for (size_t i = 0; i < n; ++i) out.pixels[i] = static_cast<uint8_t>(img.rgba[4 * i]);
  }
  return out;
}

GrayImage read_gray8(const std::string& path) {
  const std::string bytes = read_file(path);
  return decode_gray8(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), path);
}

ImageSize read_image_size(const std::string& path) {
  const std::string bytes = read_file(path);
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  if (has_png_signature(data, bytes.size())) {
    // IHDR is the first chunk: 8-byte signature, 4 length, 4 type, then width, height.
    if (bytes.size() < 24 || std::memcmp(data + 12, "IHDR", 4) != 0) fail_data(path, "corrupt PNG (no IHDR)");
    auto be32 = [&](size_t at) {
      return (uint32_t{data[at]} << 24) | (uint32_t{data[at + 1]} << 16) | (uint32_t{data[at + 2]} << 8) |
             data[at + 3];
    };
    const uint32_t w = be32(16), h = be32(20);
    if (w == 0 || h == 0 || w > static_cast<uint32_t>(kMaxImageSide) || h > static_cast<uint32_t>(kMaxImageSide)) {
      fail_data(path, "corrupt PNG or image too large (" + std::to_string(w) + "x" + std::to_string(h) + ")");
    }
    return {static_cast<int>(w), static_cast<int>(h)};
  }
#if XR_HAVE_JPEG
  if (has_jpeg_signature(data, bytes.size())) return jpeg_image_size(data, bytes.size(), path);
#endif
  DecodedImage img = decode_image(data, bytes.size(), path);
  return {img.width, img.height};
}

namespace {

struct WriteState {
  std::string out;
  ReadState err;  // only its error text is used
};

extern "C" void write_to_string(png_structp png, png_bytep data, png_size_t n) {
  auto* state = static_cast<WriteState*>(png_get_io_ptr(png));
  // No C++ exception may cross libpng's C frames: turn bad_alloc into png_error.
  bool ok = true;
  try {
    state->out.append(reinterpret_cast<const char*>(data), n);
  } catch (...) {
    ok = false;
  }
  if (!ok) png_error(png, "out of memory");
}
extern "C" void flush_nothing(png_structp) {}

struct PngWriter {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~PngWriter() { png_destroy_write_struct(&png, info ? &info : nullptr); }
};

// As decode_steps: only the pointers, never modified, live across setjmp.
bool encode_steps(png_structp png, png_infop info, WriteState* state, const GrayImage* img) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_write_fn(png, state, write_to_string, flush_nothing);
  // Paeth predicts X-ray texture well, and after it the residuals are short runs of
  // small values: Z_RLE finds them without deflate's costly match search (3.5x
  // faster than adaptive filters with the default strategy, files 1% smaller on
  // the real 128x128 crops: tests/bench/results/preprocess.md).
  png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_PAETH);
  png_set_compression_level(png, 6);
  png_set_compression_strategy(png, Z_RLE);
  png_set_IHDR(png, info, img->width, img->height, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < img->height; ++y) {
    png_write_row(png, const_cast<png_bytep>(&img->pixels[static_cast<size_t>(y) * img->width]));
  }
  png_write_end(png, nullptr);
  return true;
}

}  // namespace

std::string encode_png_gray8(const GrayImage& img) {
  if (img.empty()) throw Error(Exit::kSoftware, "", "cannot encode an empty image");
  if (img.pixels.size() != static_cast<size_t>(img.width) * img.height) {
    throw Error(Exit::kSoftware, "", "cannot encode an image whose pixel count differs from its size");
  }
  auto state = std::make_unique<WriteState>();
  PngWriter w;
  w.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &state->err, xr_png_on_error, xr_png_on_warning);
  if (w.png) w.info = png_create_info_struct(w.png);
  if (!w.png || !w.info) throw Error(Exit::kSoftware, "", "libpng initialisation failed");
  if (!encode_steps(w.png, w.info, state.get(), &img)) {
    throw Error(Exit::kSoftware, "", std::string("PNG encoding failed (") + state->err.error + ")");
  }
  return std::move(state->out);
}

void write_png_gray8(const std::string& path, const GrayImage& img) {
  write_file_atomic(path, encode_png_gray8(img));
}

}  // namespace xr

extern "C" void xr_png_on_error(png_structp png, png_const_charp msg) {
  if (auto* state = static_cast<xr::PngReadState*>(png_get_error_ptr(png))) {
    std::snprintf(state->error, sizeof state->error, "%s", msg ? msg : "libpng error");
  }
  png_longjmp(png, 1);
}

extern "C" void xr_png_on_warning(png_structp, png_const_charp) {}

extern "C" void xr_png_read_memory(png_structp png, png_bytep out, png_size_t n) {
  auto* state = static_cast<xr::PngReadState*>(png_get_io_ptr(png));
  if (n > state->size - state->pos) png_error(png, "file is truncated");
  std::memcpy(out, state->data + state->pos, n);
  state->pos += n;
}
