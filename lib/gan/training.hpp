// The StyleGAN2-ADA training loop (stylegan2-ada-pytorch's training_loop.py): the
// networks and their Adam optimisers with the lazy-regularisation correction, the
// minibatches of gan/loss, one JSON line of statistics per tick, snapshots with image
// grids and KID/FID (gan/snapshot_metrics), and a resume that continues exactly
// (gan/resume: images seen, augmentation strength, optimiser states, EMA, random
// streams: every minibatch draws from generators seeded by (seed, minibatch)). The
// pieces follow the reference's files: options (train.py), train_data (dataset.py),
// loss (loss.py), snapshot_metrics (metric_main.py).
#pragma once
#include <torch/torch.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gan/options.hpp"
#include "gan/run_options.hpp"
#include "gan/snapshot_metrics.hpp"
#include "gan/train_data.hpp"

namespace xr::gan {

struct TrainResult {
  int64_t nimg = 0;
  std::string last_snapshot;  // file name in the run folder
  std::string best_snapshot;
  double best_kid = std::numeric_limits<double>::quiet_NaN();  // on the split of select_on
};

// gan-train's results: the run folder, images shown, last and best snapshot, the best
// KID (null without metrics), select_on and the R1 gamma trained with.
nlohmann::json result_json(const TrainResult& r, const TrainOptions& o, const std::string& run_dir);

// Trains into run_dir (which must exist). With resume, continues from
// run_dir/resume.safetensors. metrics.features may be empty: no metrics, and best is
// the latest snapshot. Throws xr::Error(kSoftware) when a loss becomes NaN/Inf (the
// last good snapshot and resume state stay, and kNonFiniteStopFile says where it
// stopped), kUsage when select_on is "val" without metrics or validation features.
TrainResult train(const TrainOptions& o, const TrainData& data, const torch::Device& device,
                  const std::string& run_dir, bool resume, const MetricSetup& metrics = {});

}  // namespace xr::gan
