// Internal to core: the libpng callbacks shared by the general PNG decoder
// (image_io.cpp), the gray fast path (png_gray.cpp) and the encoder. libpng reports
// errors by longjmp; the callbacks are C functions that neither allocate nor throw,
// and keep libpng's message in a fixed buffer of the state.
#pragma once
#include <png.h>

#include <cstddef>
#include <cstdint>

namespace xr {

// Everything a decode keeps across setjmp: the input, the read position, the message.
struct PngReadState {
  const uint8_t* data = nullptr;
  size_t size = 0;
  size_t pos = 0;
  char error[200] = "";
};

}  // namespace xr

extern "C" {
// Error pointer: a PngReadState* (its `error` receives the message) or null.
void xr_png_on_error(png_structp png, png_const_charp msg);
void xr_png_on_warning(png_structp png, png_const_charp msg);  // warnings are ignored
// I/O pointer: a PngReadState*; reading past its end is the error "file is truncated".
void xr_png_read_memory(png_structp png, png_bytep out, png_size_t n);
}
