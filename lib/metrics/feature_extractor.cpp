#include "metrics/feature_extractor.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <cmath>
#include <filesystem>
#include <set>
#include <vector>

#include "classify/classifier.hpp"
#include "classify/runs.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/hash.hpp"
#include "nn/inception_v3.hpp"
#include "nn/safetensors.hpp"
#include "nn/torchscript_inception.hpp"

namespace fs = std::filesystem;

namespace xr::metrics {
namespace {

constexpr int kDefaultSize = 299;

const char* kWeightsHelp =
    "NVIDIA's inception-2015-12-05.pt (the StyleGAN2-ADA metrics network) used as it is, or "
    "pytorch-fid's pt_inception-2015-12-05-6726825d.pth converted with "
    "scripts/convert_weights.py IN.pth OUT.safetensors (see xr-toolkit(1), data/README.md); "
    "--features random always works, with numbers not comparable with published ones";

std::string device_type(const c10::Device& d) { return d.is_cuda() ? "cuda" : "cpu"; }

void check_pixels(const at::Tensor& px) {
  if (!px.defined() || px.dim() != 4 || px.size(1) != 1 || px.scalar_type() != at::kByte) {
    throw Error(Exit::kSoftware, "", "feature extraction needs uint8 [N,1,H,W] pixels");
  }
}

// Runs `fn` over batches of the pixels and stacks the [b, D] results on the CPU.
template <typename Fn>
at::Tensor batched(const at::Tensor& px, int batch, Fn fn) {
  check_pixels(px);
  const int64_t n = px.size(0);
  if (n == 0) return at::empty({0, 2048}, at::kFloat);
  torch::NoGradGuard no_grad;
  log::Progress progress("features", n);
  std::vector<at::Tensor> parts;
  for (int64_t b0 = 0; b0 < n; b0 += batch) {
    const int64_t b1 = std::min<int64_t>(n, b0 + batch);
    parts.push_back(fn(px.slice(0, b0, b1)).to(at::kCPU).to(at::kFloat));
    progress.advance(b1 - b0);
  }
  progress.finish();
  return at::cat(parts).contiguous();
}

// Our InceptionV3 module with some weights, an input style and size.
class ModuleExtractor : public FeatureExtractor {
 public:
  ModuleExtractor(nn::InceptionV3 net, nn::InputStyle style, int64_t size, c10::Device device, int batch,
                  std::string id, std::string description, bool comparable)
      : net_(std::move(net)), style_(style), size_(size), device_(device), batch_(batch),
        id_(std::move(id)), description_(std::move(description)), comparable_(comparable) {
    net_->eval();
    net_->to(device_);
    net_->fold_batch_norm();
  }
  at::Tensor extract(const at::Tensor& px) override {
    return batched(px, batch_, [&](const at::Tensor& b) {
      return net_->features(nn::prepare_input(b.to(device_), style_, size_));
    });
  }
  std::string id() const override { return id_; }
  std::string description() const override { return description_; }
  bool comparable_with_published() const override { return comparable_; }

 private:
  nn::InceptionV3 net_;
  nn::InputStyle style_;
  int64_t size_;
  c10::Device device_;
  int batch_;
  std::string id_, description_;
  bool comparable_;
};

class TorchScriptExtractor : public FeatureExtractor {
 public:
  TorchScriptExtractor(const std::string& path, c10::Device device, int batch, std::string id)
      : net_(path, device), batch_(batch), id_(std::move(id)) {}
  at::Tensor extract(const at::Tensor& px) override {
    return batched(px, batch_, [&](const at::Tensor& b) { return net_.features(b); });
  }
  std::string id() const override { return id_; }
  std::string description() const override {
    return "NVIDIA's FID Inception-v3 (TorchScript " + fs::path(net_.path()).filename().string() +
           "), 299x299: comparable with published FID/KID";
  }
  bool comparable_with_published() const override { return true; }

