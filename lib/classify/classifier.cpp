#include "classify/classifier.hpp"

#include <nlohmann/json.hpp>

#include "core/errors.hpp"

namespace xr::classify {

int64_t flattened_feature_size(xr::nn::InceptionV3Impl& base, int64_t input_size) {
  torch::NoGradGuard no_grad;
  const bool was_training = base.is_training();
  base.eval();
  const auto fm = base.feature_map(torch::zeros({1, 3, input_size, input_size}));
  base.train(was_training);
  return fm.size(1) * fm.size(2) * fm.size(3);
}

Inc3ClassifierImpl::Inc3ClassifierImpl(int64_t num_classes, int64_t input_size, xr::nn::InceptionArch arch,
                                       int64_t base_classes) {
  if (arch == xr::nn::InceptionArch::kFid) {
    throw Error(Exit::kSoftware, "", "Inc3Classifier: the FID network is not a classifier base");
  }
  xr::nn::InceptionV3Options o;
  o.arch = arch;
  o.num_classes = base_classes;
  o.aux_logits = false;
  o.dropout = 0.0;  // include_top=False: no dropout before the Dense head
  base = register_module("base", xr::nn::InceptionV3(o));
  const int64_t features = flattened_feature_size(*base, input_size);
  head = register_module("head", ClassifierHead(features, num_classes));
}

void Inc3ClassifierImpl::initialise() {
  base->initialise();
  head->reset_keras();
}

torch::Tensor Inc3ClassifierImpl::base_features(const torch::Tensor& x) {
  return flatten_channels_last(base->feature_map(x));
}

torch::Tensor Inc3ClassifierImpl::forward(const torch::Tensor& x) { return head->forward(base_features(x)); }

std::map<std::string, std::string> model_metadata(const ModelInfo& info) {
  std::map<std::string, std::string> m = info.extra;
  m["format"] = kModelFormat;
  m["classes"] = nlohmann::json(info.classes).dump();
  m["input_size"] = std::to_string(info.input_size);
  m["arch"] = xr::nn::arch_name(info.arch);
  m["input_style"] = info.input_style;
  m["head"] = info.head;
  m["weights"] = info.weights;
  m["fine_tuned"] = info.fine_tuned ? "true" : "false";
  return m;
}

ModelInfo parse_model_metadata(const std::map<std::string, std::string>& metadata, const std::string& path) {
  auto get = [&](const std::string& key) {
    auto it = metadata.find(key);
    if (it == metadata.end()) fail_data(path, "not an inc3-train model (metadata has no '" + key + "')");
    return it->second;
  };
  if (get("format") != kModelFormat) {
    fail_data(path, "not an inc3-train model (format '" + get("format") + "', expected '" + kModelFormat + "')");
  }
  ModelInfo info;
  try {
    const auto classes = nlohmann::json::parse(get("classes"));
    info.classes = classes.get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception&) {
    fail_data(path, "metadata 'classes' is not a JSON list of names (" + get("classes") + ")");
  }
  if (info.classes.size() < 2) fail_data(path, "metadata 'classes' lists fewer than 2 classes");
  try {
    info.input_size = std::stoll(get("input_size"));
  } catch (const std::exception&) {
    fail_data(path, "metadata 'input_size' is not a number (" + get("input_size") + ")");
  }
  if (info.input_size < 75 || info.input_size > 4096) {
    fail_data(path, "metadata 'input_size' out of range (" + get("input_size") + ")");
  }
  const auto arch = metadata.find("arch");
  if (arch == metadata.end()) {
    info.arch = xr::nn::InceptionArch::kTorchvision;
  } else if (arch->second == "keras" || arch->second == "torchvision") {
    info.arch = xr::nn::parse_arch(arch->second);
  } else {
    fail_data(path, "metadata 'arch' is not keras or torchvision (" + arch->second + ")");
  }
  info.input_style = get("input_style");
  if (info.input_style != "keras") fail_data(path, "unsupported input_style (" + info.input_style + ")");
  info.head = get("head");
  info.weights = get("weights");
  info.fine_tuned = get("fine_tuned") == "true";
  for (const auto& [k, v] : metadata) {
    if (k != "format" && k != "classes" && k != "input_size" && k != "arch" && k != "input_style" &&
        k != "head" && k != "weights" && k != "fine_tuned") {
      info.extra[k] = v;
    }
  }
  return info;
}

void save_model(const std::string& path, Inc3ClassifierImpl& model, const ModelInfo& info) {
  xr::nn::write_safetensors(path, xr::nn::module_state(model), model_metadata(info));
}

namespace {
// The head's tensors in a model or run file: "head.<name>" (the base's are "base.<name>").
constexpr const char* kHeadPrefix = "head.";

int64_t dim_of(const xr::nn::Safetensors& f, const std::string& name, int d, const std::string& path) {
  auto it = f.tensors.find(name);
  if (it == f.tensors.end()) fail_data(path, "model file has no tensor " + name);
  if (it->second.dim() <= d) fail_data(path, "tensor " + name + " has too few dimensions");
  return it->second.size(d);
}
}  // namespace

void load_head(ClassifierHeadImpl& head, const xr::nn::Safetensors& file, const std::string& path) {
  xr::nn::load_module_state(head, file, path, kHeadPrefix, true);
}

void load_head(Inc3ClassifierImpl& model, const xr::nn::Safetensors& file, const std::string& path) {
  load_head(*model.head, file, path);
}

LoadedModel load_model(const std::string& path) {
  const xr::nn::Safetensors file = xr::nn::read_safetensors(path);
  LoadedModel out;
  out.info = parse_model_metadata(file.metadata, path);
  const int64_t base_classes = dim_of(file, "base.fc.weight", 0, path);
  const int64_t head_in = dim_of(file, std::string(kHeadPrefix) + "dense1.weight", 1, path);
  const int64_t head_out = dim_of(file, std::string(kHeadPrefix) + "logits.weight", 0, path);
  if (head_out != static_cast<int64_t>(out.info.classes.size())) {
    fail_data(path, "head has " + std::to_string(head_out) + " outputs but the metadata lists " +
                        std::to_string(out.info.classes.size()) + " classes");
  }
  out.model = Inc3Classifier(head_out, out.info.input_size, out.info.arch, base_classes);
  if (out.model->head->in_features != head_in) {
    fail_data(path, "head input size " + std::to_string(head_in) + " does not match input_size " +
                        std::to_string(out.info.input_size) + " (" + std::to_string(out.model->head->in_features) +
                        " features)");
  }
  xr::nn::load_module_state(*out.model, file, path, "", true);
  out.model->eval();
  return out;
}

}  // namespace xr::classify

