#include "gan/ops.hpp"

#include <algorithm>
#include <cmath>

namespace xr::gan {

namespace {
int filter_size(const torch::Tensor& f) { return static_cast<int>(f.size(-1)); }

// conv2d with explicit integer arguments (a braced padding is ambiguous with the
// string-padding overload).
torch::Tensor conv(const torch::Tensor& x, const torch::Tensor& w, int64_t stride, int64_t pad_y, int64_t pad_x,
                   int64_t groups) {
  const std::vector<int64_t> s = {stride, stride}, p = {pad_y, pad_x}, d = {1, 1};
  return torch::conv2d(x, w, torch::Tensor(), s, p, d, groups);
}

// conv_transpose2d(x, w transposed per group, stride up, padding {pad_y, pad_x}) as a
// correlation of the zero-stuffed x with w flipped. LibTorch 1.13 on the CPU has no
// bfloat16 transposed convolution that works: oneDNN's returns a wrong shape
// ([2,4,8,8] * [4,4,3,3] stride 2 gives 3x3, not 17x17) and the native one is not
// implemented for BFloat16.
torch::Tensor transposed_conv_by_zero_insertion(const torch::Tensor& x, const torch::Tensor& w, int up,
                                                int64_t pad_y, int64_t pad_x, int64_t groups) {
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3);
  const int64_t kh = w.size(2), kw = w.size(3);
  TORCH_CHECK(pad_y <= kh - 1 && pad_x <= kw - 1, "transposed convolution padding larger than the kernel");
  torch::Tensor y = x.reshape({n, c, h, 1, wd, 1});
  y = torch::constant_pad_nd(y, {0, up - 1, 0, 0, 0, up - 1}).reshape({n, c, h * up, wd * up});
  // Drop the zeros after the last pixel, then pad by kernel - 1 - padding.
  const int64_t py = kh - 1 - pad_y, px = kw - 1 - pad_x;
  y = torch::constant_pad_nd(y, {px, px - (up - 1), py, py - (up - 1)});
  return conv(y, w.flip({2, 3}), 1, 0, 0, groups);
}
}  // namespace

torch::Tensor setup_filter(const std::vector<double>& taps) {
  auto f = torch::tensor(taps, torch::kFloat32);
  // Long filters (wavelets) stay 1-D and run as two passes; short ones become 2-D.
  if (f.numel() < 8) f = torch::outer(f, f);
  return f / f.sum();
}

torch::Tensor upfirdn2d(const torch::Tensor& x_in, const torch::Tensor& f_in, int up, int down,
                        std::array<int, 4> pad, bool flip_filter, double gain) {
  const int64_t n = x_in.size(0), c = x_in.size(1), h = x_in.size(2), w = x_in.size(3);
  torch::Tensor x = x_in;
  if (up > 1) {  // zero insertion
    x = x.reshape({n, c, h, 1, w, 1});
    x = torch::constant_pad_nd(x, {0, up - 1, 0, 0, 0, up - 1});
    x = x.reshape({n, c, h * up, w * up});
  }
  const auto [px0, px1, py0, py1] = pad;
  if (px0 > 0 || px1 > 0 || py0 > 0 || py1 > 0) {
    x = torch::constant_pad_nd(x, {std::max(px0, 0), std::max(px1, 0), std::max(py0, 0), std::max(py1, 0)});
  }
  if (px0 < 0 || px1 < 0 || py0 < 0 || py1 < 0) {
    x = x.slice(2, std::max(-py0, 0), x.size(2) - std::max(-py1, 0))
            .slice(3, std::max(-px0, 0), x.size(3) - std::max(-px1, 0));
  }
  torch::Tensor f = f_in.to(x.device(), x.scalar_type());
  if (gain != 1.0) f = f * std::pow(gain, f.dim() / 2.0);
  if (!flip_filter) {
    std::vector<int64_t> dims(f.dim());
    for (int64_t i = 0; i < f.dim(); ++i) dims[i] = i;
    f = f.flip(dims);
  }
  const int64_t k = f.size(-1);
  if (f.dim() == 2) {
    x = conv(x, f.view({1, 1, k, k}).repeat({c, 1, 1, 1}), 1, 0, 0, c);
  } else {
    x = conv(x, f.view({1, 1, 1, k}).repeat({c, 1, 1, 1}), 1, 0, 0, c);
    x = conv(x, f.view({1, 1, k, 1}).repeat({c, 1, 1, 1}), 1, 0, 0, c);
  }
  if (down > 1) x = x.slice(2, 0, x.size(2), down).slice(3, 0, x.size(3), down);
  return x;
}

