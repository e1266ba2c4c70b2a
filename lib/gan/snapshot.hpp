// GAN snapshots as safetensors: tensors "G.*", "G_ema.*" and "D.*" (the reference's
// parameter names under each prefix) and metadata with everything needed to rebuild
// and use the networks - architecture, class names, images seen, augmentation
// strength, the training options. gan-sample reads them (best.safetensors or any
// network-snapshot-*.safetensors).
#pragma once
#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gan/networks.hpp"

namespace xr::gan {

constexpr const char* kSnapshotFormat = "xr-gan-snapshot-1";

struct SnapshotInfo {
  NetConfig net;
  std::vector<std::string> classes;
  int64_t nimg = 0;
  double augment_p = 0;
  nlohmann::json training;  // the options the run used (gamma, batch, ...)
};

std::map<std::string, std::string> snapshot_metadata(const SnapshotInfo& info);
SnapshotInfo parse_snapshot_metadata(const std::map<std::string, std::string>& meta, const std::string& path);

// Atomic write of the three networks with `info` as metadata.
void save_snapshot(const std::string& path, Generator& g, Generator& g_ema, Discriminator& d,
                   const SnapshotInfo& info);

struct LoadedGenerator {
  Generator g{nullptr};
  SnapshotInfo info;
};

// Reads the generator stored under `prefix` ("G_ema." by default) on `device`, in
// eval mode. Errors: kNoInput (missing), kDataErr (not a GAN snapshot, bad tensors).
LoadedGenerator load_generator(const std::string& path, const torch::Device& device,
                               const std::string& prefix = "G_ema.");

}  // namespace xr::gan
