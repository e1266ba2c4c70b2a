// One bilinear resampling of an image through an affine map, with the border filled
// by repeating the edge pixels: the geometric core of classical augmentation. The
// map follows scipy.ndimage.affine_transform exactly (order=1, mode='nearest'), so
// that library is the reference the tests compare against.
#pragma once
#include "core/image.hpp"

namespace xr::augment {

// Maps OUTPUT pixel coordinates to INPUT coordinates, both as (row, col) with pixel
// centres at integers, as scipy.ndimage.affine_transform does:
//   input = matrix * (row, col) + offset.
struct AffineMap {
  double matrix[2][2] = {{1.0, 0.0}, {0.0, 1.0}};
  double offset[2] = {0.0, 0.0};
};

// Output of the same size as `in`. Each output pixel is the bilinear interpolation
// of `in` at the mapped point, the point first clamped into [0, h-1] x [0, w-1]
// (edge replication; identical to scipy's mode='nearest' for order 1), then
// multiplied by `gain` (the brightness factor), rounded to the nearest grey level
// and clipped to [0, 255]: a single rounding for geometry and brightness together.
GrayImage warp_affine_bilinear(const GrayImage& in, const AffineMap& map, double gain = 1.0);

// The same into a caller-owned image (resized as needed), so a loop over many images
// allocates nothing.
void warp_affine_bilinear(const GrayImage& in, const AffineMap& map, double gain, GrayImage& out);

}  // namespace xr::augment
