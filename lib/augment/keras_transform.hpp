// The paper's classical augmentation with Keras ImageDataGenerator semantics: the
// random parameters (get_random_transform), the affine map they compose to
// (apply_affine_transform: rotation, shift, shear, zoom about the image centre), and
// the brightness factor, applied in one resampling.
//
// Keras names the row-axis shift "tx" and the row-axis zoom "zx"; here the names say
// the axis: shift_rows/zoom_rows are vertical, shift_cols/zoom_cols horizontal.
#pragma once
#include <string>

#include "augment/affine_warp.hpp"
#include "core/image.hpp"
#include "core/rng.hpp"

namespace xr::augment {

// Ranges of the random parameters; the defaults are the paper's.
struct AugmentRanges {
  double rotation_deg = 5.0;   // angle ~ U(-r, r) degrees
  double width_shift = 0.05;   // column shift ~ U(-s, s) * width (pixels)
  double height_shift = 0.05;  // row shift ~ U(-s, s) * height (pixels)
  // The paper's "stretch up to 5%" as a shear FACTOR: the Keras shear matrix
  // [[1, -sin a], [0, cos a]] (row, col) moves a pixel vertically by sin(a) times its
  // horizontal distance from the centre, so a ~ U(-asin(f), asin(f)) keeps that
  // displacement within f = 5% of the distance. Keras' own shear_range is the angle in degrees (shear_range=0.05
  // would be 0.05 degrees, a displacement of 0.09%); shear_degrees_for() converts.
  double shear = 0.05;
  double zoom_lo = 0.85, zoom_hi = 1.15;          // each axis ~ U(lo, hi), independently
  double brightness_lo = 0.6, brightness_hi = 1.4;  // factor ~ U(lo, hi)
};

// Throws xr::Error(kUsage) naming the first range out of its domain.
void validate_ranges(const AugmentRanges& ranges);

// The largest shear angle, in degrees, for a shear factor: asin(factor).
double shear_degrees_for(double factor);

// One draw of the random parameters.
struct AugmentParams {
  double rotation_deg = 0.0;
  double shift_rows = 0.0;  // pixels (Keras tx)
  double shift_cols = 0.0;  // pixels (Keras ty)
  double shear_deg = 0.0;
  double zoom_rows = 1.0;   // Keras zx
  double zoom_cols = 1.0;   // Keras zy
  double brightness = 1.0;
};

// Draws in Keras' order (rotation, row shift, column shift, shear, row zoom, column
// zoom, brightness), always all seven, so that changing one range (even to 0) leaves
// the other parameters of the same seed unchanged.
AugmentParams draw_params(const AugmentRanges& ranges, int width, int height, Rng& rng);

// Keras' composition R(theta) T(shift) S(shear) Z(zoom), in (row, col) coordinates,
// output to input, moved to pivot on the image centre ((h-1)/2, (w-1)/2) - the
// centre of current keras-preprocessing; earlier releases used (h/2+0.5, w/2+0.5),
// one pixel off.
AffineMap keras_affine(const AugmentParams& params, int width, int height);

// warp_affine_bilinear(in, keras_affine(params), params.brightness).
GrayImage augment_image(const GrayImage& in, const AugmentParams& params);

}  // namespace xr::augment
