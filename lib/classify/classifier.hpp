// The paper's classifier: Inception-v3 without its top (the Mixed_7c feature map,
// no pooling, as Keras' InceptionV3(include_top=False) gives it) flattened in
// Keras' channels-last order, then the Dense head. At 128x128 the map is 2x2x2048,
// so the head sees 8192 values. Also the model file (MODEL_DIR/model.safetensors)
// that cls-eval and fid-kid read: "base.<torchvision names>", "head.*", and the
// metadata contract below.
#pragma once
#include <torch/nn/module.h>

#include <map>
#include <string>
#include <vector>

#include "classify/head.hpp"
#include "nn/inception_v3.hpp"
#include "nn/safetensors.hpp"

namespace xr::classify {

inline constexpr const char* kModelFormat = "xr-inc3-classifier";

struct Inc3ClassifierImpl : torch::nn::Module {
  // The head's input size follows from input_size (one no-grad pass of a zero image).
  Inc3ClassifierImpl(int64_t num_classes, int64_t input_size,
                     xr::nn::InceptionArch arch = xr::nn::InceptionArch::kKeras, int64_t base_classes = 1000);
  // x: [N, 3, S, S] prepared input (nn::prepare_input, kKeras) -> logits.
  torch::Tensor forward(const torch::Tensor& x);
  // Training from scratch: the base gets its architecture's reference initialisation
  // (InceptionV3Impl::initialise), then the head Keras' Dense defaults, both drawn
  // from torch's global generator (torch::manual_seed first). A model about to
  // receive weights needs none of it.
  void initialise();
  // Flattened base features [N, F] for cached training of the head.
  torch::Tensor base_features(const torch::Tensor& x);

  xr::nn::InceptionV3 base{nullptr};
  ClassifierHead head{nullptr};
};
TORCH_MODULE(Inc3Classifier);

// The feature-map size (h*w*2048) the base gives at input_size x input_size.
int64_t flattened_feature_size(xr::nn::InceptionV3Impl& base, int64_t input_size);

struct ModelInfo {
  std::vector<std::string> classes;
  int64_t input_size = 128;
  // The base's variant. Files written before it was recorded are torchvision's
  // (the only one inc3-train built then).
  xr::nn::InceptionArch arch = xr::nn::InceptionArch::kKeras;
  std::string input_style = "keras";
  std::string head;        // describe_head()
  std::string weights;     // what the base started from
  bool fine_tuned = false; // the base was trained too
  std::map<std::string, std::string> extra;  // more metadata, written as is
};

std::map<std::string, std::string> model_metadata(const ModelInfo& info);
// Checks format, classes (a JSON list of strings), input_size, arch (keras or
// torchvision; absent: torchvision), input_style; kDataErr naming `path` otherwise.
ModelInfo parse_model_metadata(const std::map<std::string, std::string>& metadata, const std::string& path);

// Writes base.* and head.* of `model` with the metadata (atomic).
void save_model(const std::string& path, Inc3ClassifierImpl& model, const ModelInfo& info);

struct LoadedModel {
  Inc3Classifier model{nullptr};
  ModelInfo info;
};
// Reads a model file; the architecture from its metadata, shapes from the file
// (base fc size, head sizes); every tensor must load (kDataErr naming the first bad one).
LoadedModel load_model(const std::string& path);

// Loads only the head.* tensors of `file` into model's head, or into a head of its
// own (a run file of the frozen-base path), strictly.
void load_head(Inc3ClassifierImpl& model, const xr::nn::Safetensors& file, const std::string& path);
void load_head(ClassifierHeadImpl& head, const xr::nn::Safetensors& file, const std::string& path);

}  // namespace xr::classify

namespace xr::classify {

// Loads ImageNet (or other) Inception-v3 weights into the base after
// check_base_weights_arch: torchvision names, with or without a "base." prefix;
// tensors the base does not have (AuxLogits.*) are ignored, every base tensor must be present with its shape (kDataErr naming
// the first that is not). An empty file (no tensors): nothing to load.
void load_base_weights(xr::nn::InceptionV3Impl& base, const xr::nn::Safetensors& file, const std::string& path);

// The architecture a weights file declares: metadata "arch" (inc3-train's models) or
// "variant" (scripts/convert_weights.py); "" when it declares none.
std::string declared_arch(const xr::nn::Safetensors& file);
// kUsage naming `path` when the file declares another architecture than `arch`, or,
// for Keras' (which has no BatchNorm scale), holds a bn.weight other than 1.
void check_base_weights_arch(const xr::nn::Safetensors& file, const std::string& path, xr::nn::InceptionArch arch);

// The metadata contract of a freshly trained model.
ModelInfo training_model_info(const std::vector<std::string>& classes, int64_t input_size,
                              xr::nn::InceptionArch arch, const std::string& weights, bool fine_tuned);

// A run file of the frozen-base path: only head.* (the base is model.safetensors').
void save_head(const std::string& path, ClassifierHeadImpl& head, const ModelInfo& info);

}  // namespace xr::classify
