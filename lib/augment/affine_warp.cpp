#include "augment/affine_warp.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace xr::augment {
namespace {

// Coordinates are start + c * step in single precision: they stay below 2^15
// (kMaxImageSide), so each is within 0.004 px of the exact value (one rounding of the
// product, one of the sum), and within 1e-5 px at the toolkit's 128 x 128.
//
// Edge replication without a branch: the point is clamped into [0, n-1], and the
// left/top neighbour index into [0, n-2], so its right/bottom neighbour always
// exists; on the last column this gives x0 = n-2 with weight fx = 1 exactly, which
// is the edge pixel exactly. The scalar and SSE2 loops below do the same float
// operations in the same order, so every pixel is the same whichever computes it.

struct RowSetup {
  const uint8_t* src;
  int w, h;
  float y, x, dy, dx, gain;
};

inline uint8_t sample_one(const RowSetup& s, int c) {
  const float cf = static_cast<float>(c);
  const float yy = std::min(std::max(s.y + s.dy * cf, 0.0f), static_cast<float>(s.h - 1));
  const float xx = std::min(std::max(s.x + s.dx * cf, 0.0f), static_cast<float>(s.w - 1));
  const int y0 = std::min(static_cast<int>(yy), s.h - 2);
  const int x0 = std::min(static_cast<int>(xx), s.w - 2);
  const float fy = yy - static_cast<float>(y0);
  const float fx = xx - static_cast<float>(x0);
  const uint8_t* p = s.src + static_cast<ptrdiff_t>(y0) * s.w + x0;
  const float p00 = p[0], p01 = p[1], p10 = p[s.w], p11 = p[s.w + 1];
  const float top = p00 + fx * (p01 - p00);
  const float bottom = p10 + fx * (p11 - p10);
  float v = (top + fy * (bottom - top)) * s.gain + 0.5f;
  v = std::min(std::max(v, 0.0f), 255.0f);
  return static_cast<uint8_t>(v);
}

void warp_row(const RowSetup& s, uint8_t* dst) {
  int c = 0;
#if defined(__SSE2__)
  // Four pixels at a time: coordinates, weights and blending in SSE2 (the x86-64
  // baseline, so no special build flags); the four neighbours of each pixel are read
  // as two 16-bit loads (left and right neighbours are adjacent bytes).
  const __m128 zero = _mm_setzero_ps();
  const __m128 max_y = _mm_set1_ps(static_cast<float>(s.h - 1));
  const __m128 max_x = _mm_set1_ps(static_cast<float>(s.w - 1));
  const __m128i last_y0 = _mm_set1_epi32(s.h - 2);
  const __m128i last_x0 = _mm_set1_epi32(s.w - 2);
  const __m128 y_start = _mm_set1_ps(s.y), x_start = _mm_set1_ps(s.x);
  const __m128 dy = _mm_set1_ps(s.dy), dx = _mm_set1_ps(s.dx);
  const __m128 gain = _mm_set1_ps(s.gain), half = _mm_set1_ps(0.5f), top_value = _mm_set1_ps(255.0f);
  const __m128i low_byte = _mm_set1_epi32(0xff);
  const __m128i width = _mm_set1_epi32(s.w);
  const __m128 lane = _mm_set_ps(3.0f, 2.0f, 1.0f, 0.0f);
  alignas(16) int32_t index[4];
  // madd below multiplies signed 16-bit halves: widths of 2^15 (the largest the
  // reader accepts) take the scalar loop.
  const int vector_end = s.w < 32768 ? s.w : 0;
  for (; c + 4 <= vector_end; c += 4) {
    const __m128 cf = _mm_add_ps(_mm_set1_ps(static_cast<float>(c)), lane);
    const __m128 yy = _mm_min_ps(_mm_max_ps(_mm_add_ps(y_start, _mm_mul_ps(dy, cf)), zero), max_y);
    const __m128 xx = _mm_min_ps(_mm_max_ps(_mm_add_ps(x_start, _mm_mul_ps(dx, cf)), zero), max_x);
    __m128i y0 = _mm_cvttps_epi32(yy), x0 = _mm_cvttps_epi32(xx);
    // min for int32 is SSE4.1; a compare and blend does it in SSE2.
    const __m128i y_over = _mm_cmpgt_epi32(y0, last_y0), x_over = _mm_cmpgt_epi32(x0, last_x0);
    y0 = _mm_or_si128(_mm_and_si128(y_over, last_y0), _mm_andnot_si128(y_over, y0));
    x0 = _mm_or_si128(_mm_and_si128(x_over, last_x0), _mm_andnot_si128(x_over, x0));
    const __m128 fy = _mm_sub_ps(yy, _mm_cvtepi32_ps(y0));
    const __m128 fx = _mm_sub_ps(xx, _mm_cvtepi32_ps(x0));
    // y0 * w + x0: y0, x0 and w are below 2^15, so the signed 16x16 products of
    // madd are exact (the high halves of the 32-bit lanes are zero).
    const __m128i row = _mm_madd_epi16(y0, width);
    _mm_store_si128(reinterpret_cast<__m128i*>(index), _mm_add_epi32(row, x0));
    uint16_t t[4], b[4];
    for (int k = 0; k < 4; ++k) {
      std::memcpy(&t[k], s.src + index[k], 2);
      std::memcpy(&b[k], s.src + index[k] + s.w, 2);
    }
    const __m128i top_pair = _mm_set_epi32(t[3], t[2], t[1], t[0]);
    const __m128i bottom_pair = _mm_set_epi32(b[3], b[2], b[1], b[0]);
    // Little-endian: the low byte is the left neighbour.
    const __m128 p00 = _mm_cvtepi32_ps(_mm_and_si128(top_pair, low_byte));
    const __m128 p01 = _mm_cvtepi32_ps(_mm_srli_epi32(top_pair, 8));
    const __m128 p10 = _mm_cvtepi32_ps(_mm_and_si128(bottom_pair, low_byte));
    const __m128 p11 = _mm_cvtepi32_ps(_mm_srli_epi32(bottom_pair, 8));
    const __m128 top = _mm_add_ps(p00, _mm_mul_ps(fx, _mm_sub_ps(p01, p00)));
    const __m128 bottom = _mm_add_ps(p10, _mm_mul_ps(fx, _mm_sub_ps(p11, p10)));
    __m128 v = _mm_add_ps(_mm_mul_ps(_mm_add_ps(top, _mm_mul_ps(fy, _mm_sub_ps(bottom, top))), gain), half);
    v = _mm_min_ps(_mm_max_ps(v, zero), top_value);
    const __m128i vi = _mm_cvttps_epi32(v);
    const __m128i packed = _mm_packus_epi16(_mm_packs_epi32(vi, vi), _mm_setzero_si128());
    const int32_t four = _mm_cvtsi128_si32(packed);
    std::memcpy(dst + c, &four, 4);
  }
#endif
  for (; c < s.w; ++c) dst[c] = sample_one(s, c);
}

// Images one pixel wide or high have no neighbour to interpolate with along that
// axis: the weight there is irrelevant, so read the same pixel twice.
uint8_t sample_thin(const GrayImage& in, double y, double x, float gain) {
  const int w = in.width, h = in.height;
  const float yy = std::min(std::max(static_cast<float>(y), 0.0f), static_cast<float>(h - 1));
  const float xx = std::min(std::max(static_cast<float>(x), 0.0f), static_cast<float>(w - 1));
  const int y0 = static_cast<int>(yy), x0 = static_cast<int>(xx);
  const int y1 = std::min(y0 + 1, h - 1), x1 = std::min(x0 + 1, w - 1);
  const float fy = yy - static_cast<float>(y0), fx = xx - static_cast<float>(x0);
  const float p00 = in.at(x0, y0), p01 = in.at(x1, y0), p10 = in.at(x0, y1), p11 = in.at(x1, y1);
  const float top = p00 + fx * (p01 - p00);
  const float bottom = p10 + fx * (p11 - p10);
  float v = (top + fy * (bottom - top)) * gain + 0.5f;
  return static_cast<uint8_t>(std::min(std::max(v, 0.0f), 255.0f));
}

}  // namespace

