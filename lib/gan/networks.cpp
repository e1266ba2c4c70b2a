#include "gan/networks.hpp"

#include <cmath>

#include "core/errors.hpp"

namespace xr::gan {

torch::Tensor default_resample_filter() { return setup_filter({1, 3, 3, 1}); }

nlohmann::json NetConfig::to_json() const {
  return {{"resolution", resolution}, {"img_channels", img_channels}, {"c_dim", c_dim},
          {"z_dim", z_dim},           {"w_dim", w_dim},               {"map_depth", map_depth},
          {"d_map_depth", d_map_depth}, {"cbase", cbase},             {"cmax", cmax},
          {"mbstd_group", mbstd_group}, {"mbstd_channels", mbstd_channels},
          {"conv_clamp", conv_clamp}, {"num_fp16_res", num_fp16_res}};
}

NetConfig NetConfig::from_json(const nlohmann::json& j) {
  NetConfig c;
  try {
    c.resolution = j.at("resolution").get<int>();
    c.img_channels = j.at("img_channels").get<int>();
    c.c_dim = j.at("c_dim").get<int>();
    c.z_dim = j.at("z_dim").get<int>();
    c.w_dim = j.at("w_dim").get<int>();
    c.map_depth = j.at("map_depth").get<int>();
    c.d_map_depth = j.at("d_map_depth").get<int>();
    c.cbase = j.at("cbase").get<int>();
    c.cmax = j.at("cmax").get<int>();
    c.mbstd_group = j.at("mbstd_group").get<int>();
    c.mbstd_channels = j.at("mbstd_channels").get<int>();
    c.conv_clamp = j.at("conv_clamp").get<double>();
    c.num_fp16_res = j.at("num_fp16_res").get<int>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(Exit::kDataErr, "", std::string("bad network architecture metadata (") + e.what() + ")");
  }
  return c;
}

void NetConfig::validate() const {
  auto bad = [](const std::string& what) { throw Error(Exit::kUsage, "", what); };
  if (resolution < 4 || (resolution & (resolution - 1)) != 0) {
    bad("resolution must be a power of two >= 4 (" + std::to_string(resolution) + ")");
  }
  if (img_channels < 1) bad("image channels must be >= 1");
  if (c_dim < 0) bad("class count must be >= 0");
  if (z_dim < 1 || w_dim < 1) bad("--z-dim and --w-dim must be >= 1");
  if (map_depth < 1 || d_map_depth < 1) bad("--map-depth must be >= 1");
  if (cbase < 1 || cmax < 1) bad("--cbase and --cmax must be >= 1");
  if (channels(resolution) < 1) {
    bad("--cbase " + std::to_string(cbase) + " gives no channels at " + std::to_string(resolution) +
        "x" + std::to_string(resolution) + " (cbase / resolution must be >= 1)");
  }
  if (mbstd_group < 1) bad("--mbstd-group must be >= 1 (" + std::to_string(mbstd_group) + ")");
  if (mbstd_channels < 0) bad("mbstd channels must be >= 0");
  if (mbstd_channels > 0 && channels(4) % mbstd_channels != 0) bad("4x4 channels not divisible by mbstd channels");
}

// ---------------------------------------------------------------------------- layers

FullyConnectedImpl::FullyConnectedImpl(int in, int out, bool use_bias, Act act, double lr_mult, double bias_init)
    : act_(act), weight_gain_(lr_mult / std::sqrt(static_cast<double>(in))), bias_gain_(lr_mult) {
  weight = register_parameter("weight", torch::randn({out, in}) / lr_mult);
  if (use_bias) bias = register_parameter("bias", torch::full({out}, bias_init));
}

torch::Tensor FullyConnectedImpl::forward(const torch::Tensor& x) {
  torch::Tensor w = (weight * weight_gain_).to(x.scalar_type());
  torch::Tensor b;
  if (bias.defined()) b = (bias_gain_ != 1.0 ? bias * bias_gain_ : bias).to(x.scalar_type());
  if (act_ == Act::kLinear && b.defined()) return torch::addmm(b, x, w.t());
  return bias_act(x.matmul(w.t()), b, act_);
}

MappingNetworkImpl::MappingNetworkImpl(int z_dim, int c_dim, int w_dim, int num_ws, int num_layers,
                                       bool track_w_avg, double lr_mult, double w_avg_beta)
    : z_dim_(z_dim), c_dim_(c_dim), num_ws_(num_ws), w_avg_beta_(track_w_avg ? w_avg_beta : -1) {
  const int embed_features = c_dim > 0 ? w_dim : 0;
  if (c_dim > 0) embed_ = register_module("embed", FullyConnected(c_dim, embed_features));
  std::vector<int> features = {z_dim + embed_features};
  for (int i = 0; i < num_layers - 1; ++i) features.push_back(w_dim);
  features.push_back(w_dim);
  for (int i = 0; i < num_layers; ++i) {
    layers_.push_back(register_module("fc" + std::to_string(i),
                                      FullyConnected(features[i], features[i + 1], true, Act::kLrelu, lr_mult)));
  }
  if (track_w_avg) w_avg = register_buffer("w_avg", torch::zeros({w_dim}));
}

torch::Tensor MappingNetworkImpl::forward(const torch::Tensor& z, const torch::Tensor& c, double psi,
                                          bool update_w_avg) {
  torch::Tensor x;
  if (z_dim_ > 0) x = normalize_2nd_moment(z.to(torch::kFloat32));
  if (c_dim_ > 0) {
    torch::Tensor y = normalize_2nd_moment(embed_->forward(c.to(torch::kFloat32)));
    x = x.defined() ? torch::cat({x, y}, 1) : y;
  }
  for (auto& layer : layers_) x = layer->forward(x);
  if (update_w_avg && w_avg.defined()) {
    torch::NoGradGuard no_grad;
    w_avg.copy_(torch::lerp(x.detach().mean(0), w_avg, w_avg_beta_));
  }
  if (num_ws_ > 0) x = x.unsqueeze(1).repeat({1, num_ws_, 1});
  if (psi != 1.0 && w_avg.defined()) x = torch::lerp(w_avg.to(x.scalar_type()), x, psi);
  return x;
}

SynthesisLayerImpl::SynthesisLayerImpl(int in, int out, int w_dim, int resolution, int up, double conv_clamp)
    : up_(up), resolution_(resolution), conv_clamp_(conv_clamp) {
  affine_ = register_module("affine", FullyConnected(w_dim, in, true, Act::kLinear, 1.0, 1.0));
  weight = register_parameter("weight", torch::randn({out, in, 3, 3}));
  bias = register_parameter("bias", torch::zeros({out}));
  noise_strength = register_parameter("noise_strength", torch::zeros({}));
  noise_const = register_buffer("noise_const", torch::randn({resolution, resolution}));
  resample_filter = register_buffer("resample_filter", default_resample_filter());
}

torch::Tensor SynthesisLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& w, NoiseMode noise_mode,
                                          bool fused) {
  const torch::Tensor styles = affine_->forward(w);
  torch::Tensor noise;
  if (noise_mode == NoiseMode::kRandom) {
    noise = torch::randn({x.size(0), 1, resolution_, resolution_}, x.options().dtype(torch::kFloat32)) *
            noise_strength;
  } else if (noise_mode == NoiseMode::kConst) {
    noise = noise_const * noise_strength;
  }
  torch::Tensor y = modulated_conv2d(x, weight, styles, noise, up_, 1, resample_filter, true, fused);
  return bias_act(y, bias, Act::kLrelu, -1, conv_clamp_);
}

