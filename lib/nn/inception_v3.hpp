// Inception-v3 (torchvision's architecture and state-dict names) for the classifier
// and the FID/KID feature extractor; the FID variant reproduces pytorch-fid's and
// NVIDIA's blocks, so their converted weights give the standard pool features.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace xr::nn {

struct InceptionV3Options {
  int64_t num_classes = 1000;
  bool fid_variant = false;  // pytorch-fid / NVIDIA FID blocks; implies num_classes 1008
  bool aux_logits = false;   // never needed at 128x128; keep param names compatible
  double dropout = 0.5;
};

// Conv2d (no bias) + BatchNorm2d (eps 0.001) + ReLU, named conv / bn as torchvision.
struct BasicConv2dImpl : torch::nn::Module {
  BasicConv2dImpl(int64_t in, int64_t out, torch::ExpandingArray<2> kernel,
                  torch::ExpandingArray<2> stride = 1, torch::ExpandingArray<2> padding = 0);
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
