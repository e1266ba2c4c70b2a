// The reduced-precision branches (Precision, gan-train --precision) on every device
// LibTorch can train them on, with the tests' tiny configuration: outputs close to
// float32 on the same weights, the blocks really computing in the reduced dtype, the
// activation clamp applied in it, every phase's gradients finite and float32, a short
// training run finite and recorded; and CUDA against the CPU on the same weights.
// CUDA cases skip without a CUDA device. A precision the device cannot train in skips
// on the CPU (float16 in LibTorch 1.13) and must be refused with exit status 69.
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "../temp_dir.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "gan/augment.hpp"
#include "gan/networks.hpp"
#include "gan/ops.hpp"
#include "gan/training.hpp"
#include "nn/safetensors.hpp"

namespace fs = std::filesystem;
using namespace xr::gan;

namespace {

// max |reduced - fp32| / max |fp32| on the same weights and inputs. bfloat16, measured
// on the CPU over seeds 1-8 at 16x16 (this file's configuration) and at 64x64 (cbase
// 4096, cmax 128): images at most 0.016, logits at most 0.013 (16x16) and 0.029 (64x64).
// float16 cannot run on the CPU here: its bounds assume its 8x finer rounding (3 more
// mantissa bits); the CUDA cases check them.
struct Tolerance {
  double image;   // G's images
  double logits;  // D's logits on one batch of images
};
Tolerance tolerance_for(torch::Dtype dtype) {
  if (dtype == torch::kBFloat16) return {0.04, 0.05};
  return {0.01, 0.01};
}

NetConfig tiny_config() {
  NetConfig cfg;  // 16x16: b8 and b16 reduced (num_fp16_res 4), b4 and the epilogue float32
  cfg.resolution = 16;
  cfg.c_dim = 2;
  cfg.z_dim = cfg.w_dim = 32;
  cfg.cbase = 128;
  cfg.cmax = 16;
  return cfg;
}

double relative_max_diff(const torch::Tensor& a, const torch::Tensor& ref) {
  const torch::Tensor r = ref.to(torch::kCPU, torch::kFloat64);
  return (a.to(torch::kCPU, torch::kFloat64) - r).abs().max().item<double>() / r.abs().max().item<double>();
}

// Every parameter of `m` has a gradient, float32 and finite, and most are non-zero;
// only names ending in `may_lack` may have none.
void expect_gradients_finite_float32(torch::nn::Module& m, const std::string& what,
                                     const std::string& may_lack = "") {
  int nonzero = 0, total = 0;
  for (const auto& p : m.named_parameters()) {
    ++total;
    const torch::Tensor& g = p.value().grad();
    if (!g.defined()) {
      const std::string& k = p.key();
      const bool excused = !may_lack.empty() && k.size() >= may_lack.size() &&
                           k.compare(k.size() - may_lack.size(), may_lack.size(), may_lack) == 0;
      EXPECT_TRUE(excused) << what << ": " << k << " has no gradient";
      continue;
    }
    EXPECT_EQ(g.scalar_type(), torch::kFloat32) << what << ": " << p.key();
    EXPECT_TRUE(torch::isfinite(g).all().item<bool>()) << what << ": " << p.key() << " has a non-finite gradient";
    nonzero += g.abs().max().item<double>() > 0 ? 1 : 0;
  }
  EXPECT_GT(nonzero, total / 2) << what << ": most gradients are zero";
}

void zero_grads(torch::nn::Module& m) {
  for (auto& p : m.parameters()) p.mutable_grad() = torch::Tensor();
}

struct Case {
  const char* device;
  const char* precision;
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return std::string(info.param.device) + "_" + info.param.precision;
}

class ReducedPrecision : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    xr::log::set_level(xr::log::Level::kQuiet);
    const std::string dev = GetParam().device;
    if (dev == "cuda" && !torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
    device_ = torch::Device(dev);
    precision_ = parse_precision(GetParam().precision);
    const std::string why = precision_support_error(precision_.dtype, device_);
    if (!why.empty()) {
      // Every CUDA device this project targets trains in both; the CPU may not.
      ASSERT_FALSE(device_.is_cuda()) << GetParam().precision << " on CUDA: " << why;
      GTEST_SKIP() << GetParam().precision << " cannot train on the CPU with this LibTorch: " << why;
    }
    if (device_.is_cuda()) {  // the fp32 references without TF32
      at::globalContext().setAllowTF32CuDNN(false);
      at::globalContext().setAllowTF32CuBLAS(false);
    }
    torch::manual_seed(1);
    g_ = Generator(tiny_config());
    d_ = Discriminator(tiny_config());
    g_->to(device_);
    d_->to(device_);
    z_ = torch::randn({8, 32}).to(device_);
    c_ = torch::eye(2).repeat({4, 1}).to(device_);
  }