ToImageLayerImpl::ToImageLayerImpl(int in, int out, int w_dim, double conv_clamp)
    : weight_gain_(1.0 / std::sqrt(static_cast<double>(in))), conv_clamp_(conv_clamp) {
  affine_ = register_module("affine", FullyConnected(w_dim, in, true, Act::kLinear, 1.0, 1.0));
  weight = register_parameter("weight", torch::randn({out, in, 1, 1}));
  bias = register_parameter("bias", torch::zeros({out}));
}

torch::Tensor ToImageLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& w, bool fused) {
  const torch::Tensor styles = affine_->forward(w) * weight_gain_;
  torch::Tensor y = modulated_conv2d(x, weight, styles, {}, 1, 0, {}, false, fused);
  return bias_act(y, bias, Act::kLinear, -1, conv_clamp_);
}

SynthesisBlockImpl::SynthesisBlockImpl(int in, int out, int w_dim, int resolution, int img_channels,
                                       bool use_fp16, double conv_clamp)
    : in_(in), use_fp16_(use_fp16) {
  if (in == 0) {
    const_input = register_parameter("const", torch::randn({out, resolution, resolution}));
  } else {
    conv0_ = register_module("conv0", SynthesisLayer(in, out, w_dim, resolution, 2, conv_clamp));
  }
  conv1_ = register_module("conv1", SynthesisLayer(out, out, w_dim, resolution, 1, conv_clamp));
  torgb_ = register_module("torgb", ToImageLayer(out, img_channels, w_dim, conv_clamp));
  resample_filter = register_buffer("resample_filter", default_resample_filter());
}

