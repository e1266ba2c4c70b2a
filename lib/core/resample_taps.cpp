#include "core/resample_taps.hpp"

#include <algorithm>
#include <cmath>

namespace xr {

AxisTaps axis_taps(int in_size, int out_size) {
  AxisTaps w;
  w.first.resize(out_size);
  w.taps.resize(out_size);
  const double scale = static_cast<double>(in_size) / out_size;
  for (int o = 0; o < out_size; ++o) {
    std::vector<float>& taps = w.taps[o];
    if (scale >= 1.0) {
      // Area: the output pixel covers [o*scale, (o+1)*scale) of the input.
      double lo = o * scale, hi = (o + 1) * scale;
      int i0 = static_cast<int>(std::floor(lo));
      int i1 = std::min(in_size, static_cast<int>(std::ceil(hi)));
      w.first[o] = i0;
      for (int i = i0; i < i1; ++i) {
        double cover = std::min<double>(hi, i + 1) - std::max<double>(lo, i);
        taps.push_back(static_cast<float>(cover / scale));
      }
    } else {
      // Bilinear: sample at the output pixel centre mapped into input coordinates.
      double centre = (o + 0.5) * scale - 0.5;
      int i0 = static_cast<int>(std::floor(centre));
      double frac = centre - i0;
      int a = std::clamp(i0, 0, in_size - 1), b = std::clamp(i0 + 1, 0, in_size - 1);
      w.first[o] = a;
      if (b == a) {
        taps.push_back(1.0f);
      } else {
        taps.push_back(static_cast<float>(1.0 - frac));
        taps.push_back(static_cast<float>(frac));
      }
    }
  }
  return w;
}

}  // namespace xr