  torch::Device device_{torch::kCPU};
  Precision precision_;
  Generator g_{nullptr};
  Discriminator d_{nullptr};
  torch::Tensor z_, c_;
};

}  // namespace

TEST_P(ReducedPrecision, ForwardIsCloseToFloat32OnTheSameWeights) {
  torch::NoGradGuard no_grad;
  const Tolerance tol = tolerance_for(precision_.dtype);
  const torch::Tensor ws = g_->mapping->forward(z_, c_);
  const torch::Tensor ref = g_->synthesis->forward(ws, NoiseMode::kConst, false, Precision{});
  const torch::Tensor img = g_->synthesis->forward(ws, NoiseMode::kConst, false, precision_);
  ASSERT_EQ(img.scalar_type(), torch::kFloat32);  // what the augmentation and D receive
  const double img_err = relative_max_diff(img, ref);
  EXPECT_GT(img_err, 0.0) << "the reduced precision changed nothing: not honoured on " << device_;
  EXPECT_LT(img_err, tol.image);
  // The inference path (generate_u8's): fused in float32, unfused when reduced.
  g_->precision = precision_;
  EXPECT_LT(relative_max_diff(g_->forward(z_, c_, 1.0, NoiseMode::kConst, true), ref), tol.image);

  const torch::Tensor ref_logits = d_->forward(ref, c_);
  d_->precision = precision_;
  const torch::Tensor logits = d_->forward(ref, c_);
  ASSERT_EQ(logits.scalar_type(), torch::kFloat32);
  const double logit_err = relative_max_diff(logits, ref_logits);
  EXPECT_GT(logit_err, 0.0);
  EXPECT_LT(logit_err, tol.logits);
  RecordProperty("image_relative_error", std::to_string(img_err));
  RecordProperty("logit_relative_error", std::to_string(logit_err));
}

TEST_P(ReducedPrecision, TheHighResolutionBlocksComputeInTheReducedDtype) {
  torch::NoGradGuard no_grad;
  const torch::Tensor ws = g_->mapping->forward(z_, c_);
  torch::Tensor x, img;
  int64_t w_idx = 0;
  int reduced = 0, full = 0;
  for (const auto& child : g_->synthesis->children()) {
    auto* block = child->as<SynthesisBlockImpl>();
    ASSERT_NE(block, nullptr);
    const torch::Tensor block_ws = ws.narrow(1, w_idx, block->num_conv() + 1);
    w_idx += block->num_conv();
    std::tie(x, img) = block->forward(x, img, block_ws, NoiseMode::kRandom, false, precision_);
    EXPECT_EQ(x.scalar_type(), block->use_fp16() ? precision_.dtype : torch::kFloat32);
    EXPECT_EQ(img.scalar_type(), torch::kFloat32);
    (block->use_fp16() ? reduced : full) += 1;
  }
  EXPECT_EQ(reduced, 2);  // b8, b16
  EXPECT_EQ(full, 1);     // b4
  torch::Tensor y;
  reduced = 0;
  for (const auto& child : d_->children()) {
    auto* block = child->as<DiscriminatorBlockImpl>();
    if (block == nullptr) continue;  // the class mapping and the epilogue
    y = block->forward(y, img, precision_);
    EXPECT_EQ(y.scalar_type(), block->use_fp16() ? precision_.dtype : torch::kFloat32);
    reduced += block->use_fp16() ? 1 : 0;
  }
  EXPECT_EQ(reduced, 2);
}

