// The training loop shared by the frozen-base path (the head trained on cached
// features) and --fine-tune (the whole network on images): Keras' fit() with
// shuffling every epoch, categorical cross-entropy (optionally class-weighted the
// Keras way: per-sample weight, mean over the batch), RMSprop, and validation after
// every epoch. The weights of the best validation epoch (or the last) are kept.
#pragma once
#include <torch/nn/module.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "classify/keras_rmsprop.hpp"

namespace xr::classify {

struct FitOptions {
  int epochs = 11;
  int batch = 32;
  int eval_batch = 64;
  RmspropOptions rmsprop;
  std::vector<double> class_weights;  // empty: all 1
  uint64_t seed = 0;                  // shuffling
  bool keep_best = true;              // false: keep the last epoch's weights
  // Batch norm in training mode cannot normalise a 1x1 map from one image: a last
  // training batch of one image joins the batch before it (--fine-tune only).
  bool avoid_single_batch = false;
  std::string label;                  // "run 2", for messages
};

struct EpochStats {
  int epoch = 0;  // 1-based
  double train_loss = 0, train_accuracy = 0, val_loss = 0, val_accuracy = 0;
};

struct FitResult {
  std::vector<EpochStats> history;
  int best_epoch = 0;  // highest val accuracy; ties go to the earlier epoch
  double best_val_accuracy = 0, best_val_loss = 0;
  int kept_epoch = 0;  // whose weights `module` holds on return
};

// logits(val, idx): the model's logits for images idx of the training
// (val=false) or validation split. `module` holds every trained parameter (those
// with requires_grad) and is switched between train() and eval() here.
using LogitsFn = std::function<at::Tensor(bool val, const std::vector<int64_t>& idx)>;
using EpochFn = std::function<void(const EpochStats&)>;

// A non-finite training loss throws xr::Error(kSoftware) naming the run and epoch.
FitResult fit(torch::nn::Module& module, const LogitsFn& logits, const std::vector<int64_t>& train_labels,
              const std::vector<int64_t>& val_labels, const FitOptions& options, const EpochFn& on_epoch = {});

// sklearn's compute_class_weight("balanced"): n / (k * count_c).
std::vector<double> balanced_class_weights(const std::vector<int64_t>& labels, int num_classes);

}  // namespace xr::classify