torch::Tensor upsample2d(const torch::Tensor& x, const torch::Tensor& f, int up, std::array<int, 4> pad,
                         bool flip_filter, double gain) {
  const int fw = filter_size(f);
  pad[0] += (fw + up - 1) / 2;
  pad[1] += (fw - up) / 2;
  pad[2] += (fw + up - 1) / 2;
  pad[3] += (fw - up) / 2;
  return upfirdn2d(x, f, up, 1, pad, flip_filter, gain * up * up);
}

torch::Tensor downsample2d(const torch::Tensor& x, const torch::Tensor& f, int down, std::array<int, 4> pad,
                           bool flip_filter, double gain) {
  const int fw = filter_size(f);
  pad[0] += (fw - down + 1) / 2;
  pad[1] += (fw - down) / 2;
  pad[2] += (fw - down + 1) / 2;
  pad[3] += (fw - down) / 2;
  return upfirdn2d(x, f, 1, down, pad, flip_filter, gain);
}

// As the reference: correlation for up == 1; with up > 1 the transposed convolution
// runs on the unflipped weight (a true convolution), which is what its layers use.
torch::Tensor conv2d_resample(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& f,
                              int up, int down, int padding, int64_t groups) {
  const int64_t kh = w.size(2), kw = w.size(3);
  const int fw = f.defined() ? filter_size(f) : 1;
  int px0 = padding, px1 = padding, py0 = padding, py1 = padding;
  if (up > 1) {
    px0 += (fw + up - 1) / 2;
    px1 += (fw - up) / 2;
    py0 += (fw + up - 1) / 2;
    py1 += (fw - up) / 2;
  }
  if (down > 1) {
    px0 += (fw - down + 1) / 2;
    px1 += (fw - down) / 2;
    py0 += (fw - down + 1) / 2;
    py1 += (fw - down) / 2;
  }
  if (kh == 1 && kw == 1 && down > 1 && up == 1) {
    torch::Tensor y = upfirdn2d(x, f, 1, down, {px0, px1, py0, py1});
    return conv(y, w, 1, 0, 0, groups);
  }
  if (down > 1 && up == 1) {
    torch::Tensor y = upfirdn2d(x, f, 1, 1, {px0, px1, py0, py1});
    return conv(y, w, down, 0, 0, groups);
  }
  if (up > 1) {
    torch::Tensor wt;
    const int64_t out_c = w.size(0), in_per_group = w.size(1);
    if (groups == 1) {
      wt = w.transpose(0, 1);
    } else {
      wt = w.reshape({groups, out_c / groups, in_per_group, kh, kw})
               .transpose(1, 2)
               .reshape({groups * in_per_group, out_c / groups, kh, kw});
    }
    px0 -= static_cast<int>(kw) - 1;
    px1 -= static_cast<int>(kw) - up;
    py0 -= static_cast<int>(kh) - 1;
    py1 -= static_cast<int>(kh) - up;
    const int pxt = std::max(std::min(-px0, -px1), 0);
    const int pyt = std::max(std::min(-py0, -py1), 0);
    torch::Tensor y;
    if (x.is_cpu() && x.scalar_type() == torch::kBFloat16) {
      y = transposed_conv_by_zero_insertion(x, w, up, pyt, pxt, groups);
    } else {
      const std::vector<int64_t> stride = {up, up}, tpad = {pyt, pxt}, opad = {0, 0}, dil = {1, 1};
      y = torch::conv_transpose2d(x, wt, torch::Tensor(), stride, tpad, opad, groups, dil);
    }
    y = upfirdn2d(y, f, 1, 1, {px0 + pxt, px1 + pxt, py0 + pyt, py1 + pyt}, false, up * up);
    if (down > 1) y = upfirdn2d(y, f, 1, down);
    return y;
  }
  if (px0 == px1 && py0 == py1 && px0 >= 0 && py0 >= 0) {
    return conv(x, w, 1, py0, px0, groups);
  }
  torch::Tensor y = upfirdn2d(x, f, 1, 1, {px0, px1, py0, py1});
  return conv(y, w, 1, 0, 0, groups);
}

torch::Tensor bias_act(const torch::Tensor& x_in, const torch::Tensor& b, Act act, double gain, double clamp) {
  torch::Tensor x = x_in;
  if (b.defined()) {
    std::vector<int64_t> shape(x.dim(), 1);
    shape[1] = -1;
    x = x + b.to(x.scalar_type()).reshape(shape);
  }
  if (act == Act::kLrelu) x = torch::leaky_relu(x, 0.2);
  if (gain < 0) gain = act == Act::kLrelu ? std::sqrt(2.0) : 1.0;
  if (gain != 1.0) x = x * gain;
  if (clamp >= 0) x = x.clamp(-clamp, clamp);
  return x;
}