TEST_P(ReducedPrecision, ActivationsAreClampedInTheReducedDtype) {
  torch::NoGradGuard no_grad;
  const auto dtype = precision_.dtype;
  const torch::Tensor x = torch::randn({2, 4, 8, 8}).to(device_, dtype);
  const torch::Tensor w = torch::randn({2, 8}).to(device_);
  SynthesisLayer layer(4, 4, 8, 8, 1, 256);
  ToImageLayer to_image(4, 1, 8, 256);
  Conv2dLayer conv(4, 4, 3, true, Act::kLrelu, 1, 1, 256);
  layer->to(device_);
  to_image->to(device_);
  conv->to(device_);
  for (double bias : {1e4, -1e4}) {
    layer->bias.fill_(bias);
    to_image->bias.fill_(bias);
    conv->bias.fill_(bias);
    const double sign = bias > 0 ? 1 : -1;
    const torch::Tensor y = layer->forward(x, w, NoiseMode::kNone, false);
    EXPECT_EQ(y.scalar_type(), dtype);
    EXPECT_TRUE((y == sign * 256).all().item<bool>()) << "synthesis layer, bias " << bias;
    const torch::Tensor rgb = to_image->forward(x, w, false);
    EXPECT_EQ(rgb.scalar_type(), dtype);
    EXPECT_TRUE((rgb == sign * 256).all().item<bool>()) << "to-image layer, bias " << bias;
    // The discriminator's residual branch: clamp 256 * gain, rounded to the dtype.
    const double limit = 256 * std::sqrt(0.5);
    const torch::Tensor h = conv->forward(x, std::sqrt(0.5));
    EXPECT_EQ(h.scalar_type(), dtype);
    EXPECT_LT((h.to(torch::kFloat64) - sign * limit).abs().max().item<double>(), limit / 128) << "bias " << bias;
  }
}

TEST_P(ReducedPrecision, EveryPhaseHasFiniteFloat32Gradients) {
  g_->precision = d_->precision = precision_;
  const auto fo = torch::TensorOptions().device(device_);
  const torch::Tensor p = torch::full({}, 0.5, fo);  // the augmentation really transforms
  // G main: through the augmentation into D.
  {
    const torch::Tensor ws = g_->mapping->forward(z_, c_);
    const torch::Tensor img = g_->synthesis->forward(ws, NoiseMode::kRandom, false, precision_);
    const torch::Tensor aug = augment(img, p);
    ASSERT_EQ(aug.scalar_type(), torch::kFloat32);
    const torch::Tensor loss = torch::softplus(-d_->forward(aug, c_)).mean();
    ASSERT_EQ(loss.scalar_type(), torch::kFloat32);
    EXPECT_TRUE(std::isfinite(loss.item<double>()));
    loss.backward();
    expect_gradients_finite_float32(*g_, "G main");
  }
  // G path length: the double backward through G, the mean's gradient let through.
  {
    zero_grads(*g_);
    const torch::Tensor ws = g_->mapping->forward(z_.narrow(0, 0, 4), c_.narrow(0, 0, 4));
    const torch::Tensor img = g_->synthesis->forward(ws, NoiseMode::kRandom, false, precision_);
    const torch::Tensor noise = torch::randn_like(img) / 16.0;
    const torch::Tensor grads = torch::autograd::grad({(img * noise).sum()}, {ws}, {}, true, true)[0];
    ASSERT_EQ(grads.scalar_type(), torch::kFloat32);
    const torch::Tensor lengths = grads.square().sum(2).mean(1).sqrt();
    const torch::Tensor pl_mean = torch::lerp(torch::zeros({}, fo), lengths.mean(), 0.01);
    const torch::Tensor loss = ((lengths - pl_mean).square() * 2.0).mean();
    EXPECT_TRUE(std::isfinite(loss.item<double>()));
    loss.backward();
    // The to-image biases add constants: d img / d ws, and so the penalty, lacks them.
    expect_gradients_finite_float32(*g_->synthesis, "G path length", ".torgb.bias");
  }
  // D main and R1: the double backward through D and the augmentation.
  {
    zero_grads(*d_);
    torch::Tensor fake;
    {
      torch::NoGradGuard no_grad;
      fake = g_->synthesis->forward(g_->mapping->forward(z_, c_), NoiseMode::kRandom, false, precision_);
    }
    const torch::Tensor real = (torch::rand({8, 1, 16, 16}, fo) * 2 - 1).requires_grad_(true);
    const torch::Tensor real_logits = d_->forward(augment(real, p), c_);
    const torch::Tensor r1 = torch::autograd::grad({real_logits.sum()}, {real}, {}, true, true)[0];
    ASSERT_EQ(r1.scalar_type(), torch::kFloat32);
    const torch::Tensor loss = torch::softplus(d_->forward(augment(fake, p), c_)).mean() +
                               torch::softplus(-real_logits).mean() + r1.square().sum({1, 2, 3}).mean() * 0.5;
    EXPECT_TRUE(std::isfinite(loss.item<double>()));
    loss.backward();
    expect_gradients_finite_float32(*d_, "D main + R1");
  }
}

