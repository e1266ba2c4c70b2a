// Inception-v3 after torchvision 0.14 (models/inception.py), Keras 2
// (keras/applications/inception_v3.py) and pytorch-fid's FID blocks
// (pytorch_fid/inception.py). Names and shapes of every parameter and buffer follow
// torchvision's state dict so converted weights load by name.
#include "nn/inception_v3.hpp"

#include "core/errors.hpp"

namespace xr::nn {

namespace {

namespace F = torch::nn::functional;

// The pooling of a block's pool branch: torchvision counts the padding in its 3x3
// average; the FID network (TensorFlow's graph) does not, and its last block max-pools.
enum class PoolKind { kAvg, kAvgNoPad, kMax };

torch::Tensor pool_3x3_same(const torch::Tensor& x, PoolKind kind) {
  switch (kind) {
    case PoolKind::kMax:
      return torch::max_pool2d(x, {3, 3}, {1, 1}, {1, 1});
    case PoolKind::kAvgNoPad:
      return torch::avg_pool2d(x, {3, 3}, {1, 1}, {1, 1}, /*ceil_mode=*/false,
                               /*count_include_pad=*/false);
    case PoolKind::kAvg:
    default:
      return torch::avg_pool2d(x, {3, 3}, {1, 1}, {1, 1}, /*ceil_mode=*/false,
                               /*count_include_pad=*/true);
  }
}

// What a block needs to know of the variant: its BatchNorm and its 3x3 average pool.
struct BlockStyle {
  InceptionArch arch;
  PoolKind pool;
};

// Brace lists ({1, 7}) cannot pass through the module holder's forwarding constructor.
BasicConv2d make_conv(const BlockStyle& st, int64_t in, int64_t out, torch::ExpandingArray<2> kernel,
                      torch::ExpandingArray<2> stride = 1, torch::ExpandingArray<2> padding = 0) {
  return BasicConv2d(in, out, kernel, stride, padding, st.arch);
}

struct InceptionAImpl : torch::nn::Module {
  InceptionAImpl(int64_t in, int64_t pool_features, const BlockStyle& st) : pool_(st.pool) {
    branch1x1 = register_module("branch1x1", make_conv(st, in, 64, 1));
    branch5x5_1 = register_module("branch5x5_1", make_conv(st, in, 48, 1));
    branch5x5_2 = register_module("branch5x5_2", make_conv(st, 48, 64, 5, 1, 2));
    branch3x3dbl_1 = register_module("branch3x3dbl_1", make_conv(st, in, 64, 1));
    branch3x3dbl_2 = register_module("branch3x3dbl_2", make_conv(st, 64, 96, 3, 1, 1));
    branch3x3dbl_3 = register_module("branch3x3dbl_3", make_conv(st, 96, 96, 3, 1, 1));
    branch_pool = register_module("branch_pool", make_conv(st, in, pool_features, 1));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto b1 = branch1x1->forward(x);
    auto b5 = branch5x5_2->forward(branch5x5_1->forward(x));
    auto b3 = branch3x3dbl_3->forward(branch3x3dbl_2->forward(branch3x3dbl_1->forward(x)));
    auto bp = branch_pool->forward(pool_3x3_same(x, pool_));
    return torch::cat({b1, b5, b3, bp}, 1);
  }
  PoolKind pool_;
  BasicConv2d branch1x1{nullptr}, branch5x5_1{nullptr}, branch5x5_2{nullptr},
      branch3x3dbl_1{nullptr}, branch3x3dbl_2{nullptr}, branch3x3dbl_3{nullptr},
      branch_pool{nullptr};
};
TORCH_MODULE(InceptionA);

struct InceptionBImpl : torch::nn::Module {
  InceptionBImpl(int64_t in, const BlockStyle& st) {
    branch3x3 = register_module("branch3x3", make_conv(st, in, 384, 3, 2));
    branch3x3dbl_1 = register_module("branch3x3dbl_1", make_conv(st, in, 64, 1));
    branch3x3dbl_2 = register_module("branch3x3dbl_2", make_conv(st, 64, 96, 3, 1, 1));
    branch3x3dbl_3 = register_module("branch3x3dbl_3", make_conv(st, 96, 96, 3, 2));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto b3 = branch3x3->forward(x);
    auto bd = branch3x3dbl_3->forward(branch3x3dbl_2->forward(branch3x3dbl_1->forward(x)));
    auto bp = torch::max_pool2d(x, {3, 3}, {2, 2});
    return torch::cat({b3, bd, bp}, 1);
  }
  BasicConv2d branch3x3{nullptr}, branch3x3dbl_1{nullptr}, branch3x3dbl_2{nullptr},
      branch3x3dbl_3{nullptr};
};
TORCH_MODULE(InceptionB);

struct InceptionCImpl : torch::nn::Module {
  InceptionCImpl(int64_t in, int64_t c7, const BlockStyle& st) : pool_(st.pool) {
    branch1x1 = register_module("branch1x1", make_conv(st, in, 192, 1));
    branch7x7_1 = register_module("branch7x7_1", make_conv(st, in, c7, 1));
    branch7x7_2 = register_module("branch7x7_2", make_conv(st, c7, c7, {1, 7}, 1, {0, 3}));
    branch7x7_3 = register_module("branch7x7_3", make_conv(st, c7, 192, {7, 1}, 1, {3, 0}));
    branch7x7dbl_1 = register_module("branch7x7dbl_1", make_conv(st, in, c7, 1));
    branch7x7dbl_2 = register_module("branch7x7dbl_2", make_conv(st, c7, c7, {7, 1}, 1, {3, 0}));
    branch7x7dbl_3 = register_module("branch7x7dbl_3", make_conv(st, c7, c7, {1, 7}, 1, {0, 3}));
    branch7x7dbl_4 = register_module("branch7x7dbl_4", make_conv(st, c7, c7, {7, 1}, 1, {3, 0}));
    branch7x7dbl_5 = register_module("branch7x7dbl_5", make_conv(st, c7, 192, {1, 7}, 1, {0, 3}));
    branch_pool = register_module("branch_pool", make_conv(st, in, 192, 1));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto b1 = branch1x1->forward(x);
    auto b7 = branch7x7_3->forward(branch7x7_2->forward(branch7x7_1->forward(x)));
    auto bd = branch7x7dbl_1->forward(x);
    bd = branch7x7dbl_3->forward(branch7x7dbl_2->forward(bd));
    bd = branch7x7dbl_5->forward(branch7x7dbl_4->forward(bd));
    auto bp = branch_pool->forward(pool_3x3_same(x, pool_));
    return torch::cat({b1, b7, bd, bp}, 1);
  }
  PoolKind pool_;
  BasicConv2d branch1x1{nullptr}, branch7x7_1{nullptr}, branch7x7_2{nullptr},
      branch7x7_3{nullptr}, branch7x7dbl_1{nullptr}, branch7x7dbl_2{nullptr},
      branch7x7dbl_3{nullptr}, branch7x7dbl_4{nullptr}, branch7x7dbl_5{nullptr},
      branch_pool{nullptr};
};
TORCH_MODULE(InceptionC);

struct InceptionDImpl : torch::nn::Module {
  InceptionDImpl(int64_t in, const BlockStyle& st) {
    branch3x3_1 = register_module("branch3x3_1", make_conv(st, in, 192, 1));
    branch3x3_2 = register_module("branch3x3_2", make_conv(st, 192, 320, 3, 2));
    branch7x7x3_1 = register_module("branch7x7x3_1", make_conv(st, in, 192, 1));
    branch7x7x3_2 = register_module("branch7x7x3_2", make_conv(st, 192, 192, {1, 7}, 1, {0, 3}));
    branch7x7x3_3 = register_module("branch7x7x3_3", make_conv(st, 192, 192, {7, 1}, 1, {3, 0}));
    branch7x7x3_4 = register_module("branch7x7x3_4", make_conv(st, 192, 192, 3, 2));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto b3 = branch3x3_2->forward(branch3x3_1->forward(x));
    auto b7 = branch7x7x3_2->forward(branch7x7x3_1->forward(x));
    b7 = branch7x7x3_4->forward(branch7x7x3_3->forward(b7));
    auto bp = torch::max_pool2d(x, {3, 3}, {2, 2});
    return torch::cat({b3, b7, bp}, 1);
  }
  BasicConv2d branch3x3_1{nullptr}, branch3x3_2{nullptr}, branch7x7x3_1{nullptr},
      branch7x7x3_2{nullptr}, branch7x7x3_3{nullptr}, branch7x7x3_4{nullptr};
};
TORCH_MODULE(InceptionD);

struct InceptionEImpl : torch::nn::Module {
  InceptionEImpl(int64_t in, const BlockStyle& st) : pool_(st.pool) {
    branch1x1 = register_module("branch1x1", make_conv(st, in, 320, 1));
    branch3x3_1 = register_module("branch3x3_1", make_conv(st, in, 384, 1));
    branch3x3_2a = register_module("branch3x3_2a", make_conv(st, 384, 384, {1, 3}, 1, {0, 1}));
    branch3x3_2b = register_module("branch3x3_2b", make_conv(st, 384, 384, {3, 1}, 1, {1, 0}));
    branch3x3dbl_1 = register_module("branch3x3dbl_1", make_conv(st, in, 448, 1));
    branch3x3dbl_2 = register_module("branch3x3dbl_2", make_conv(st, 448, 384, 3, 1, 1));
    branch3x3dbl_3a = register_module("branch3x3dbl_3a", make_conv(st, 384, 384, {1, 3}, 1, {0, 1}));
    branch3x3dbl_3b = register_module("branch3x3dbl_3b", make_conv(st, 384, 384, {3, 1}, 1, {1, 0}));
    branch_pool = register_module("branch_pool", make_conv(st, in, 192, 1));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto b1 = branch1x1->forward(x);
    auto b3 = branch3x3_1->forward(x);
    b3 = torch::cat({branch3x3_2a->forward(b3), branch3x3_2b->forward(b3)}, 1);
    auto bd = branch3x3dbl_2->forward(branch3x3dbl_1->forward(x));
    bd = torch::cat({branch3x3dbl_3a->forward(bd), branch3x3dbl_3b->forward(bd)}, 1);
    auto bp = branch_pool->forward(pool_3x3_same(x, pool_));
    return torch::cat({b1, b3, bd, bp}, 1);
  }
  PoolKind pool_;
  BasicConv2d branch1x1{nullptr}, branch3x3_1{nullptr}, branch3x3_2a{nullptr},
      branch3x3_2b{nullptr}, branch3x3dbl_1{nullptr}, branch3x3dbl_2{nullptr},
      branch3x3dbl_3a{nullptr}, branch3x3dbl_3b{nullptr}, branch_pool{nullptr};
};
TORCH_MODULE(InceptionE);

// Present only so that state dicts with AuxLogits.* load by name; never run here
// (it needs at least 17x17 after Mixed_6e, i.e. inputs well above 128x128).
struct InceptionAuxImpl : torch::nn::Module {
  InceptionAuxImpl(int64_t in, int64_t num_classes, const BlockStyle& st) {
    conv0 = register_module("conv0", make_conv(st, in, 128, 1));
    conv1 = register_module("conv1", make_conv(st, 128, 768, 5));
    fc = register_module("fc", torch::nn::Linear(768, num_classes));
  }
  BasicConv2d conv0{nullptr}, conv1{nullptr};
  torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(InceptionAux);

}  // namespace

BasicConv2dImpl::BasicConv2dImpl(int64_t in, int64_t out, torch::ExpandingArray<2> kernel,
                                 torch::ExpandingArray<2> stride, torch::ExpandingArray<2> padding,
                                 InceptionArch arch) {
  conv = register_module(
      "conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel)
                                    .stride(stride)
                                    .padding(padding)
                                    .bias(false)));
  const bool keras = arch == InceptionArch::kKeras;
  // Keras' momentum 0.99 keeps 0.99 of the moving statistics; PyTorch's momentum is
  // the share of the new batch. Epsilon 0.001 in all three sources.
  bn = register_module("bn", torch::nn::BatchNorm2d(
                                 torch::nn::BatchNorm2dOptions(out).eps(0.001).momentum(keras ? 0.01 : 0.1)));
  if (keras) bn->weight.requires_grad_(false);  // scale=False: gamma is the constant 1
  this->stride = {(*stride)[0], (*stride)[1]};
  this->padding = {(*padding)[0], (*padding)[1]};
}

torch::Tensor BasicConv2dImpl::forward(const torch::Tensor& x) {
  if (folded_weight.defined()) {
    auto y = torch::conv2d(x, folded_weight, folded_bias, stride, padding);
    return torch::relu_(y);
  }
  return torch::relu(bn->forward(conv->forward(x)));
}

void BasicConv2dImpl::fold_batch_norm() {
  torch::NoGradGuard no_grad;
  // y = gamma * (conv(x) - mean) / sqrt(var + eps) + beta, computed in double so
  // the folded network differs from the plain one by float rounding only.
  auto scale = bn->weight.to(torch::kDouble) /
               torch::sqrt(bn->running_var.to(torch::kDouble) + bn->options.eps());
  auto w = conv->weight.to(torch::kDouble) * scale.view({-1, 1, 1, 1});
  auto b = bn->bias.to(torch::kDouble) - bn->running_mean.to(torch::kDouble) * scale;
  folded_weight = w.to(conv->weight.scalar_type())
                      .contiguous(channels_last ? torch::MemoryFormat::ChannelsLast
                                                : torch::MemoryFormat::Contiguous);
  folded_bias = b.to(conv->weight.scalar_type());
}

void BasicConv2dImpl::set_channels_last(bool on) {
  channels_last = on;
  const auto format = on ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
  torch::NoGradGuard no_grad;
  conv->weight.set_data(conv->weight.contiguous(format));
  if (folded_weight.defined()) folded_weight = folded_weight.contiguous(format);
}

void BasicConv2dImpl::unfold_batch_norm() {
  folded_weight = torch::Tensor();
  folded_bias = torch::Tensor();
}

struct InceptionV3Impl::Blocks {
  BasicConv2d Conv2d_1a_3x3{nullptr}, Conv2d_2a_3x3{nullptr}, Conv2d_2b_3x3{nullptr},
      Conv2d_3b_1x1{nullptr}, Conv2d_4a_3x3{nullptr};
  InceptionA Mixed_5b{nullptr}, Mixed_5c{nullptr}, Mixed_5d{nullptr};
  InceptionB Mixed_6a{nullptr};
  InceptionC Mixed_6b{nullptr}, Mixed_6c{nullptr}, Mixed_6d{nullptr}, Mixed_6e{nullptr};
  InceptionAux AuxLogits{nullptr};
  InceptionD Mixed_7a{nullptr};
  InceptionE Mixed_7b{nullptr}, Mixed_7c{nullptr};
  torch::nn::Dropout dropout{nullptr};
  torch::nn::Linear fc{nullptr};
};

InceptionV3Impl::InceptionV3Impl(const InceptionV3Options& options)
    : options_(options), blocks_(std::make_shared<Blocks>()) {
  const InceptionArch arch = options_.arch;
  if (arch == InceptionArch::kFid) options_.num_classes = 1008;
  if (options_.num_classes < 1) {
    throw Error(Exit::kSoftware, "",
                "InceptionV3: num_classes must be positive (" +
                    std::to_string(options_.num_classes) + ")");
  }
  const BlockStyle st{arch, arch == InceptionArch::kTorchvision ? PoolKind::kAvg : PoolKind::kAvgNoPad};
  auto& b = *blocks_;
  // Registration order equals torchvision's, so named_parameters() lists the state
  // dict in the same order as Python (and LibTorch's default init draws the same
  // numbers as PyTorch's for the same seed).
  b.Conv2d_1a_3x3 = register_module("Conv2d_1a_3x3", make_conv(st, 3, 32, 3, 2));
  b.Conv2d_2a_3x3 = register_module("Conv2d_2a_3x3", make_conv(st, 32, 32, 3));
  b.Conv2d_2b_3x3 = register_module("Conv2d_2b_3x3", make_conv(st, 32, 64, 3, 1, 1));
  b.Conv2d_3b_1x1 = register_module("Conv2d_3b_1x1", make_conv(st, 64, 80, 1));
  b.Conv2d_4a_3x3 = register_module("Conv2d_4a_3x3", make_conv(st, 80, 192, 3));
  b.Mixed_5b = register_module("Mixed_5b", InceptionA(192, 32, st));
  b.Mixed_5c = register_module("Mixed_5c", InceptionA(256, 64, st));
  b.Mixed_5d = register_module("Mixed_5d", InceptionA(288, 64, st));
  b.Mixed_6a = register_module("Mixed_6a", InceptionB(288, st));
  b.Mixed_6b = register_module("Mixed_6b", InceptionC(768, 128, st));
  b.Mixed_6c = register_module("Mixed_6c", InceptionC(768, 160, st));
  b.Mixed_6d = register_module("Mixed_6d", InceptionC(768, 160, st));
  b.Mixed_6e = register_module("Mixed_6e", InceptionC(768, 192, st));
  if (options_.aux_logits) {
    b.AuxLogits = register_module("AuxLogits", InceptionAux(768, options_.num_classes, st));
  }
  b.Mixed_7a = register_module("Mixed_7a", InceptionD(768, st));
  b.Mixed_7b = register_module("Mixed_7b", InceptionE(1280, st));
  // The FID network's last block max-pools (a quirk of TensorFlow's FID graph).
  b.Mixed_7c = register_module(
      "Mixed_7c", InceptionE(2048, arch == InceptionArch::kFid ? BlockStyle{arch, PoolKind::kMax} : st));
  b.dropout = register_module("dropout", torch::nn::Dropout(options_.dropout));
  b.fc = register_module("fc", torch::nn::Linear(2048, options_.num_classes));
}

const InceptionV3Options& InceptionV3Impl::options() const { return options_; }

namespace {

// PyTorch's torch.nn.init.trunc_normal_ (1.13), step for step, so that the same
// generator state gives the same numbers: uniform on [2l-1, 2u-1] with l, u the
// normal CDF at the bounds, inverse error function, scale, shift, clamp.
void trunc_normal_(torch::Tensor& t, double mean, double std, double a, double b) {
  const auto cdf = [](double x) { return (1.0 + std::erf(x / std::sqrt(2.0))) / 2.0; };
  const double l = cdf((a - mean) / std), u = cdf((b - mean) / std);
  t.uniform_(2 * l - 1, 2 * u - 1);
  t.erfinv_();
  t.mul_(std * std::sqrt(2.0));
  t.add_(mean);
  t.clamp_(a, b);
}

}  // namespace

void InceptionV3Impl::initialise() {
  torch::NoGradGuard no_grad;
  const bool keras = options_.arch == InceptionArch::kKeras;
  // modules() lists in registration order: torchvision's self.modules() order.
  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* conv = dynamic_cast<torch::nn::Conv2dImpl*>(m.get())) {
      if (keras) {
        torch::nn::init::xavier_uniform_(conv->weight);  // fans as Keras: k*k*in, k*k*out
      } else {
        trunc_normal_(conv->weight, 0.0, 0.1, -2.0, 2.0);
      }
    } else if (auto* fc = dynamic_cast<torch::nn::LinearImpl*>(m.get())) {
      if (keras) {
        torch::nn::init::xavier_uniform_(fc->weight);
        torch::nn::init::zeros_(fc->bias);
      } else {
        trunc_normal_(fc->weight, 0.0, 0.1, -2.0, 2.0);  // torchvision leaves the bias at PyTorch's default
      }
    } else if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get())) {
      torch::nn::init::ones_(bn->weight);
      torch::nn::init::zeros_(bn->bias);
      bn->reset_running_stats();
    }
  }
}

