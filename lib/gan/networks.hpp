// StyleGAN2 generator and discriminator (Karras et al. 2020) for one-channel images,
// class-conditional, as NVIDIA's stylegan2-ada-pytorch builds them: mapping network,
// skip synthesis from a learned 4x4 constant with modulated convolutions and noise,
// residual discriminator with minibatch standard deviation and projection
// conditioning. Parameter names follow the reference (mapping.fc0.weight,
// synthesis.b8.conv0.affine.weight, b4.fc.weight, ...).
#pragma once
#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gan/ops.hpp"
#include "gan/precision.hpp"

namespace xr::gan {

// The architecture: everything needed to rebuild the networks from a snapshot.
struct NetConfig {
  int resolution = 128;
  int img_channels = 1;
  int c_dim = 0;  // number of classes (0: unconditional)
  int z_dim = 512;
  int w_dim = 512;
  int map_depth = 2;     // G mapping layers (the 'auto' config)
  int d_map_depth = 8;   // D class-mapping layers (the reference's default)
  int cbase = 16384;
  int cmax = 512;
  int mbstd_group = 4;
  int mbstd_channels = 1;
  double conv_clamp = 256;
  int num_fp16_res = 4;  // highest-resolution blocks run in reduced precision on CUDA

  int channels(int res) const { return std::min(cbase / res, cmax); }
  nlohmann::json to_json() const;
  static NetConfig from_json(const nlohmann::json& j);  // throws kDataErr on missing keys
  void validate() const;                                 // throws kUsage naming the bad value
};

enum class NoiseMode { kRandom, kConst, kNone };

class FullyConnectedImpl : public torch::nn::Module {
 public:
  FullyConnectedImpl(int in, int out, bool bias = true, Act act = Act::kLinear, double lr_mult = 1.0,
                     double bias_init = 0.0);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias;

 private:
  Act act_;
  double weight_gain_, bias_gain_;
};
TORCH_MODULE(FullyConnected);

class MappingNetworkImpl : public torch::nn::Module {
 public:
  MappingNetworkImpl(int z_dim, int c_dim, int w_dim, int num_ws, int num_layers, bool track_w_avg,
                     double lr_mult = 0.01, double w_avg_beta = 0.995);
  // ws [N, num_ws, w_dim] (num_ws 0: [N, w_dim]); psi < 1 truncates towards w_avg.
  torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& c, double psi = 1.0,
                        bool update_w_avg = false);
  int num_ws() const { return num_ws_; }
  torch::Tensor w_avg;

 private:
  int z_dim_, c_dim_, num_ws_;
  double w_avg_beta_;
  FullyConnected embed_{nullptr};
  std::vector<FullyConnected> layers_;
};
TORCH_MODULE(MappingNetwork);

class SynthesisLayerImpl : public torch::nn::Module {
 public:
  SynthesisLayerImpl(int in, int out, int w_dim, int resolution, int up, double conv_clamp);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& w, NoiseMode noise, bool fused);
  torch::Tensor weight, bias, noise_strength, noise_const, resample_filter;

 private:
  FullyConnected affine_{nullptr};
  int up_, resolution_;
  double conv_clamp_;
};
TORCH_MODULE(SynthesisLayer);

class ToImageLayerImpl : public torch::nn::Module {
 public:
  ToImageLayerImpl(int in, int out, int w_dim, double conv_clamp);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& w, bool fused);
  torch::Tensor weight, bias;

 private:
  FullyConnected affine_{nullptr};
  double weight_gain_, conv_clamp_;
};
TORCH_MODULE(ToImageLayer);

