#include "gan/snapshot.hpp"

#include "core/errors.hpp"
#include "nn/safetensors.hpp"

namespace xr::gan {

std::map<std::string, std::string> snapshot_metadata(const SnapshotInfo& info) {
  return {{"format", kSnapshotFormat},
          {"architecture", info.net.to_json().dump()},
          {"classes", nlohmann::json(info.classes).dump()},
          {"nimg", std::to_string(info.nimg)},
          {"kimg", nlohmann::json(static_cast<double>(info.nimg) / 1000.0).dump()},
          {"augment_p", nlohmann::json(info.augment_p).dump()},
          {"training", info.training.dump()}};
}

SnapshotInfo parse_snapshot_metadata(const std::map<std::string, std::string>& meta, const std::string& path) {
  auto it = meta.find("format");
  if (it == meta.end() || it->second != kSnapshotFormat) {
    fail_data(path, "not a GAN snapshot (metadata 'format' is not " + std::string(kSnapshotFormat) + ")");
  }
  SnapshotInfo info;
  try {
    info.net = NetConfig::from_json(nlohmann::json::parse(meta.at("architecture")));
    info.classes = nlohmann::json::parse(meta.at("classes")).get<std::vector<std::string>>();
    info.nimg = std::stoll(meta.at("nimg"));
    info.augment_p = nlohmann::json::parse(meta.at("augment_p")).get<double>();
    if (meta.count("training")) info.training = nlohmann::json::parse(meta.at("training"));
  } catch (const Error& e) {
    fail_data(path, e.what());
  } catch (const std::exception& e) {
    fail_data(path, std::string("bad snapshot metadata (") + e.what() + ")");
  }
  if (info.net.c_dim != static_cast<int>(info.classes.size()) && !(info.net.c_dim == 0 && info.classes.size() == 1)) {
    fail_data(path, "snapshot metadata: " + std::to_string(info.classes.size()) + " class names for c_dim " +
                        std::to_string(info.net.c_dim));
  }
  return info;
}

void save_snapshot(const std::string& path, Generator& g, Generator& g_ema, Discriminator& d,
                   const SnapshotInfo& info) {
  nn::TensorMap tensors;
  for (const auto& [name, t] : nn::module_state(*g)) tensors["G." + name] = t;
  for (const auto& [name, t] : nn::module_state(*g_ema)) tensors["G_ema." + name] = t;
  for (const auto& [name, t] : nn::module_state(*d)) tensors["D." + name] = t;
  nn::write_safetensors(path, tensors, snapshot_metadata(info));
}

LoadedGenerator load_generator(const std::string& path, const torch::Device& device, const std::string& prefix) {
  const nn::Safetensors file = nn::read_safetensors(path);
  LoadedGenerator out;
  out.info = parse_snapshot_metadata(file.metadata, path);
  try {
    out.info.net.validate();
  } catch (const Error& e) {
    fail_data(path, std::string("snapshot architecture: ") + e.what());
  }
  out.g = Generator(out.info.net);
  nn::load_module_state(*out.g, file, path, prefix, true);
  out.g->to(device);
  out.g->eval();
  return out;
}

}  // namespace xr::gan
