// One minibatch of StyleGAN2-ADA training (stylegan2-ada-pytorch's loss.py, its
// phases run as training_loop.py runs them): G main; G path length every pl_interval
// minibatches; D main; D R1 every r1_interval; the generator's EMA; ADA's adjustment
// of the augmentation probability every ada_interval minibatches.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "gan/options.hpp"
#include "gan/train_data.hpp"
#include "gan/train_state.hpp"

namespace xr::gan {

void set_requires_grad(torch::nn::Module& m, bool on);

// The losses of a tick, summed on the device (read once, at the tick's end).
struct LossStats {
  torch::Tensor g, d, r1, pl, sign;
  int64_t ng = 0, nd = 0, nr1 = 0, npl = 0, nsign = 0;
  void reset(const torch::Device& dev);
};

class TrainingStep {
 public:
  // o and data must outlive the step; the images go to the device once.
  TrainingStep(const TrainOptions& o, const TrainData& data, const torch::Device& device);

  // Trains s on minibatch s.batch_idx (real images s.cur_nimg onwards, in the epoch
  // order of their stream) and advances both counters. Every random draw comes from
  // generators seeded by (seed, minibatch index): a resumed run continues the streams.
  void operator()(TrainState& s, LossStats& stats);

 private:
  std::pair<torch::Tensor, torch::Tensor> run_g(TrainState& s, const torch::Tensor& z, const torch::Tensor& c);
  torch::Tensor run_d(TrainState& s, const torch::Tensor& img, const torch::Tensor& c);
  torch::Tensor real_batch(int64_t first_image, std::vector<int64_t>& labels);
  torch::Tensor random_labels(int64_t n);

  const TrainOptions& o_;
  const TrainData& data_;
  torch::Device dev_;
  torch::Tensor pixels_;  // the training images on the device
  int64_t cached_epoch_ = -1;
  std::vector<int64_t> perm_;  // the image order of cached_epoch_
};

}  // namespace xr::gan