TEST_P(ReducedPrecision, ATrainingRunStaysFiniteAndRecordsItsPrecision) {
  xr_test::TempDir tmp("xr-gan-precision");
  TrainData data;
  data.classes = {"a", "b"};
  torch::manual_seed(5);
  data.pixels = torch::randint(0, 256, {16, 1, 16, 16}).to(torch::kUInt8);
  for (int i = 0; i < 16; ++i) data.labels.push_back(i % 2);
  TrainOptions o;
  o.net = tiny_config();
  o.batch = 4;
  o.kimg = 0.016;  // 4 minibatches: the first runs all four phases
  o.tick_kimg = 0.008;
  o.snap = 1;
  o.p = 0.3;
  o.precision = GetParam().precision;
  o.seed = 3;
  std::map<std::string, nlohmann::json> first_tick;
  for (const std::string& prec : {std::string(GetParam().precision), std::string("fp32")}) {
    o.precision = prec;
    fs::create_directories((tmp / prec).string());
    const TrainResult r = train(o, data, device_, (tmp / prec).string(), false);
    EXPECT_EQ(r.nimg, 16);
    std::ifstream stats((tmp / (prec + "/stats.jsonl")).string());
    std::string line;
    std::getline(stats, line);
    first_tick[prec] = nlohmann::json::parse(line);
    for (const char* key : {"loss_g", "loss_d", "loss_r1", "loss_pl"}) {
      ASSERT_TRUE(first_tick[prec][key].is_number()) << prec << " " << key;
      EXPECT_TRUE(std::isfinite(first_tick[prec][key].get<double>())) << prec << " " << key;
    }
    const auto snap = xr::nn::read_safetensors((tmp / (prec + "/" + r.last_snapshot)).string());
    const auto training = nlohmann::json::parse(snap.metadata.at("training"));
    EXPECT_EQ(training["precision"], prec);
    EXPECT_EQ(training["tf32"], false);
    EXPECT_EQ(training["pl_detach_mean"], false);
    for (const auto& [name, t] : snap.tensors) {
      EXPECT_EQ(t.scalar_type(), torch::kFloat32) << name;  // G, its EMA and D stay float32
      EXPECT_TRUE(torch::isfinite(t).all().item<bool>()) << name;
    }
  }
  // The first minibatch (before any update) in both precisions: losses close.
  const auto& a = first_tick[GetParam().precision];
  const auto& b = first_tick["fp32"];
  for (const char* key : {"loss_g", "loss_d"}) {
    EXPECT_NEAR(a[key].get<double>(), b[key].get<double>(), 0.02 * std::abs(b[key].get<double>())) << key;
  }
}

INSTANTIATE_TEST_SUITE_P(Branches, ReducedPrecision,
                         ::testing::Values(Case{"cpu", "bf16"}, Case{"cpu", "fp16"}, Case{"cuda", "bf16"},
                                           Case{"cuda", "fp16"}),
                         case_name);

TEST(PrecisionNames, AutoIsFloat16OnCudaAndFloat32OnTheCpu) {
  EXPECT_EQ(resolve_precision("auto", torch::Device(torch::kCPU)), "fp32");
  EXPECT_EQ(resolve_precision("fp32", torch::Device(torch::kCPU)), "fp32");
  if (torch::cuda::is_available()) EXPECT_EQ(resolve_precision("auto", torch::Device(torch::kCUDA)), "fp16");
  EXPECT_FALSE(parse_precision("fp32").enabled);
  EXPECT_EQ(parse_precision("bf16").dtype, torch::kBFloat16);
  EXPECT_EQ(parse_precision("fp16").dtype, torch::kHalf);
  try {
    parse_precision("fp8");
    FAIL() << "fp8 accepted";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kUsage);
  }
}

TEST(PrecisionNames, APrecisionTheCpuCannotTrainInIsRefusedWithTheReason) {
  const torch::Device cpu(torch::kCPU);
  for (const char* name : {"fp16", "bf16"}) {
    const std::string why = precision_support_error(parse_precision(name).dtype, cpu);
    if (why.empty()) {
      EXPECT_EQ(resolve_precision(name, cpu), name);
      continue;
    }
    try {
      resolve_precision(name, cpu);
      FAIL() << name << " accepted although " << why;
    } catch (const xr::Error& e) {
      EXPECT_EQ(e.code(), xr::Exit::kUnavailable);
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("--precision fp32"), std::string::npos) << e.what();
    }
  }
}

TEST(PrecisionNames, ProbingLeavesTheRandomStreamAsItWas) {
  torch::manual_seed(11);
  const torch::Tensor expected = torch::randn({4});
  torch::manual_seed(11);
  // A dtype/device pair not probed before in this program, so the probe really runs.
  precision_support_error(torch::kDouble, torch::Device(torch::kCPU));
  EXPECT_TRUE(torch::equal(torch::randn({4}), expected));
}

