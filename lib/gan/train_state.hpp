// Everything a StyleGAN2-ADA training changes as it goes, all of which a resume
// restores: the networks, their optimisers, the augmentation strength and the
// counters (training_loop.py keeps the same in its loop's locals).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <limits>
#include <string>

#include "gan/adam.hpp"
#include "gan/networks.hpp"

namespace xr::gan {

struct TrainState {
  Generator g{nullptr}, g_ema{nullptr};
  Discriminator d{nullptr};
  Adam opt_g, opt_d;
  torch::Tensor aug_p;    // ADA's augmentation probability, a scalar on the device
  torch::Tensor pl_mean;  // the path-length penalty's running mean
  torch::Tensor ada_sum;  // sum of sign(D(real)) since ADA's last adjustment
  int64_t ada_count = 0;  // reals behind ada_sum
  int64_t cur_nimg = 0, batch_idx = 0, cur_tick = 0, tick_start_nimg = 0;
  double total_sec = 0;
  double best_kid = std::numeric_limits<double>::infinity();  // of best_snapshot
  std::string best_snapshot, last_snapshot;                    // file names in the run folder
};

}  // namespace xr::gan
