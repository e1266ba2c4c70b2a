// Inception-v3 in torchvision's state-dict names for the classifier and the FID/KID
// feature extractor, in three published variants: torchvision's, Keras' (the paper's
// classifier) and pytorch-fid's FID network (NVIDIA's blocks, so their converted
// weights give the standard pool features).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace xr::nn {

// The variants differ only where their sources differ; the wiring, channel order
// and kernel shapes are the same in all three (Keras' conv2d_bn calls are created
// in torchvision's registration order).
enum class InceptionArch {
  kTorchvision,  // torchvision 0.14 models/inception.py: BatchNorm with scale, momentum 0.1;
                 // the 3x3 average pools count the zero padding
  kKeras,        // keras.applications.InceptionV3: BatchNorm without scale (gamma fixed at 1),
                 // momentum 0.99 (PyTorch's 0.01); average pools ('same') exclude the padding
  kFid,          // pytorch-fid's FID network: pools exclude the padding, Mixed_7c max-pools;
                 // 1008 classes
};
const char* arch_name(InceptionArch arch);  // "torchvision", "keras", "fid"
// kUsage for anything else, naming the value.
InceptionArch parse_arch(const std::string& name);
// What InceptionV3Impl::initialise draws for `arch`, in words, for model metadata.
std::string reference_initialisation(InceptionArch arch);

struct InceptionV3Options {
  InceptionArch arch = InceptionArch::kTorchvision;
  int64_t num_classes = 1000;  // kFid: always 1008
  bool aux_logits = false;     // never needed at 128x128; keep param names compatible
  double dropout = 0.5;
};

// Conv2d (no bias) + BatchNorm2d (eps 0.001) + ReLU, named conv / bn as torchvision.
// Keras' BatchNorm has no scale: bn.weight stays 1 and is not trained.
struct BasicConv2dImpl : torch::nn::Module {
  BasicConv2dImpl(int64_t in, int64_t out, torch::ExpandingArray<2> kernel,
                  torch::ExpandingArray<2> stride = 1, torch::ExpandingArray<2> padding = 0,
                  InceptionArch arch = InceptionArch::kTorchvision);
  torch::Tensor forward(const torch::Tensor& x);
  // Folds the batch norm into the convolution (eval-time speed-up): afterwards
  // forward uses the folded weight and bias; the parameters themselves are untouched.
  void fold_batch_norm();
  void unfold_batch_norm();
  // Stores the convolution weights (plain and folded) channels-last (NHWC).
  void set_channels_last(bool on);

  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
  torch::Tensor folded_weight, folded_bias;  // undefined unless folded
  std::vector<int64_t> stride, padding;      // of conv, for the folded path
  bool channels_last = false;
};
TORCH_MODULE(BasicConv2d);

class InceptionV3Impl : public torch::nn::Module {
 public:
  explicit InceptionV3Impl(const InceptionV3Options& options = {});
  // x: [N, 3, H, W] float, normalised as the weights expect, H, W >= 75.
  torch::Tensor feature_map(const torch::Tensor& x);  // [N, 2048, h, w]: Mixed_7c output, before pooling
  torch::Tensor features(const torch::Tensor& x);     // [N, 2048]: global average pool of feature_map
  torch::Tensor forward(const torch::Tensor& x);      // logits: fc(dropout(features))
  const InceptionV3Options& options() const;

  // The initialisation of the variant's source, drawn from torch's global
  // generator (torch::manual_seed first) after LibTorch's own default init, as the
  // source does it after PyTorch's:
  //   torchvision: every Conv2d and Linear weight from a normal of std 0.1 truncated to
  //     [-2, 2] (PyTorch's trunc_normal_), BatchNorm weight 1, bias 0; with the same seed
  //     the weights equal torchvision's inception_v3(init_weights=True) bit for bit.
  //   keras: Glorot-uniform kernels (Keras' Conv2D/Dense default: U(+-sqrt(6/(fan_in +
  //     fan_out)))), zero biases, BatchNorm beta 0 (gamma fixed 1), moving mean 0, variance 1.
  //   fid: as torchvision (the FID network is only ever loaded from weights).
  void initialise();
  // The share of its moving statistics every BatchNorm keeps at each training step
  // (Keras' momentum; PyTorch's momentum is 1 minus it). Construction sets the
  // variant's own: 0.99 Keras, 0.9 torchvision and FID.
  void set_batch_norm_keep(double keep);

  // Eval-time speed-up: every conv+bn pair runs as one convolution with folded
  // weights computed from the current parameters and running statistics. Call again
  // after loading new weights or moving the module to another device (the folded
  // tensors are not registered); unfold_batch_norm() (or train()) returns to the
  // plain path. Results agree with the unfolded network to float rounding.
  void fold_batch_norm();
  void unfold_batch_norm();
  bool batch_norm_folded() const { return folded_; }
  // Runs the network in channels-last (NHWC) memory format: weights are converted
  // now, inputs on each call. Same results; speed depends on the CPU/GPU kernels.
  void set_channels_last(bool on);
  bool channels_last() const { return channels_last_; }
  void train(bool on = true) override;

 private:
  InceptionV3Options options_;
  bool folded_ = false;
  bool channels_last_ = false;
  struct Blocks;
  std::shared_ptr<Blocks> blocks_;
};
TORCH_MODULE(InceptionV3);

// How a uint8 gray batch [N,1,H,W] becomes the network input [N,3,S,S] float:
enum class InputStyle {
  kKeras,        // x/127.5 - 1, no resize unless size given (the paper's classifier)
  kTorchvision,  // x/255, ImageNet mean/std per channel, bilinear resize to `size`
  kFid,          // bilinear resize to 299 (align_corners false), x/127.5 - 1 (pytorch-fid)
};
// `size` <= 0 keeps the input size (kKeras, kTorchvision); kFid always gives 299.
// Also accepts [N,3,H,W] uint8 (colour kept) and float input holding 0..255 values.
torch::Tensor prepare_input(const torch::Tensor& pixels_u8, InputStyle style, int64_t size);

}  // namespace xr::nn