class SynthesisBlockImpl : public torch::nn::Module {
 public:
  SynthesisBlockImpl(int in, int out, int w_dim, int resolution, int img_channels, bool use_fp16,
                     double conv_clamp);
  // ws [N, num_conv + 1, w_dim]; returns {x, img}.
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& x, const torch::Tensor& img,
                                                  const torch::Tensor& ws, NoiseMode noise, bool fused,
                                                  const Precision& precision);
  int num_conv() const { return in_ == 0 ? 1 : 2; }
  bool use_fp16() const { return use_fp16_; }  // runs in Precision::dtype when enabled
  torch::Tensor const_input, resample_filter;

 private:
  int in_;
  bool use_fp16_;
  SynthesisLayer conv0_{nullptr}, conv1_{nullptr};
  ToImageLayer torgb_{nullptr};
};
TORCH_MODULE(SynthesisBlock);

class SynthesisNetworkImpl : public torch::nn::Module {
 public:
  explicit SynthesisNetworkImpl(const NetConfig& cfg);
  torch::Tensor forward(const torch::Tensor& ws, NoiseMode noise, bool fused, const Precision& precision);
  int num_ws() const { return num_ws_; }

 private:
  std::vector<SynthesisBlock> blocks_;
  int num_ws_ = 0;
};
TORCH_MODULE(SynthesisNetwork);

class GeneratorImpl : public torch::nn::Module {
 public:
  explicit GeneratorImpl(const NetConfig& cfg);
  // z [N, z_dim], c one-hot [N, c_dim] -> images [N, 1, R, R] in about [-1, 1].
  torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& c, double psi = 1.0,
                        NoiseMode noise = NoiseMode::kConst, bool fused = true);
  const NetConfig& config() const { return cfg_; }
  Precision precision;
  MappingNetwork mapping{nullptr};
  SynthesisNetwork synthesis{nullptr};

 private:
  NetConfig cfg_;
};
TORCH_MODULE(Generator);

class Conv2dLayerImpl : public torch::nn::Module {
 public:
  Conv2dLayerImpl(int in, int out, int kernel, bool bias, Act act, int up, int down, double conv_clamp);
  torch::Tensor forward(const torch::Tensor& x, double gain = 1.0);
  torch::Tensor weight, bias, resample_filter;

 private:
  Act act_;
  int up_, down_, padding_;
  double weight_gain_, conv_clamp_;
};
TORCH_MODULE(Conv2dLayer);

class DiscriminatorBlockImpl : public torch::nn::Module {
 public:
  DiscriminatorBlockImpl(int in, int tmp, int out, int img_channels, bool use_fp16, double conv_clamp);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& img, const Precision& precision);
  bool use_fp16() const { return use_fp16_; }  // runs in Precision::dtype when enabled

 private:
  int in_;
  bool use_fp16_;
  Conv2dLayer fromrgb_{nullptr}, conv0_{nullptr}, conv1_{nullptr}, skip_{nullptr};
};
TORCH_MODULE(DiscriminatorBlock);

class DiscriminatorEpilogueImpl : public torch::nn::Module {
 public:
  DiscriminatorEpilogueImpl(int in, int cmap_dim, int mbstd_group, int mbstd_channels, double conv_clamp);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cmap);

 private:
  int cmap_dim_, mbstd_group_, mbstd_channels_;
  Conv2dLayer conv_{nullptr};
  FullyConnected fc_{nullptr}, out_{nullptr};
};
TORCH_MODULE(DiscriminatorEpilogue);

class DiscriminatorImpl : public torch::nn::Module {
 public:
  explicit DiscriminatorImpl(const NetConfig& cfg);
  // img [N, 1, R, R], c one-hot [N, c_dim] -> logits [N, 1].
  torch::Tensor forward(const torch::Tensor& img, const torch::Tensor& c);
  Precision precision;

 private:
  NetConfig cfg_;
  std::vector<DiscriminatorBlock> blocks_;
  MappingNetwork mapping_{nullptr};
  DiscriminatorEpilogue b4_{nullptr};
};
TORCH_MODULE(Discriminator);

// The [1, 3, 3, 1] filter of the up/down-sampling layers.
torch::Tensor default_resample_filter();

}  // namespace xr::gan