 private:
  nn::TorchScriptFeatures net_;
  int batch_;
  std::string id_;
};

std::string short_hash(const std::string& path) { return sha256_file(path).substr(0, 16); }

std::string meta(const nn::Safetensors& st, const std::string& key) {
  auto it = st.metadata.find(key);
  return it == st.metadata.end() ? "" : it->second;
}

// The tensors of `st` without the auxiliary head, which our module does not build.
nn::Safetensors without_aux(const nn::Safetensors& st) {
  nn::Safetensors out;
  out.metadata = st.metadata;
  for (const auto& [name, t] : st.tensors) {
    if (name.rfind("AuxLogits.", 0) != 0) out.tensors.emplace(name, t);
  }
  return out;
}

std::unique_ptr<FeatureExtractor> make_inception(const std::string& weights, c10::Device device, int batch) {
  if (weights.empty()) {
    throw Error(Exit::kNoInput, "", std::string("--features inception needs the FID network's weights "
                                                "(--weights FILE): ") + kWeightsHelp);
  }
  if (!fs::exists(weights)) fail_missing(weights, "no such weights file");
  const std::string id = "inception:sha256=" + short_hash(weights) + ":" + device_type(device);
  if (fs::path(weights).extension() == ".pt") {
    return std::make_unique<TorchScriptExtractor>(weights, device, batch, id);
  }
  const nn::Safetensors st = without_aux(nn::read_safetensors(weights));
  const std::string variant = meta(st, "variant");
  if (variant != "fid" && !(variant.empty() && st.tensors.count("fc.weight") &&
                            st.tensors.at("fc.weight").size(0) == 1008)) {
    fail_data(weights, "not the FID network's weights (variant '" + variant +
                           "'): convert pytorch-fid's pt_inception-2015-12-05 .pth, or use --features torchvision");
  }
  nn::InceptionV3Options o;
  o.arch = xr::nn::InceptionArch::kFid;
  o.num_classes = 1008;
  nn::InceptionV3 net(o);
  nn::load_module_state(*net, st, weights, "", true);
  return std::make_unique<ModuleExtractor>(
      net, nn::InputStyle::kFid, kDefaultSize, device, batch, id,
      "FID Inception-v3 (pytorch-fid weights, " + fs::path(weights).filename().string() +
          "), 299x299: comparable with published FID/KID",
      true);
}

std::unique_ptr<FeatureExtractor> make_torchvision(const std::string& weights, c10::Device device, int batch,
                                                   int size) {
  if (weights.empty()) {
    throw Error(Exit::kNoInput, "",
                "--features torchvision needs ImageNet Inception-v3 weights (--weights FILE): torchvision's "
                "inception_v3_google-0cc3c7bd.pth converted with scripts/convert_weights.py IN.pth "
                "OUT.safetensors (see xr-toolkit(1)); --features random always works, with numbers not "
                "comparable with published ones");
  }
  if (!fs::exists(weights)) fail_missing(weights, "no such weights file");
  const nn::Safetensors st = without_aux(nn::read_safetensors(weights));
  const std::string variant = meta(st, "variant");
  if (variant == "fid") fail_data(weights, "these are the FID network's weights: use --features inception");
  nn::InceptionV3 net(nn::InceptionV3Options{});
  nn::load_module_state(*net, st, weights, "", true);
  const std::string s = std::to_string(size);
  return std::make_unique<ModuleExtractor>(
      net, nn::InputStyle::kTorchvision, size, device, batch,
      "torchvision:sha256=" + short_hash(weights) + ":size=" + s + ":" + device_type(device),
      "torchvision ImageNet Inception-v3 pool features (" + fs::path(weights).filename().string() + "), " + s +
          "x" + s + ": not comparable with published FID/KID (those use the FID network)",
      false);
}

std::unique_ptr<FeatureExtractor> make_random(c10::Device device, uint64_t seed, int batch, int size) {
  nn::InceptionV3 net(nn::InceptionV3Options{});
  // He-normal convolutions from our own seeded generator: LibTorch's default init
  // shrinks the signal about sixfold a layer, so after Inception's 90-odd
  // convolutions a default-initialised network would map every image to ~0.
  // BatchNorm at its initial running statistics is the identity (eps aside).
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : net->named_parameters()) {
      at::Tensor w = p.value();
      if (w.dim() != 4) continue;
      const double fan_in = static_cast<double>(w.size(1) * w.size(2) * w.size(3));
      w.normal_(0.0, std::sqrt(2.0 / fan_in), gen);
    }
  }
  const std::string s = std::to_string(size);
  return std::make_unique<ModuleExtractor>(
      net, nn::InputStyle::kTorchvision, size, device, batch,
      "random:he-normal:seed=" + std::to_string(seed) + ":size=" + s + ":torch=" + TORCH_VERSION + ":" +
          device_type(device),
      "Inception-v3 with random weights (He normal, seed " + std::to_string(seed) + "), " + s + "x" + s +
          ": NOT comparable with published FID/KID, only with runs of the same seed and size",
      false);
}

std::unique_ptr<FeatureExtractor> make_classifier(const std::string& spec, c10::Device device, int batch) {
  const std::string file = fs::is_directory(spec) ? classify::model_file_path(spec) : spec;
  if (!fs::exists(file)) fail_missing(file, "no such classifier model (expected inc3-train's model.safetensors)");
  // The model file has one reader (classify::load_model): the base's architecture,
  // input size and style come from what inc3-train recorded.
  const classify::LoadedModel loaded = classify::load_model(file);
  const int size = static_cast<int>(loaded.info.input_size);
  const std::string s = std::to_string(size);
  const std::string arch = nn::arch_name(loaded.info.arch);
  return std::make_unique<ModuleExtractor>(
      loaded.model->base, nn::InputStyle::kKeras, size, device, batch,
      "model:sha256=" + short_hash(file) + ":size=" + s + ":" + loaded.info.input_style + ":" + device_type(device),
      "pool features of the " + arch + " Inception-v3 base of classifier " + file + " (" + s + "x" + s + ", " +
          loaded.info.input_style + " input): a domain-specific space, not comparable with published FID/KID",
      false);
}

}  // namespace

std::unique_ptr<FeatureExtractor> make_feature_extractor(const std::string& spec, const std::string& weights,
                                                         c10::Device device, uint64_t seed, int batch_size,
                                                         int input_size) {
  if (batch_size < 1) fail_usage("batch size must be at least 1 (" + std::to_string(batch_size) + ")");
  if (input_size != 0 && input_size < 75) {
    fail_usage("input size must be at least 75, Inception-v3's minimum (" + std::to_string(input_size) + ")");
  }
  const int size = input_size > 0 ? input_size : kDefaultSize;
  // Weights the network would silently not use make a run look like another one.
  if (!weights.empty() && spec != "inception" && spec != "torchvision") {
    fail_usage("weights '" + weights + "' given for the features '" + spec +
               "', which take none (weights are for inception and torchvision)");
  }
  if (spec == "inception") return make_inception(weights, device, batch_size);
  if (spec == "torchvision") return make_torchvision(weights, device, batch_size, size);
  if (spec == "random") return make_random(device, seed, batch_size, size);
  if (spec.find('/') != std::string::npos || spec.find('.') != std::string::npos || fs::exists(spec)) {
    return make_classifier(spec, device, batch_size);
  }
  fail_usage("unknown --features '" + spec +
             "': inception, torchvision, random, or the folder of a classifier written by inc3-train");
}

}  // namespace xr::metrics