std::pair<torch::Tensor, torch::Tensor> SynthesisBlockImpl::forward(const torch::Tensor& x_in,
                                                                    const torch::Tensor& img_in,
                                                                    const torch::Tensor& ws, NoiseMode noise,
                                                                    bool fused, const Precision& precision) {
  const bool reduced = use_fp16_ && precision.enabled;
  const auto dtype = reduced ? precision.dtype : torch::kFloat32;
  // The fused (grouped) form is for inference in fp32, as the reference decides.
  fused = fused && !reduced;
  torch::Tensor x;
  int wi = 0;
  if (in_ == 0) {
    x = const_input.to(dtype).unsqueeze(0).repeat({ws.size(0), 1, 1, 1});
    x = conv1_->forward(x, ws.select(1, wi++), noise, fused);
  } else {
    x = x_in.to(dtype);
    x = conv0_->forward(x, ws.select(1, wi++), noise, fused);
    x = conv1_->forward(x, ws.select(1, wi++), noise, fused);
  }
  torch::Tensor img;
  if (img_in.defined()) img = upsample2d(img_in, resample_filter);
  torch::Tensor y = torgb_->forward(x, ws.select(1, wi), fused).to(torch::kFloat32);
  img = img.defined() ? img + y : y;
  return {x, img};
}

SynthesisNetworkImpl::SynthesisNetworkImpl(const NetConfig& cfg) {
  const int log2 = static_cast<int>(std::lround(std::log2(cfg.resolution)));
  const int fp16_res = std::max(1 << std::max(log2 + 1 - cfg.num_fp16_res, 0), 8);
  for (int res = 4; res <= cfg.resolution; res *= 2) {
    const int in = res > 4 ? cfg.channels(res / 2) : 0;
    const int out = cfg.channels(res);
    const bool use_fp16 = cfg.num_fp16_res > 0 && res >= fp16_res;
    auto block = SynthesisBlock(in, out, cfg.w_dim, res, cfg.img_channels, use_fp16, cfg.conv_clamp);
    blocks_.push_back(register_module("b" + std::to_string(res), block));
    num_ws_ += block->num_conv();
  }
  num_ws_ += 1;  // the last block's to-image layer
}

torch::Tensor SynthesisNetworkImpl::forward(const torch::Tensor& ws, NoiseMode noise, bool fused,
                                            const Precision& precision) {
  torch::Tensor x, img;
  int64_t w_idx = 0;
  for (auto& block : blocks_) {
    // Each block sees its convolutions' ws and the next one (its to-image layer's).
    const torch::Tensor block_ws = ws.narrow(1, w_idx, block->num_conv() + 1);
    w_idx += block->num_conv();
    std::tie(x, img) = block->forward(x, img, block_ws, noise, fused, precision);
  }
  return img;
}

GeneratorImpl::GeneratorImpl(const NetConfig& cfg) : cfg_(cfg) {
  synthesis = SynthesisNetwork(cfg);
  mapping = register_module("mapping", MappingNetwork(cfg.z_dim, cfg.c_dim, cfg.w_dim, synthesis->num_ws(),
                                                      cfg.map_depth, true));
  register_module("synthesis", synthesis);
}

torch::Tensor GeneratorImpl::forward(const torch::Tensor& z, const torch::Tensor& c, double psi, NoiseMode noise,
                                     bool fused) {
  return synthesis->forward(mapping->forward(z, c, psi), noise, fused, precision);
}

// ---------------------------------------------------------------------- discriminator

Conv2dLayerImpl::Conv2dLayerImpl(int in, int out, int kernel, bool use_bias, Act act, int up, int down,
                                 double conv_clamp)
    : act_(act),
      up_(up),
      down_(down),
      padding_(kernel / 2),
      weight_gain_(1.0 / std::sqrt(static_cast<double>(in * kernel * kernel))),
      conv_clamp_(conv_clamp) {
  weight = register_parameter("weight", torch::randn({out, in, kernel, kernel}));
  if (use_bias) bias = register_parameter("bias", torch::zeros({out}));
  resample_filter = register_buffer("resample_filter", default_resample_filter());
}

torch::Tensor Conv2dLayerImpl::forward(const torch::Tensor& x, double gain) {
  const torch::Tensor w = (weight * weight_gain_).to(x.scalar_type());
  torch::Tensor y = conv2d_resample(x, w, resample_filter, up_, down_, padding_);
  const double act_gain = (act_ == Act::kLrelu ? std::sqrt(2.0) : 1.0) * gain;
  const double clamp = conv_clamp_ >= 0 ? conv_clamp_ * gain : -1;
  return bias_act(y, bias, act_, act_gain, clamp);
}

