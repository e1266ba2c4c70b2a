#include "gan/generate.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>

namespace xr::gan {

torch::Tensor latents_from_seeds(const std::vector<uint64_t>& seeds, int z_dim) {
  std::vector<torch::Tensor> rows;
  rows.reserve(seeds.size());
  for (uint64_t s : seeds) {
    at::Generator gen = at::detail::createCPUGenerator(s);
    rows.push_back(torch::randn({1, z_dim}, gen, torch::kFloat32));
  }
  if (rows.empty()) return torch::zeros({0, z_dim});
  return torch::cat(rows, 0);
}

torch::Tensor one_hot(const std::vector<int64_t>& labels, int c_dim, const torch::Device& device) {
  torch::Tensor c = torch::zeros({static_cast<int64_t>(labels.size()), c_dim});
  for (size_t i = 0; i < labels.size() && c_dim > 0; ++i) c[static_cast<int64_t>(i)][labels[i]] = 1.0;
  return c.to(device);
}

torch::Tensor to_u8(const torch::Tensor& img) {
  return (img.to(torch::kFloat32) * 127.5 + 128).clamp(0, 255).to(torch::kUInt8);
}

torch::Tensor generate_u8(Generator& g, const torch::Tensor& z, const std::vector<int64_t>& labels, double psi,
                          NoiseMode noise, int batch) {
  torch::NoGradGuard no_grad;
  const auto device = g->parameters().front().device();
  const int64_t n = z.size(0);
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < n; i += batch) {
    const int64_t m = std::min<int64_t>(batch, n - i);
    std::vector<int64_t> lab(labels.begin() + i, labels.begin() + i + m);
    const torch::Tensor img =
        g->forward(z.narrow(0, i, m).to(device), one_hot(lab, g->config().c_dim, device), psi, noise, true);
    out.push_back(to_u8(img).to(torch::kCPU));
  }
  if (out.empty()) return torch::zeros({0, 1, g->config().resolution, g->config().resolution}, torch::kUInt8);
  return torch::cat(out, 0);
}

GrayImage make_grid(const torch::Tensor& images_u8, int rows, int cols) {
  const int64_t h = images_u8.size(2), w = images_u8.size(3);
  GrayImage grid(static_cast<int>(w * cols), static_cast<int>(h * rows), 0);
  const torch::Tensor imgs = images_u8.to(torch::kCPU).contiguous();
  const uint8_t* data = imgs.data_ptr<uint8_t>();
  for (int64_t k = 0; k < std::min<int64_t>(imgs.size(0), int64_t{rows} * cols); ++k) {
    const int64_t r = k / cols, c = k % cols;
    for (int64_t y = 0; y < h; ++y) {
      std::copy_n(data + (k * h + y) * w, w, &grid.at(static_cast<int>(c * w), static_cast<int>(r * h + y)));
    }
  }
  return grid;
}

}  // namespace xr::gan
