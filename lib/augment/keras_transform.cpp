#include "augment/keras_transform.hpp"

#include <cmath>

#include "core/csv.hpp"
#include "core/errors.hpp"

namespace xr::augment {
namespace {

constexpr double kPi = 3.14159265358979323846;

struct Mat3 {
  double a[3][3];
};

Mat3 identity() { return {{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}}; }

Mat3 operator*(const Mat3& x, const Mat3& y) {
  Mat3 z{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) z.a[i][j] += x.a[i][k] * y.a[k][j];
  return z;
}

// U(-r, r), with r == 0 giving exactly 0 (not -0) but still consuming its draw.
double symmetric(Rng& rng, double r) {
  const double v = rng.uniform(-r, r);
  return r == 0.0 ? 0.0 : v;
}

void require(bool ok, const std::string& option, double value, const std::string& rule) {
  if (!ok) fail_usage(option + " must be " + rule + " (" + format_number(value) + ")");
}

}  // namespace

void validate_ranges(const AugmentRanges& r) {
  require(r.rotation_deg >= 0 && r.rotation_deg <= 180, "--rotation", r.rotation_deg, "in [0, 180] degrees");
  require(r.width_shift >= 0 && r.width_shift < 1, "--width-shift", r.width_shift, "a fraction in [0, 1)");
  require(r.height_shift >= 0 && r.height_shift < 1, "--height-shift", r.height_shift, "a fraction in [0, 1)");
  require(r.shear >= 0 && r.shear < 1, "--shear", r.shear, "a shear factor in [0, 1)");
  require(r.zoom_lo > 0 && r.zoom_lo <= r.zoom_hi, "--zoom-range", r.zoom_lo, "positive and not above the upper end");
  require(r.zoom_hi <= 100, "--zoom-range", r.zoom_hi, "at most 100");
  require(r.brightness_lo >= 0 && r.brightness_lo <= r.brightness_hi, "--brightness-range", r.brightness_lo,
          "non-negative and not above the upper end");
  require(r.brightness_hi <= 100, "--brightness-range", r.brightness_hi, "at most 100");
}

double shear_degrees_for(double factor) { return std::asin(factor) * 180.0 / kPi; }

AugmentParams draw_params(const AugmentRanges& r, int width, int height, Rng& rng) {
  AugmentParams p;
  p.rotation_deg = symmetric(rng, r.rotation_deg);
  p.shift_rows = symmetric(rng, r.height_shift) * height;
  p.shift_cols = symmetric(rng, r.width_shift) * width;
  p.shear_deg = symmetric(rng, shear_degrees_for(r.shear));
  p.zoom_rows = rng.uniform(r.zoom_lo, r.zoom_hi);
  p.zoom_cols = rng.uniform(r.zoom_lo, r.zoom_hi);
  p.brightness = rng.uniform(r.brightness_lo, r.brightness_hi);
  return p;
}

AffineMap keras_affine(const AugmentParams& p, int width, int height) {
  const double theta = p.rotation_deg * kPi / 180.0;
  const double shear = p.shear_deg * kPi / 180.0;
  const Mat3 rotation{{{std::cos(theta), -std::sin(theta), 0}, {std::sin(theta), std::cos(theta), 0}, {0, 0, 1}}};
  const Mat3 shift{{{1, 0, p.shift_rows}, {0, 1, p.shift_cols}, {0, 0, 1}}};
  const Mat3 shear_m{{{1, -std::sin(shear), 0}, {0, std::cos(shear), 0}, {0, 0, 1}}};
  const Mat3 zoom{{{p.zoom_rows, 0, 0}, {0, p.zoom_cols, 0}, {0, 0, 1}}};
  const double o_r = height / 2.0 - 0.5, o_c = width / 2.0 - 0.5;
  Mat3 to_centre = identity(), from_centre = identity();
  to_centre.a[0][2] = o_r;
  to_centre.a[1][2] = o_c;
  from_centre.a[0][2] = -o_r;
  from_centre.a[1][2] = -o_c;
  const Mat3 m = to_centre * (rotation * shift * shear_m * zoom) * from_centre;
  AffineMap map;
  for (int i = 0; i < 2; ++i) {
    map.matrix[i][0] = m.a[i][0];
    map.matrix[i][1] = m.a[i][1];
    map.offset[i] = m.a[i][2];
  }
  return map;
}

GrayImage augment_image(const GrayImage& in, const AugmentParams& p) {
  return warp_affine_bilinear(in, keras_affine(p, in.width, in.height), p.brightness);
}

}  // namespace xr::augment
