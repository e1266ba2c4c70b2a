// The gray fast path of read_gray8: 8-bit-or-less PNGs decode straight to their
// first channel (libpng expands palette and low-bit gray, nothing else) instead of
// to RGBA and back, which is most of the decode time of an X-ray. 16-bit and large
// PNGs, other formats and every corrupt file go through the general decoder, so
// pixels, messages and exit codes are the same (tests/unit/core/test_png_gray.cpp
// checks every PngSuite file).
#include <png.h>

#include <csetjmp>
#include <memory>
#include <vector>

#include "core/errors.hpp"
#include "core/image_io.hpp"
#include "core/png_memory.hpp"

namespace xr {
namespace {

// libpng reports errors by longjmp: everything live across setjmp sits in this
// struct, reached through one pointer that is never modified, and the callbacks
// neither allocate nor throw.
struct FastJob {
  PngReadState state;
  png_structp png = nullptr;
  png_infop info = nullptr;
  bool fallback = false;  // not for the fast path: hand over to the general decoder
  GrayImage out;
  std::vector<uint8_t> buffer;
  std::vector<png_bytep> rows;
  ~FastJob() { png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); }
};

// Returns false on any libpng error (the caller then lets the general decoder
// produce the message). Only `job` is live across setjmp.
bool fast_steps(FastJob* job) {
  if (setjmp(png_jmpbuf(job->png))) return false;
  png_set_read_fn(job->png, &job->state, xr_png_read_memory);
  png_set_user_limits(job->png, kMaxImageSide, kMaxImageSide);
  png_set_chunk_malloc_max(job->png, 64u << 20);
  png_read_info(job->png, job->info);
  png_uint_32 width = 0, height = 0;
  int bit_depth = 0, color_type = 0, interlace = 0;
  png_get_IHDR(job->png, job->info, &width, &height, &bit_depth, &color_type, &interlace, nullptr, nullptr);
  // Large or 16-bit images take the general path, with its checks and rounding, and
  // so does a header promising more pixel data than deflate (at most ~1032:1) could
  // hold in this file: no pixel buffer is allocated on a hostile header's word.
  const double raw_bytes = static_cast<double>(height) * (1.0 + static_cast<double>(width) * 4.0);
  if (bit_depth > 8 || static_cast<int64_t>(width) * height > (int64_t{1} << 24) ||
      raw_bytes > 1032.0 * static_cast<double>(job->state.size) + 1024.0) {
    job->fallback = true;
    return true;
  }
  // The same expansions as the general decoder (palette to RGB, low-bit gray to
  // 8 bits by replication), without the gray-to-RGB copy and the added alpha.
  png_set_expand(job->png);
  png_set_interlace_handling(job->png);
  png_read_update_info(job->png, job->info);
  const int channels = png_get_channels(job->png, job->info);
  const size_t rowbytes = png_get_rowbytes(job->png, job->info);
  if (png_get_bit_depth(job->png, job->info) != 8 || rowbytes != static_cast<size_t>(width) * channels) {
    job->fallback = true;
    return true;
  }
  job->out = GrayImage(static_cast<int>(width), static_cast<int>(height));
  job->rows.resize(height);
  if (channels == 1) {
    for (png_uint_32 y = 0; y < height; ++y) job->rows[y] = &job->out.pixels[static_cast<size_t>(y) * width];
    png_read_image(job->png, job->rows.data());
  } else {
    job->buffer.resize(rowbytes * height);
    for (png_uint_32 y = 0; y < height; ++y) job->rows[y] = job->buffer.data() + y * rowbytes;
    png_read_image(job->png, job->rows.data());
    const size_t n = static_cast<size_t>(width) * height;
    for (size_t i = 0; i < n; ++i) job->out.pixels[i] = job->buffer[i * channels];
  }
  png_read_end(job->png, nullptr);
  return true;
}

}  // namespace

GrayImage decode_gray8(const uint8_t* data, size_t size, const std::string& name) {
  if (has_png_signature(data, size)) {
    auto job = std::make_unique<FastJob>();
    job->state.data = data;
    job->state.size = size;
    job->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &job->state, xr_png_on_error, xr_png_on_warning);
    if (job->png) job->info = png_create_info_struct(job->png);
    if (job->info && fast_steps(job.get()) && !job->fallback) return std::move(job->out);
  }
  return to_gray8(decode_image(data, size, name));
}

}  // namespace xr