// The transposed convolution of the up-sampling layers runs as zero insertion and a
// correlation in bfloat16 on the CPU (LibTorch 1.13's own is broken there): it must
// equal the float32 transposed convolution on the same (rounded) values.
TEST(ReducedPrecisionOps, CpuBfloat16UpsamplingConvolutionEqualsFloat32) {
  torch::manual_seed(4);
  const torch::Tensor f = default_resample_filter();
  for (int64_t groups : {1, 2}) {
    const torch::Tensor x = torch::randn({2, 4, 8, 8}).to(torch::kBFloat16);
    const torch::Tensor w = torch::randn({6, 4 / groups, 3, 3}).to(torch::kBFloat16);
    const torch::Tensor ref = conv2d_resample(x.to(torch::kFloat32), w.to(torch::kFloat32), f, 2, 1, 1, groups);
    const torch::Tensor y = conv2d_resample(x, w, f, 2, 1, 1, groups);
    ASSERT_EQ(y.sizes(), ref.sizes()) << "groups " << groups;
    EXPECT_EQ(y.scalar_type(), torch::kBFloat16);
    EXPECT_LT(relative_max_diff(y, ref), 0.02) << "groups " << groups;
  }
}

// CUDA against the CPU on the same weights and inputs, float32 without TF32: the
// difference is summation order only.
TEST(CudaAgainstCpu, GeneratorAndDiscriminatorAgreeInFloat32) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  at::globalContext().setAllowTF32CuDNN(false);
  at::globalContext().setAllowTF32CuBLAS(false);
  NetConfig cfg;  // larger than the tiny one: 32x32, 3 classes, 64 channels at most
  cfg.resolution = 32;
  cfg.c_dim = 3;
  cfg.z_dim = cfg.w_dim = 64;
  cfg.cbase = 1024;
  cfg.cmax = 64;
  const torch::Device cuda(torch::kCUDA);
  torch::manual_seed(3);
  Generator g_cpu(cfg);
  Discriminator d_cpu(cfg);
  torch::manual_seed(3);
  Generator g_cuda(cfg);
  Discriminator d_cuda(cfg);
  g_cuda->to(cuda);
  d_cuda->to(cuda);
  const torch::Tensor z = torch::randn({8, 64});
  const torch::Tensor c = torch::eye(3).index_select(0, torch::tensor({0, 1, 2, 0, 1, 2, 0, 1}));
  torch::NoGradGuard no_grad;
  for (bool fused : {false, true}) {
    const torch::Tensor img_cpu = g_cpu->forward(z, c, 1.0, NoiseMode::kConst, fused);
    const torch::Tensor img_cuda = g_cuda->forward(z.to(cuda), c.to(cuda), 1.0, NoiseMode::kConst, fused);
    const double img_err = relative_max_diff(img_cuda, img_cpu);
    EXPECT_LT(img_err, 1e-4) << "fused " << fused;
    const torch::Tensor logits_cpu = d_cpu->forward(img_cpu, c);
    const torch::Tensor logits_cuda = d_cuda->forward(img_cpu.to(cuda), c.to(cuda));
    const double logit_err = relative_max_diff(logits_cuda, logits_cpu);
    EXPECT_LT(logit_err, 1e-4) << "fused " << fused;
    const std::string form = fused ? "fused" : "unfused";
    RecordProperty("fp32_image_relative_error_" + form, std::to_string(img_err));
    RecordProperty("fp32_logit_relative_error_" + form, std::to_string(logit_err));
  }
  // Reduced precision on CUDA against float32 on the CPU, within the tiny tolerances.
  for (const char* name : {"fp16", "bf16"}) {
    const Precision prec = parse_precision(name);
    const torch::Tensor ref = g_cpu->forward(z, c, 1.0, NoiseMode::kConst, false);
    g_cuda->precision = d_cuda->precision = prec;
    const torch::Tensor img = g_cuda->forward(z.to(cuda), c.to(cuda), 1.0, NoiseMode::kConst, false);
    const double img_err = relative_max_diff(img, ref);
    const double logit_err = relative_max_diff(d_cuda->forward(ref.to(cuda), c.to(cuda)), d_cpu->forward(ref, c));
    EXPECT_LT(img_err, tolerance_for(prec.dtype).image) << name;
    EXPECT_LT(logit_err, tolerance_for(prec.dtype).logits) << name;
    RecordProperty(std::string(name) + "_image_relative_error", std::to_string(img_err));
    RecordProperty(std::string(name) + "_logit_relative_error", std::to_string(logit_err));
    g_cuda->precision = d_cuda->precision = Precision{};
  }
}
