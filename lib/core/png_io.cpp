#include "core/png_io.hpp"

#include <png.h>

#include <csetjmp>
#include <cstring>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"

#if XR_HAVE_STB
#include <stb/stb_image.h>
#endif

namespace xr {
namespace {

struct ReadState {
  const uint8_t* data;
  size_t size;
  size_t pos;
  std::string error;
};

extern "C" void on_png_error(png_structp png, png_const_charp msg) {
  auto* state = static_cast<ReadState*>(png_get_error_ptr(png));
  if (state) state->error = msg ? msg : "libpng error";
  png_longjmp(png, 1);
}

extern "C" void on_png_warning(png_structp, png_const_charp) {}

extern "C" void read_from_memory(png_structp png, png_bytep out, png_size_t n) {
  auto* state = static_cast<ReadState*>(png_get_io_ptr(png));
  if (state->pos + n > state->size) png_error(png, "file is truncated");
  std::memcpy(out, state->data + state->pos, n);
  state->pos += n;
}

// Holds the libpng structs and frees them on every path out, longjmp included.
struct PngReader {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~PngReader() { png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); }
};

}  // namespace

bool has_png_signature(const uint8_t* data, size_t size) {
  return size >= 8 && png_sig_cmp(const_cast<png_bytep>(data), 0, 8) == 0;
}

DecodedImage decode_png(const uint8_t* data, size_t size, const std::string& name) {
  if (!has_png_signature(data, size)) fail_data(name, "not a PNG file (bad signature)");
  ReadState state{data, size, 0, ""};
  PngReader r;
  r.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, on_png_error, on_png_warning);
  if (!r.png) throw Error(Exit::kSoftware, name, "libpng initialisation failed");
  r.info = png_create_info_struct(r.png);
  if (!r.info) throw Error(Exit::kSoftware, name, "libpng initialisation failed");

  DecodedImage img;
  // Everything with a destructor is declared before setjmp, so a longjmp out of
  // libpng skips no destructor and leaks nothing.
  std::vector<png_bytep> rows;
  std::vector<uint8_t> buffer;
  if (setjmp(png_jmpbuf(r.png))) {
    fail_data(name, "corrupt PNG (" + state.error + ")");
  }
  png_set_read_fn(r.png, &state, read_from_memory);
  png_set_user_limits(r.png, kMaxImageSide, kMaxImageSide);
  png_set_chunk_malloc_max(r.png, 64u << 20);
  png_read_info(r.png, r.info);

  png_uint_32 width = 0, height = 0;
  int bit_depth = 0, color_type = 0;
  png_get_IHDR(r.png, r.info, &width, &height, &bit_depth, &color_type, nullptr, nullptr, nullptr);
  if (static_cast<int64_t>(width) * height > kMaxImagePixels) {
    fail_data(name, "image too large (" + std::to_string(width) + "x" + std::to_string(height) + ")");
  }
  // Everything to RGBA at 8 or 16 bits: palette and low-bit gray expand, tRNS
  // becomes alpha, gray is replicated, an opaque alpha channel is added.
  png_set_expand(r.png);
  png_set_gray_to_rgb(r.png);
  png_set_add_alpha(r.png, bit_depth == 16 ? 0xffff : 0xff, PNG_FILLER_AFTER);
  if (bit_depth == 16) png_set_swap(r.png);  // host order (little-endian machines)
  png_set_interlace_handling(r.png);
  png_read_update_info(r.png, r.info);

  const int out_depth = png_get_bit_depth(r.png, r.info);
  const size_t rowbytes = png_get_rowbytes(r.png, r.info);
  if (rowbytes != static_cast<size_t>(width) * 4 * (out_depth / 8)) {
    fail_data(name, "unexpected PNG row layout");
  }
  buffer.resize(rowbytes * height);
  rows.resize(height);
  for (png_uint_32 y = 0; y < height; ++y) rows[y] = buffer.data() + y * rowbytes;
  png_read_image(r.png, rows.data());
  png_read_end(r.png, nullptr);

  img.width = static_cast<int>(width);
  img.height = static_cast<int>(height);
  img.bit_depth = out_depth;
  const size_t samples = static_cast<size_t>(width) * height * 4;
  img.rgba.resize(samples);
  if (out_depth == 16) {
    std::memcpy(img.rgba.data(), buffer.data(), samples * 2);
  } else {
    for (size_t i = 0; i < samples; ++i) img.rgba[i] = buffer[i];
  }
  return img;
}

DecodedImage decode_image(const uint8_t* data, size_t size, const std::string& name) {
  if (size == 0) fail_data(name, "empty file");
  if (has_png_signature(data, size)) return decode_png(data, size, name);
#if XR_HAVE_STB
  int w = 0, h = 0, n = 0;
  if (!stbi_info_from_memory(data, static_cast<int>(size), &w, &h, &n)) {
    fail_data(name, std::string("unreadable image (") + stbi_failure_reason() + ")");
  }
  if (w > kMaxImageSide || h > kMaxImageSide || static_cast<int64_t>(w) * h > kMaxImagePixels) {
    fail_data(name, "image too large (" + std::to_string(w) + "x" + std::to_string(h) + ")");
  }
  stbi_uc* pixels = stbi_load_from_memory(data, static_cast<int>(size), &w, &h, &n, 4);
  if (!pixels) fail_data(name, std::string("unreadable image (") + stbi_failure_reason() + ")");
  DecodedImage img;
  img.width = w;
  img.height = h;
  img.bit_depth = 8;
  img.rgba.assign(pixels, pixels + static_cast<size_t>(w) * h * 4);
  stbi_image_free(pixels);
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
  GrayImage out(img.width, img.height);
  const size_t n = static_cast<size_t>(img.width) * img.height;
  if (img.bit_depth == 16) {
    for (size_t i = 0; i < n; ++i) out.pixels[i] = static_cast<uint8_t>((img.rgba[4 * i] + 128u) / 257u);
  } else {
    for (size_t i = 0; i < n; ++i) out.pixels[i] = static_cast<uint8_t>(img.rgba[4 * i]);
  }
  return out;
}

GrayImage read_gray8(const std::string& path) { return to_gray8(read_image(path)); }

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
    return {static_cast<int>(be32(16)), static_cast<int>(be32(20))};
  }
  DecodedImage img = decode_image(data, bytes.size(), path);
  return {img.width, img.height};
}

namespace {
extern "C" void write_to_string(png_structp png, png_bytep data, png_size_t n) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), n);
}
extern "C" void flush_nothing(png_structp) {}
}  // namespace

std::string encode_png_gray8(const GrayImage& img) {
  if (img.empty()) throw Error(Exit::kSoftware, "", "cannot encode an empty image");
  std::string out;
  ReadState err{nullptr, 0, 0, ""};
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &err, on_png_error, on_png_warning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info) {
    png_destroy_write_struct(&png, &info);
    throw Error(Exit::kSoftware, "", "libpng initialisation failed");
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    throw Error(Exit::kSoftware, "", "PNG encoding failed (" + err.error + ")");
  }
  png_set_write_fn(png, &out, write_to_string, flush_nothing);
  // Level 6 with adaptive filters: near-minimal files at a fraction of level 9's time.
  png_set_compression_level(png, 6);
  png_set_IHDR(png, info, img.width, img.height, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < img.height; ++y) {
    png_write_row(png, const_cast<png_bytep>(&img.pixels[static_cast<size_t>(y) * img.width]));
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

void write_png_gray8(const std::string& path, const GrayImage& img) {
  write_file_atomic(path, encode_png_gray8(img));
}

}  // namespace xr
