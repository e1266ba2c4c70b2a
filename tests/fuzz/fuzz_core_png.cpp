// libFuzzer target: xr::decode_image (libpng, and stb_image for other formats) on
// arbitrary bytes. Any outcome but a decoded image or xr::Error is a bug: a crash,
// a sanitizer report, a leak, another exception, or an inconsistent result.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/errors.hpp"
#include "core/image_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const xr::DecodedImage img = xr::decode_image(data, size, "fuzz");
    if (img.width <= 0 || img.height <= 0 || (img.bit_depth != 8 && img.bit_depth != 16) ||
        img.rgba.size() != static_cast<size_t>(img.width) * img.height * 4) {
      std::abort();
    }
    const xr::GrayImage gray = xr::to_gray8(img);
    if (gray.pixels.size() != static_cast<size_t>(img.width) * img.height) std::abort();
  } catch (const xr::Error& e) {
    if (e.code() != xr::Exit::kDataErr) std::abort();
  }
  return 0;
}
