// The StyleGAN2-ADA training loop (stylegan2-ada-pytorch's training_loop.py and
// loss.py): phases G main, G path-length (every 4 minibatches), D main, D R1 (every
// 16), Adam with the lazy-regularisation correction, generator EMA, ADA, one JSON
// line of statistics per tick, snapshots with image grids and KID/FID, and a resume
// that continues exactly (images seen, augmentation strength, optimiser states, EMA,
// random streams: every minibatch draws from generators seeded by (seed, minibatch)).
// Every snapshot's KID/FID stands beside its real-vs-real floor (metrics/floor.hpp),
// and, with a validation split, beside the same metrics against it.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gan/augment.hpp"
#include "gan/networks.hpp"
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


// Trains into run_dir (which must exist). With resume, continues from
// run_dir/resume.safetensors. features may be empty: no metrics, and best is the
// latest snapshot. Throws xr::Error(kSoftware) when a loss becomes NaN/Inf (the last
// good snapshot and resume state stay, and kNonFiniteStopFile says where it stopped),
// kUsage when select_on is "val" without metrics or validation features.
// gan-train's results: the run folder, images shown, last and best snapshot, the best
// KID (null without metrics), select_on and the R1 gamma trained with.
nlohmann::json result_json(const TrainResult& r, const TrainOptions& o, const std::string& run_dir);

TrainResult train(const TrainOptions& o, const TrainData& data, const torch::Device& device,
                  const std::string& run_dir, bool resume, const MetricSetup& metrics = {});

}  // namespace xr::gan