void warp_affine_bilinear(const GrayImage& in, const AffineMap& map, double gain, GrayImage& out) {
  const int w = in.width, h = in.height;
  if (out.width != w || out.height != h) out = GrayImage(w, h);
  if (in.empty()) return;
  const double(&m)[2][2] = map.matrix;
  const float gain_f = static_cast<float>(gain);
  for (int r = 0; r < h; ++r) {
    const double y0 = m[0][0] * r + map.offset[0];
    const double x0 = m[1][0] * r + map.offset[1];
    uint8_t* dst = out.pixels.data() + static_cast<size_t>(r) * w;
    if (w < 2 || h < 2) {
      for (int c = 0; c < w; ++c) dst[c] = sample_thin(in, y0 + m[0][1] * c, x0 + m[1][1] * c, gain_f);
      continue;
    }
    const RowSetup s{in.pixels.data(), w, h, static_cast<float>(y0), static_cast<float>(x0),
                     static_cast<float>(m[0][1]), static_cast<float>(m[1][1]), gain_f};
    warp_row(s, dst);
  }
}

GrayImage warp_affine_bilinear(const GrayImage& in, const AffineMap& map, double gain) {
  GrayImage out;
  warp_affine_bilinear(in, map, gain, out);
  return out;
}

}  // namespace xr::augment