void InceptionV3Impl::set_batch_norm_keep(double keep) {
  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get())) bn->options.momentum(1.0 - keep);
  }
}

std::string reference_initialisation(InceptionArch arch) {
  if (arch == InceptionArch::kKeras) {
    return "keras: glorot_uniform kernels, zero biases, BatchNorm beta 0 (no gamma), moving mean 0, variance 1";
  }
  return "torchvision: trunc_normal(mean 0, std 0.1, a -2, b 2) Conv2d and Linear weights, BatchNorm weight 1, "
         "bias 0";
}

const char* arch_name(InceptionArch arch) {
  switch (arch) {
    case InceptionArch::kKeras:
      return "keras";
    case InceptionArch::kFid:
      return "fid";
    case InceptionArch::kTorchvision:
    default:
      return "torchvision";
  }
}

InceptionArch parse_arch(const std::string& name) {
  if (name == "torchvision") return InceptionArch::kTorchvision;
  if (name == "keras") return InceptionArch::kKeras;
  if (name == "fid") return InceptionArch::kFid;
  fail_usage("unknown Inception-v3 architecture '" + name + "' (torchvision, keras or fid)");
}

torch::Tensor InceptionV3Impl::feature_map(const torch::Tensor& input) {
  if (input.dim() != 4 || input.size(1) != 3 || input.size(2) < 75 || input.size(3) < 75) {
    throw Error(Exit::kDataErr, "",
                "InceptionV3: input must be [N,3,H,W] with H, W >= 75 (got " +
                    c10::str(input.sizes()) + ")");
  }
  auto& b = *blocks_;
  auto x = b.Conv2d_1a_3x3->forward(
      channels_last_ ? input.contiguous(torch::MemoryFormat::ChannelsLast) : input);
  x = b.Conv2d_2a_3x3->forward(x);
  x = b.Conv2d_2b_3x3->forward(x);
  x = torch::max_pool2d(x, {3, 3}, {2, 2});
  x = b.Conv2d_3b_1x1->forward(x);
  x = b.Conv2d_4a_3x3->forward(x);
  x = torch::max_pool2d(x, {3, 3}, {2, 2});
  x = b.Mixed_5b->forward(x);
  x = b.Mixed_5c->forward(x);
  x = b.Mixed_5d->forward(x);
  x = b.Mixed_6a->forward(x);
  x = b.Mixed_6b->forward(x);
  x = b.Mixed_6c->forward(x);
  x = b.Mixed_6d->forward(x);
  x = b.Mixed_6e->forward(x);
  x = b.Mixed_7a->forward(x);
  x = b.Mixed_7b->forward(x);
  return b.Mixed_7c->forward(x);
}

