#include "gan/augment.hpp"

#include <cmath>

#include "gan/ops.hpp"

namespace xr::gan {

const std::vector<double>& sym6_taps() {
  static const std::vector<double> taps = {
      0.015404109327027373, 0.0034907120842174702, -0.11799011114819057, -0.048311742585633,
      0.4910559419267466,   0.787641141030194,     0.3379294217276218,   -0.07263752278646252,
      -0.021060292512300564, 0.04472490177066578,  0.0017677118642428036, -0.007800708325034148};
  return taps;
}

namespace {

constexpr double kPi = 3.14159265358979323846;

// [N, 3, 3] from nine [N] (or scalar-broadcast) entries, row-major.
torch::Tensor mat3(const std::vector<torch::Tensor>& e) {
  return torch::stack(e, 1).reshape({-1, 3, 3});
}
torch::Tensor translate(const torch::Tensor& tx, const torch::Tensor& ty) {
  auto o = torch::ones_like(tx), z = torch::zeros_like(tx);
  return mat3({o, z, tx, z, o, ty, z, z, o});
}
torch::Tensor scale(const torch::Tensor& sx, const torch::Tensor& sy) {
  auto o = torch::ones_like(sx), z = torch::zeros_like(sx);
  return mat3({sx, z, z, z, sy, z, z, z, o});
}
torch::Tensor rotate(const torch::Tensor& theta) {
  auto o = torch::ones_like(theta), z = torch::zeros_like(theta);
  auto c = theta.cos(), s = theta.sin();
  return mat3({c, -s, z, s, c, z, z, z, o});
}
torch::Tensor const_mat(double a, double b, double c, double d, double e, double f, const torch::TensorOptions& o) {
  return torch::tensor({a, b, c, d, e, f, 0.0, 0.0, 1.0}, o).reshape({3, 3});
}

// Reflect padding by index selection: twice differentiable everywhere.
torch::Tensor reflect_pad(const torch::Tensor& x, int64_t x0, int64_t x1, int64_t y0, int64_t y1) {
  auto index = [&](int64_t size, int64_t before, int64_t after) {
    std::vector<int64_t> idx;
    for (int64_t i = -before; i < size + after; ++i) {
      int64_t j = i < 0 ? -i : i >= size ? 2 * (size - 1) - i : i;
      idx.push_back(j);
    }
    return torch::tensor(idx, torch::kLong).to(x.device());
  };
  torch::Tensor y = x.index_select(3, index(x.size(3), x0, x1));
  return y.index_select(2, index(x.size(2), y0, y1));
}

}  // namespace

torch::Tensor augment(const torch::Tensor& images_in, const torch::Tensor& p_in, const AugmentSpec& s) {
  torch::Tensor images = images_in;
  const int64_t n = images.size(0), h = images.size(2), w = images.size(3);
  const auto fo = images.options().dtype(torch::kFloat32);
  const torch::Tensor p = p_in.to(fo);
  auto rand = [&](std::vector<int64_t> shape) { return torch::rand(shape, fo); };
  auto randn = [&](std::vector<int64_t> shape) { return torch::randn(shape, fo); };
  auto chance = [&](double mult, std::vector<int64_t> shape) { return rand(shape) < p * mult; };

  // ---- geometric: an inverse transform G_inv mapping output to input pixels
  torch::Tensor g = torch::eye(3, fo).unsqueeze(0).repeat({n, 1, 1});
  bool geometric = false;
  if (s.xflip > 0) {
    auto i = torch::floor(rand({n}) * 2);
    i = torch::where(chance(s.xflip, {n}), i, torch::zeros_like(i));
    g = g.matmul(scale(1 - 2 * i, torch::ones_like(i)));
    geometric = true;
  }
  if (s.rotate90 > 0) {
    auto i = torch::floor(rand({n}) * 4);
    i = torch::where(chance(s.rotate90, {n}), i, torch::zeros_like(i));
    g = g.matmul(rotate(-(-kPi / 2 * i)));
    geometric = true;
  }
  if (s.xint > 0) {
    auto t = (rand({n, 2}) * 2 - 1) * s.xint_max;
    t = torch::where(chance(s.xint, {n, 1}), t, torch::zeros_like(t));
    g = g.matmul(translate(-torch::round(t.select(1, 0) * w), -torch::round(t.select(1, 1) * h)));
    geometric = true;
  }
  if (s.scale > 0) {
    auto sc = torch::exp2(randn({n}) * s.scale_std);
    sc = torch::where(chance(s.scale, {n}), sc, torch::ones_like(sc));
    g = g.matmul(scale(1 / sc, 1 / sc));
    geometric = true;
  }
  // Rotation before and after the anisotropic scaling: P(either) = p * rotate.
  const torch::Tensor p_rot = 1 - torch::sqrt((1 - p * s.rotate).clamp(0, 1));
  if (s.rotate > 0) {
    auto theta = (rand({n}) * 2 - 1) * kPi * s.rotate_max;
    theta = torch::where(rand({n}) < p_rot, theta, torch::zeros_like(theta));
    g = g.matmul(rotate(theta));  // rotate2d_inv(-theta)
    geometric = true;
  }
  if (s.aniso > 0) {
    auto sc = torch::exp2(randn({n}) * s.aniso_std);
    sc = torch::where(chance(s.aniso, {n}), sc, torch::ones_like(sc));
    g = g.matmul(scale(1 / sc, sc));
    geometric = true;
  }
  if (s.rotate > 0) {
    auto theta = (rand({n}) * 2 - 1) * kPi * s.rotate_max;
    theta = torch::where(rand({n}) < p_rot, theta, torch::zeros_like(theta));
    g = g.matmul(rotate(theta));
  }
  if (s.xfrac > 0) {
    auto t = randn({n, 2}) * s.xfrac_std;
    t = torch::where(chance(s.xfrac, {n, 1}), t, torch::zeros_like(t));
    g = g.matmul(translate(-t.select(1, 0) * w, -t.select(1, 1) * h));
    geometric = true;
  }

  if (geometric) {
    static const torch::Tensor hz_cpu = setup_filter(sym6_taps());
    const torch::Tensor hz = hz_cpu.to(images.device());
    const int64_t hz_pad = hz.size(0) / 4;
    // Padding: how far the corners of the output land outside the input.
    const double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
    const torch::Tensor cp = torch::tensor({-cx, -cy, 1.0, cx, -cy, 1.0, cx, cy, 1.0, -cx, cy, 1.0}, fo)
                                 .reshape({4, 3})
                                 .t();                                       // [xyz, idx]
    const torch::Tensor corners = g.matmul(cp).slice(1, 0, 2);               // [N, xy, idx]
    torch::Tensor margin = corners.permute({1, 0, 2}).flatten(1);           // [xy, N*idx]
    margin = torch::cat({-margin, margin}).amax(1);                          // [x0, y0, x1, y1]
    margin = margin + torch::tensor({hz_pad * 2 - cx, hz_pad * 2 - cy, hz_pad * 2 - cx, hz_pad * 2 - cy}, fo);
    margin = margin.clamp_min(0);
    margin = torch::min(margin, torch::tensor({double(w - 1), double(h - 1), double(w - 1), double(h - 1)}, fo));
    const torch::Tensor m = margin.ceil().to(torch::kCPU, torch::kLong);
    const int64_t mx0 = m[0].item<int64_t>(), my0 = m[1].item<int64_t>(), mx1 = m[2].item<int64_t>(),
                  my1 = m[3].item<int64_t>();
    images = reflect_pad(images, mx0, mx1, my0, my1);
    g = const_mat(1, 0, (mx0 - mx1) / 2.0, 0, 1, (my0 - my1) / 2.0, fo).matmul(g);
    // Up-sample 2x and express G_inv there.
    images = upsample2d(images, hz, 2);
    g = const_mat(2, 0, 0, 0, 2, 0, fo).matmul(g).matmul(const_mat(0.5, 0, 0, 0, 0.5, 0, fo));
    g = const_mat(1, 0, -0.5, 0, 1, -0.5, fo).matmul(g).matmul(const_mat(1, 0, 0.5, 0, 1, 0.5, fo));
    // Resample in normalised coordinates, then down-sample and crop back.
    const int64_t out_h = (h + hz_pad * 2) * 2, out_w = (w + hz_pad * 2) * 2;
    g = const_mat(2.0 / images.size(3), 0, 0, 0, 2.0 / images.size(2), 0, fo)
            .matmul(g)
            .matmul(const_mat(out_w / 2.0, 0, 0, 0, out_h / 2.0, 0, fo));
    const torch::Tensor grid =
        torch::affine_grid_generator(g.slice(1, 0, 2), {n, images.size(1), out_h, out_w}, false);
    images = bilinear_sample(images, grid);
    const int crop = -static_cast<int>(hz_pad * 2);
    images = downsample2d(images, hz, 2, {crop, crop, crop, crop}, true);
  }

  // ---- colour: x -> a x + b per image
  torch::Tensor a = torch::ones({n}, fo), b = torch::zeros({n}, fo);
  if (s.brightness > 0) {
    auto db = randn({n}) * s.brightness_std;
    b = b + torch::where(chance(s.brightness, {n}), db, torch::zeros_like(db));
  }
  if (s.contrast > 0) {
    auto c = torch::exp2(randn({n}) * s.contrast_std);
    c = torch::where(chance(s.contrast, {n}), c, torch::ones_like(c));
    a = a * c;
    b = b * c;
  }
  if (s.lumaflip > 0) {
    auto i = torch::floor(rand({n}) * 2);
    i = torch::where(chance(s.lumaflip, {n}), i, torch::zeros_like(i));
    a = a * (1 - 2 * i);
    b = b * (1 - 2 * i);
  }
  if (s.brightness > 0 || s.contrast > 0 || s.lumaflip > 0) {
    images = images * a.reshape({n, 1, 1, 1}) + b.reshape({n, 1, 1, 1});
  }
  return images;
}

}  // namespace xr::gan
