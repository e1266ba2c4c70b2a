// The input taps of each output sample along one axis, as xr::resize uses them: area
// coverage when shrinking, bilinear with half-integer centres and clamped ends when
// enlarging; weights as floats. Shared by xr::resize and the lung box of a resized
// mask (preprocess/lung_box), which must see exactly the pixels resize would make.
#pragma once
#include <vector>

namespace xr {

struct AxisTaps {
  std::vector<int> first;               // first input index per output sample
  std::vector<std::vector<float>> taps;  // normalised weights from `first` on
};

AxisTaps axis_taps(int in_size, int out_size);

}  // namespace xr