torch::Tensor InceptionV3Impl::features(const torch::Tensor& x) {
  return feature_map(x).mean({2, 3});
}

torch::Tensor InceptionV3Impl::forward(const torch::Tensor& x) {
  auto& b = *blocks_;
  return b.fc->forward(b.dropout->forward(features(x)));
}

void InceptionV3Impl::fold_batch_norm() {
  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* c = dynamic_cast<BasicConv2dImpl*>(m.get())) c->fold_batch_norm();
  }
  folded_ = true;
}

void InceptionV3Impl::unfold_batch_norm() {
  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* c = dynamic_cast<BasicConv2dImpl*>(m.get())) c->unfold_batch_norm();
  }
  folded_ = false;
}

void InceptionV3Impl::set_channels_last(bool on) {
  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* c = dynamic_cast<BasicConv2dImpl*>(m.get())) c->set_channels_last(on);
  }
  channels_last_ = on;
}

void InceptionV3Impl::train(bool on) {
  // Folded weights freeze the running statistics: training must see the real layers.
  if (on && folded_) unfold_batch_norm();
  torch::nn::Module::train(on);
}

torch::Tensor prepare_input(const torch::Tensor& pixels, InputStyle style, int64_t size) {
  if (pixels.dim() != 4 || (pixels.size(1) != 1 && pixels.size(1) != 3)) {
    throw Error(Exit::kDataErr, "",
                "prepare_input: expected [N,1,H,W] or [N,3,H,W] pixels (got " +
                    c10::str(pixels.sizes()) + ")");
  }
  auto x = pixels.to(torch::kFloat);
  if (x.size(1) == 1) x = x.expand({-1, 3, -1, -1});
  if (style == InputStyle::kFid) size = 299;
  auto resize = [&](const torch::Tensor& t) {
    if (size <= 0 || (t.size(2) == size && t.size(3) == size)) return t.contiguous();
    return F::interpolate(t, F::InterpolateFuncOptions()
                                 .size(std::vector<int64_t>{size, size})
                                 .mode(torch::kBilinear)
                                 .align_corners(false));
  };
  switch (style) {
    case InputStyle::kKeras:
      return resize(x) / 127.5 - 1.0;
    case InputStyle::kFid:
      // pytorch-fid: x in [0,1] resized, then 2x - 1 (the same as x/127.5 - 1).
      return resize(x / 255.0) * 2.0 - 1.0;
    case InputStyle::kTorchvision:
    default: {
      auto mean = torch::tensor({0.485, 0.456, 0.406}, x.options()).view({1, 3, 1, 1});
      auto std = torch::tensor({0.229, 0.224, 0.225}, x.options()).view({1, 3, 1, 1});
      return (resize(x / 255.0) - mean) / std;
    }
  }
}

}  // namespace xr::nn