DiscriminatorBlockImpl::DiscriminatorBlockImpl(int in, int tmp, int out, int img_channels, bool use_fp16,
                                               double conv_clamp)
    : in_(in), use_fp16_(use_fp16) {
  if (in == 0) {
    fromrgb_ = register_module("fromrgb", Conv2dLayer(img_channels, tmp, 1, true, Act::kLrelu, 1, 1, conv_clamp));
  }
  conv0_ = register_module("conv0", Conv2dLayer(tmp, tmp, 3, true, Act::kLrelu, 1, 1, conv_clamp));
  conv1_ = register_module("conv1", Conv2dLayer(tmp, out, 3, true, Act::kLrelu, 1, 2, conv_clamp));
  skip_ = register_module("skip", Conv2dLayer(tmp, out, 1, false, Act::kLinear, 1, 2, -1));
}

torch::Tensor DiscriminatorBlockImpl::forward(const torch::Tensor& x_in, const torch::Tensor& img,
                                              const Precision& precision) {
  const bool reduced = use_fp16_ && precision.enabled;
  const auto dtype = reduced ? precision.dtype : torch::kFloat32;
  torch::Tensor x = in_ == 0 ? fromrgb_->forward(img.to(dtype)) : x_in.to(dtype);
  const double half = std::sqrt(0.5);
  torch::Tensor y = skip_->forward(x, half);
  x = conv0_->forward(x);
  x = conv1_->forward(x, half);
  return y + x;
}

DiscriminatorEpilogueImpl::DiscriminatorEpilogueImpl(int in, int cmap_dim, int mbstd_group, int mbstd_channels,
                                                     double conv_clamp)
    : cmap_dim_(cmap_dim), mbstd_group_(mbstd_group), mbstd_channels_(mbstd_channels) {
  conv_ = register_module("conv", Conv2dLayer(in + mbstd_channels, in, 3, true, Act::kLrelu, 1, 1, conv_clamp));
  fc_ = register_module("fc", FullyConnected(in * 16, in, true, Act::kLrelu));
  out_ = register_module("out", FullyConnected(in, cmap_dim > 0 ? cmap_dim : 1));
}

torch::Tensor DiscriminatorEpilogueImpl::forward(const torch::Tensor& x_in, const torch::Tensor& cmap) {
  torch::Tensor x = x_in.to(torch::kFloat32);
  if (mbstd_channels_ > 0) x = minibatch_std(x, mbstd_group_, mbstd_channels_);
  x = conv_->forward(x);
  x = fc_->forward(x.flatten(1));
  x = out_->forward(x);
  // Projection conditioning: the output vector projected on the class's mapping.
  if (cmap_dim_ > 0) x = (x * cmap).sum(1, true) * (1.0 / std::sqrt(static_cast<double>(cmap_dim_)));
  return x;
}

DiscriminatorImpl::DiscriminatorImpl(const NetConfig& cfg) : cfg_(cfg) {
  const int log2 = static_cast<int>(std::lround(std::log2(cfg.resolution)));
  const int fp16_res = std::max(1 << std::max(log2 + 1 - cfg.num_fp16_res, 0), 8);
  for (int res = cfg.resolution; res > 4; res /= 2) {
    const int in = res < cfg.resolution ? cfg.channels(res) : 0;
    const bool use_fp16 = cfg.num_fp16_res > 0 && res >= fp16_res;
    blocks_.push_back(register_module(
        "b" + std::to_string(res),
        DiscriminatorBlock(in, cfg.channels(res), cfg.channels(res / 2), cfg.img_channels, use_fp16,
                           cfg.conv_clamp)));
  }
  const int cmap_dim = cfg.c_dim > 0 ? cfg.channels(4) : 0;
  if (cfg.c_dim > 0) {
    mapping_ = register_module("mapping", MappingNetwork(0, cfg.c_dim, cmap_dim, 0, cfg.d_map_depth, false));
  }
  b4_ = register_module("b4", DiscriminatorEpilogue(cfg.channels(4), cmap_dim, cfg.mbstd_group,
                                                     cfg.mbstd_channels, cfg.conv_clamp));
}

torch::Tensor DiscriminatorImpl::forward(const torch::Tensor& img, const torch::Tensor& c) {
  torch::Tensor x;
  for (auto& block : blocks_) x = block->forward(x, img, precision);
  torch::Tensor cmap;
  if (cfg_.c_dim > 0) cmap = mapping_->forward({}, c);
  return b4_->forward(x, cmap);
}

}  // namespace xr::gan
