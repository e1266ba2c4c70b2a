// JPEG decoding through libjpeg-turbo (Debian's libjpeg62-turbo), where the build has
// it. Many public chest X-ray sets are JPEG files; libjpeg-turbo is the decoder that
// every browser and OSS-Fuzz exercise, where stb_image 2.27's JPEG decoder reads out
// of bounds on some corrupt files (tests/fuzz/README.md).
//
// What is returned: the decoder's 8-bit samples with its default settings (accurate
// integer IDCT, smooth chroma up-sampling), gray files as gray, every other colour
// space converted to RGB by libjpeg. Progressive and arithmetic-coded files are read;
// 12-bit and lossless JPEG are refused. Corrupt data (libjpeg's fatal errors and its
// warnings about corrupt or truncated data alike) throws xr::Error(kDataErr): a
// half-decoded X-ray is not a training image.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/image_io.hpp"

namespace xr {

// The start-of-image marker FF D8, after any number of FF fill bytes: exactly what
// stb_image takes for a JPEG (found by fuzzing: it skips leading fill bytes where
// libjpeg does not). Everything that matches goes to libjpeg, which refuses the fill
// bytes, so that stb's JPEG decoder never sees a file when libjpeg is there.
bool has_jpeg_signature(const uint8_t* data, size_t size);

#if XR_HAVE_JPEG
DecodedImage decode_jpeg(const uint8_t* data, size_t size, const std::string& name);
// The size from the header, with the same refusals as decode_jpeg's header checks.
ImageSize jpeg_image_size(const uint8_t* data, size_t size, const std::string& name);
#endif

}  // namespace xr