torch::Tensor normalize_2nd_moment(const torch::Tensor& x) {
  return x * (x.square().mean(1, true) + 1e-8).rsqrt();
}

torch::Tensor modulated_conv2d(const torch::Tensor& x_in, const torch::Tensor& weight_in,
                               const torch::Tensor& styles_in, const torch::Tensor& noise, int up,
                               int padding, const torch::Tensor& resample_filter, bool demodulate,
                               bool fused) {
  const int64_t n = x_in.size(0);
  const int64_t out_c = weight_in.size(0), in_c = weight_in.size(1), kh = weight_in.size(2),
                kw = weight_in.size(3);
  torch::Tensor weight = weight_in, styles = styles_in, x = x_in;
  // Pre-normalise in fp16 so that the products below cannot overflow (the reference's
  // trick; demodulation cancels the scale).
  if (x.scalar_type() == torch::kHalf && demodulate) {
    weight = weight * (1.0 / std::sqrt(static_cast<double>(in_c * kh * kw)) /
                       weight.abs().amax({1, 2, 3}, true));
    styles = styles / styles.abs().amax({1}, true);
  }
  torch::Tensor w, dcoefs;
  if (demodulate || fused) w = weight.unsqueeze(0) * styles.reshape({n, 1, -1, 1, 1});  // [N,O,I,k,k]
  if (demodulate) dcoefs = (w.square().sum({2, 3, 4}) + 1e-8).rsqrt();                // [N,O]
  const auto dtype = x.scalar_type();
  if (!fused) {
    x = x * styles.to(dtype).reshape({n, -1, 1, 1});
    x = conv2d_resample(x, weight.to(dtype), resample_filter, up, 1, padding);
    if (demodulate) x = x * dcoefs.to(dtype).reshape({n, -1, 1, 1});
    if (noise.defined()) x = x + noise.to(dtype);
    return x;
  }
  if (demodulate) w = w * dcoefs.reshape({n, -1, 1, 1, 1});
  x = x.reshape({1, n * in_c, x.size(2), x.size(3)});
  w = w.reshape({n * out_c, in_c, kh, kw});
  x = conv2d_resample(x, w.to(dtype), resample_filter, up, 1, padding, n);
  x = x.reshape({n, out_c, x.size(2), x.size(3)});
  if (noise.defined()) x = x + noise.to(dtype);
  return x;
}

torch::Tensor bilinear_sample(const torch::Tensor& x, const torch::Tensor& grid) {
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const int64_t ho = grid.size(1), wo = grid.size(2);
  const torch::Tensor gx = grid.select(3, 0), gy = grid.select(3, 1);
  const torch::Tensor ix = ((gx + 1) * w - 1) * 0.5;  // pixel coordinates, centres at integers
  const torch::Tensor iy = ((gy + 1) * h - 1) * 0.5;
  const torch::Tensor x0 = ix.detach().floor(), y0 = iy.detach().floor();
  const torch::Tensor wx1 = ix - x0, wy1 = iy - y0;
  const torch::Tensor wx0 = 1 - wx1, wy0 = 1 - wy1;
  const torch::Tensor flat = x.reshape({n, c, h * w});
  auto corner = [&](const torch::Tensor& xi, const torch::Tensor& yi, const torch::Tensor& weight) {
    const torch::Tensor valid = ((xi >= 0) & (xi <= w - 1) & (yi >= 0) & (yi <= h - 1)).to(x.scalar_type());
    const torch::Tensor idx = (yi.clamp(0, h - 1) * w + xi.clamp(0, w - 1))
                                  .to(torch::kLong)
                                  .reshape({n, 1, ho * wo})
                                  .expand({n, c, ho * wo});
    const torch::Tensor v = flat.gather(2, idx).reshape({n, c, ho, wo});
    return v * (weight * valid).unsqueeze(1);
  };
  return corner(x0, y0, wx0 * wy0) + corner(x0 + 1, y0, wx1 * wy0) + corner(x0, y0 + 1, wx0 * wy1) +
         corner(x0 + 1, y0 + 1, wx1 * wy1);
}

torch::Tensor minibatch_std(const torch::Tensor& x, int group_size, int channels) {
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const int64_t g = std::min<int64_t>(group_size, n);
  const int64_t f = channels;
  torch::Tensor y = x.reshape({g, -1, f, c / f, h, w});
  y = y - y.mean(0);
  y = y.square().mean(0);
  y = (y + 1e-8).sqrt();
  y = y.mean({2, 3, 4});
  y = y.reshape({-1, f, 1, 1});
  y = y.repeat({g, 1, h, w});
  return torch::cat({x, y}, 1);
}

}  // namespace xr::gan
