#include "core/jpeg_io.hpp"

#include "core/errors.hpp"

#if XR_HAVE_JPEG
#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE
#include <memory>
#include <vector>

#include <jerror.h>
#include <jpeglib.h>
#endif

namespace xr {

bool has_jpeg_signature(const uint8_t* data, size_t size) {
  size_t i = 0;
  while (i < size && data[i] == 0xFF) ++i;
  return i >= 1 && i < size && data[i] == 0xD8;
}

#if XR_HAVE_JPEG
namespace {

// A progressive file may hold any number of scans, each a pass over the whole
// coefficient buffer; a hostile one uses thousands to burn CPU time. Real encoders
// write about ten (libjpeg-turbo's own djpeg offers the same kind of limit).
constexpr int kMaxScans = 500;
// A flat 8x8 block costs a baseline encoder at least two bits, so no JPEG of any
// size holds much more than 256 pixels a byte; the allowance below is generous (an
// arithmetic-coded flat image can do better) and still stops a 100-byte file from
// declaring a 2^28-pixel image before the decoder allocates for it.
constexpr double kMaxPixelsPerByte = 4096.0;

// libjpeg reports errors by calling error_exit, which must not return: it longjmps
// back into decode_steps. As in image_io.cpp, everything that lives across the setjmp
// is in this heap struct, reached through a pointer that is never modified, and the
// callbacks are C-style functions that neither allocate nor throw.
struct JpegJob {
  jpeg_decompress_struct cinfo{};
  jpeg_error_mgr err{};
  jpeg_progress_mgr progress{};
  std::jmp_buf jump{};
  bool created = false;
  char message[JMSG_LENGTH_MAX] = "";
  const uint8_t* data = nullptr;
  size_t size = 0;
  bool header_only = false;  // stop after the header's checks (read_image_size)
  enum class Stop { kDone, kTooLarge, kImpossibleSize, kColourSpace } stop = Stop::kDone;
  std::vector<uint8_t> pixels;  // height rows of width * components samples
  ~JpegJob() {
    if (created) jpeg_destroy_decompress(&cinfo);
  }
};

JpegJob* job_of(j_common_ptr cinfo) { return static_cast<JpegJob*>(cinfo->client_data); }

extern "C" void on_jpeg_error(j_common_ptr cinfo) {
  JpegJob* job = job_of(cinfo);
  (*cinfo->err->format_message)(cinfo, job->message);
  std::longjmp(job->jump, 1);
}

// Warnings (level -1) about corrupt or missing data stop the decode: libjpeg would go
// on and fill the damaged part with gray. Harmless ones (an unknown JFIF revision or
// Adobe transform code, a bad ICC marker, which is not used) are let through; trace
// messages (level >= 0) are ignored.
extern "C" void on_jpeg_message(j_common_ptr cinfo, int level) {
  if (level >= 0) return;
  const int code = cinfo->err->msg_code;
  if (code == JWRN_JFIF_MAJOR || code == JWRN_ADOBE_XFORM || code == JWRN_BOGUS_ICC) return;
  on_jpeg_error(cinfo);
}

extern "C" void on_jpeg_progress(j_common_ptr cinfo) {
  if (cinfo->is_decompressor) {
    auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
    if (d->inputctl && d->input_scan_number > kMaxScans) {
      std::snprintf(job_of(cinfo)->message, JMSG_LENGTH_MAX, "more than %d scans", kMaxScans);
      std::longjmp(job_of(cinfo)->jump, 1);
    }
  }
}

// The libjpeg calls. Returns false when libjpeg reported an error (job->message).
// Only `job` (a pointer, never modified) is live across setjmp.
bool decode_steps(JpegJob* job) {
  j_decompress_ptr cinfo = &job->cinfo;
  cinfo->err = jpeg_std_error(&job->err);
  job->err.error_exit = on_jpeg_error;
  job->err.emit_message = on_jpeg_message;
  cinfo->client_data = job;
  if (setjmp(job->jump)) return false;
  jpeg_create_decompress(cinfo);
  job->created = true;
  job->progress.progress_monitor = on_jpeg_progress;
  cinfo->progress = &job->progress;
  jpeg_mem_src(cinfo, job->data, static_cast<unsigned long>(job->size));
  jpeg_read_header(cinfo, TRUE);

  const double pixels = static_cast<double>(cinfo->image_width) * cinfo->image_height;
  if (cinfo->image_width > static_cast<unsigned>(kMaxImageSide) ||
      cinfo->image_height > static_cast<unsigned>(kMaxImageSide) || pixels > static_cast<double>(kMaxImagePixels)) {
    job->stop = JpegJob::Stop::kTooLarge;
    return true;
  }
  if (pixels > kMaxPixelsPerByte * static_cast<double>(job->size) + 65536.0) {
    job->stop = JpegJob::Stop::kImpossibleSize;
    return true;
  }
  switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE:
      cinfo->out_color_space = JCS_GRAYSCALE;
      break;
    case JCS_YCbCr:
    case JCS_RGB:
      cinfo->out_color_space = JCS_RGB;
      break;
    default:  // CMYK, YCCK: libjpeg does not convert them to RGB
      job->stop = JpegJob::Stop::kColourSpace;
      return true;
  }
  if (job->header_only) return true;
  jpeg_start_decompress(cinfo);
  const size_t row_bytes = static_cast<size_t>(cinfo->output_width) * cinfo->output_components;
  job->pixels.resize(row_bytes * cinfo->output_height);
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = job->pixels.data() + row_bytes * cinfo->output_scanline;
    jpeg_read_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_decompress(cinfo);
  return true;
}

// Runs the decode (or only the header's part) and turns every refusal into kDataErr.
std::unique_ptr<JpegJob> run_job(const uint8_t* data, size_t size, const std::string& name, bool header_only) {
  if (!has_jpeg_signature(data, size)) fail_data(name, "not a JPEG file (bad signature)");
  auto job = std::make_unique<JpegJob>();
  job->data = data;
  job->size = size;
  job->header_only = header_only;
  if (!decode_steps(job.get())) fail_data(name, std::string("corrupt JPEG (") + job->message + ")");
  const jpeg_decompress_struct& c = job->cinfo;
  const std::string dims = std::to_string(c.image_width) + "x" + std::to_string(c.image_height);
  switch (job->stop) {
    case JpegJob::Stop::kTooLarge:
      fail_data(name, "image too large (" + dims + ")");
    case JpegJob::Stop::kImpossibleSize:
      fail_data(name, "corrupt JPEG (header declares " + dims + " pixels, more than the file can hold)");
    case JpegJob::Stop::kColourSpace:
      fail_data(name, "CMYK/YCCK JPEG files are not supported (convert to gray PNG)");
    case JpegJob::Stop::kDone:
      break;
  }
  return job;
}

}  // namespace

ImageSize jpeg_image_size(const uint8_t* data, size_t size, const std::string& name) {
  const auto job = run_job(data, size, name, true);
  return {static_cast<int>(job->cinfo.image_width), static_cast<int>(job->cinfo.image_height)};
}

DecodedImage decode_jpeg(const uint8_t* data, size_t size, const std::string& name) {
  const auto job = run_job(data, size, name, false);
  const jpeg_decompress_struct& c = job->cinfo;
  DecodedImage img;
  img.width = static_cast<int>(c.output_width);
  img.height = static_cast<int>(c.output_height);
  img.bit_depth = 8;
  const int n = c.output_components;
  const size_t count = static_cast<size_t>(img.width) * img.height;
  if (job->pixels.size() != count * n || (n != 1 && n != 3)) fail_data(name, "corrupt JPEG (inconsistent output)");
  img.rgba.resize(count * 4);
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* px = job->pixels.data() + i * n;
    uint16_t* out = &img.rgba[4 * i];
    out[0] = px[0];
    out[1] = n == 3 ? px[1] : px[0];
    out[2] = n == 3 ? px[2] : px[0];
    out[3] = 255;
  }
  return img;
}
#endif

}  // namespace xr