namespace xr::classify {

std::string declared_arch(const xr::nn::Safetensors& file) {
  for (const char* key : {"arch", "variant"}) {  // inc3-train's models; convert_weights.py's files
    auto it = file.metadata.find(key);
    if (it != file.metadata.end()) return it->second;
  }
  return "";
}

void check_base_weights_arch(const xr::nn::Safetensors& file, const std::string& path, xr::nn::InceptionArch arch) {
  const std::string declared = declared_arch(file);
  const std::string wanted = xr::nn::arch_name(arch);
  if (!declared.empty() && declared != wanted) {
    throw Error(Exit::kUsage, path,
                "weights of the " + declared + " Inception-v3, not the " + wanted + " one (--arch " +
                    (declared == "fid" ? std::string("keras or torchvision: the FID network is not a classifier base")
                                       : declared) +
                    ")");
  }
  if (arch != xr::nn::InceptionArch::kKeras) return;
  // Keras' BatchNorm has no scale: weights with a gamma other than 1 come from
  // another network, whatever their metadata says.
  const std::string prefix = file.tensors.count("base.Conv2d_1a_3x3.conv.weight") ? "base." : "";
  for (const auto& [name, t] : file.tensors) {
    const bool gamma = name.rfind(prefix, 0) == 0 && name.size() > 10 &&
                       name.compare(name.size() - 10, 10, ".bn.weight") == 0;
    if (gamma && !t.to(torch::kFloat).eq(1).all().item<bool>()) {
      throw Error(Exit::kUsage, path,
                  name + " is not 1: these weights have BatchNorm scales, which Keras' InceptionV3 has not "
                         "(--arch torchvision)");
    }
  }
}

void load_base_weights(xr::nn::InceptionV3Impl& base, const xr::nn::Safetensors& file, const std::string& path) {
  if (file.tensors.empty()) return;
  check_base_weights_arch(file, path, base.options().arch);
  const std::string prefix = file.tensors.count("base.Conv2d_1a_3x3.conv.weight") ? "base." : "";
  const auto wanted = xr::nn::module_state(base);
  xr::nn::Safetensors filtered;
  filtered.metadata = file.metadata;
  for (const auto& [name, t] : wanted) {
    auto it = file.tensors.find(prefix + name);
    if (it == file.tensors.end()) {
      // fc is the ImageNet top, unused by the classifier: a file without it still loads.
      if (name.rfind("fc.", 0) == 0) {
        filtered.tensors[name] = t;
        continue;
      }
      fail_data(path, "not Inception-v3 weights in torchvision names (no tensor " + prefix + name + ")");
    }
    if (name.rfind("fc.", 0) == 0 && it->second.sizes() != t.sizes()) {
      filtered.tensors[name] = t;
      continue;
    }
    filtered.tensors[name] = it->second;
  }
  xr::nn::load_module_state(base, filtered, path, "", true);
}

ModelInfo training_model_info(const std::vector<std::string>& classes, int64_t input_size,
                              xr::nn::InceptionArch arch, const std::string& weights, bool fine_tuned) {
  ModelInfo info;
  info.classes = classes;
  info.input_size = input_size;
  info.arch = arch;
  info.input_style = "keras";
  info.weights = weights == "none" ? "none (random initialisation)" : weights;
  info.fine_tuned = fine_tuned;
  info.extra["feature_layout"] = "Mixed_7c map flattened channels-last (Keras Flatten order)";
  const std::string base_init =
      weights == "none" ? xr::nn::reference_initialisation(arch) : "weights from " + weights;
  info.extra["init"] = "base: " + base_init + "; head: glorot_uniform kernels, zero biases (Keras Dense)";
  return info;
}

void save_head(const std::string& path, ClassifierHeadImpl& head, const ModelInfo& info) {
  xr::nn::TensorMap t;
  for (const auto& [name, v] : xr::nn::module_state(head)) t[kHeadPrefix + name] = v;
  xr::nn::write_safetensors(path, t, model_metadata(info));
}

}  // namespace xr::classify
