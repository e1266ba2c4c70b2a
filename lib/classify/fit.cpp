#include "classify/fit.hpp"

#include <ATen/ATen.h>
#include <torch/utils.h>

#include <cmath>
#include <map>

#include "core/errors.hpp"
#include "core/rng.hpp"

namespace xr::classify {
namespace {

std::vector<std::vector<int64_t>> batches_of(const std::vector<int64_t>& order, int batch,
                                             bool avoid_single = false) {
  std::vector<std::vector<int64_t>> out;
  for (size_t i = 0; i < order.size(); i += batch) {
    out.emplace_back(order.begin() + i, order.begin() + std::min(order.size(), i + batch));
  }
  if (avoid_single && out.size() > 1 && out.back().size() == 1) {
    out[out.size() - 2].push_back(out.back()[0]);
    out.pop_back();
  }
  return out;
}

at::Tensor labels_tensor(const std::vector<int64_t>& labels, const std::vector<int64_t>& idx,
                         const at::Device& device) {
  std::vector<int64_t> y;
  y.reserve(idx.size());
  for (int64_t i : idx) y.push_back(labels[i]);
  return at::tensor(y, at::kLong).to(device);
}

// Keras keeps copies by value; a map of cloned parameters and buffers does the same.
std::map<std::string, at::Tensor> snapshot(torch::nn::Module& m) {
  std::map<std::string, at::Tensor> out;
  for (const auto& p : m.named_parameters()) out[p.key()] = p.value().detach().clone();
  for (const auto& b : m.named_buffers()) out[b.key()] = b.value().detach().clone();
  return out;
}

void restore(torch::nn::Module& m, const std::map<std::string, at::Tensor>& state) {
  torch::NoGradGuard no_grad;
  for (auto& p : m.named_parameters()) p.value().copy_(state.at(p.key()));
  for (auto& b : m.named_buffers()) b.value().copy_(state.at(b.key()));
}

struct EvalStats {
  double loss = 0, accuracy = 0;
};

EvalStats evaluate(torch::nn::Module& module, const LogitsFn& logits, const std::vector<int64_t>& labels,
                   int batch) {
  torch::NoGradGuard no_grad;
  module.eval();
  std::vector<int64_t> all(labels.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
  double loss_sum = 0, correct = 0;
  for (const auto& idx : batches_of(all, batch)) {
    const at::Tensor out = logits(true, idx);
    const at::Tensor y = labels_tensor(labels, idx, out.device());
    loss_sum += at::cross_entropy_loss(out.to(at::kFloat), y, {}, at::Reduction::Sum).item<double>();
    correct += out.argmax(1).eq(y).sum().item<double>();
  }
  const double n = static_cast<double>(labels.size());
  return {n > 0 ? loss_sum / n : 0.0, n > 0 ? correct / n : 0.0};
}

}  // namespace

std::vector<double> balanced_class_weights(const std::vector<int64_t>& labels, int num_classes) {
  std::vector<double> count(num_classes, 0.0);
  for (int64_t y : labels) count.at(y) += 1;
  std::vector<double> w(num_classes, 0.0);
  for (int c = 0; c < num_classes; ++c) {
    w[c] = count[c] > 0 ? static_cast<double>(labels.size()) / (num_classes * count[c]) : 0.0;
  }
  return w;
}

FitResult fit(torch::nn::Module& module, const LogitsFn& logits, const std::vector<int64_t>& train_labels,
              const std::vector<int64_t>& val_labels, const FitOptions& o, const EpochFn& on_epoch) {
  std::vector<at::Tensor> params;
  for (auto& p : module.parameters()) {
    if (p.requires_grad()) params.push_back(p);
  }
  KerasRmsprop optimizer(params, o.rmsprop);
  FitResult result;
  std::map<std::string, at::Tensor> best_state;
  Rng rng(o.seed);
  std::vector<int64_t> order(train_labels.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);

  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    module.train();
    rng.shuffle(order);
    double loss_sum = 0, correct = 0, seen = 0;
    for (const auto& idx : batches_of(order, o.batch, o.avoid_single_batch)) {
      optimizer.zero_grad();
      const at::Tensor out = logits(false, idx).to(at::kFloat);
      const at::Tensor y = labels_tensor(train_labels, idx, out.device());
      at::Tensor per_sample = at::cross_entropy_loss(out, y, {}, at::Reduction::None);
      if (!o.class_weights.empty()) {
        const at::Tensor w = at::tensor(o.class_weights, at::kDouble).to(at::kFloat).to(out.device());
        per_sample = per_sample * w.index_select(0, y);
      }
      const at::Tensor loss = per_sample.mean();
      const double loss_value = loss.item<double>();
      if (!std::isfinite(loss_value)) {
        throw Error(Exit::kSoftware, "",
                    o.label + " epoch " + std::to_string(epoch) + ": training loss is not finite (" +
                        std::to_string(loss_value) + "); try a lower --lr");
      }
      loss.backward();
      optimizer.step();
      loss_sum += loss_value * idx.size();
      correct += out.detach().argmax(1).eq(y).sum().item<double>();
      seen += idx.size();
    }
    EpochStats s;
    s.epoch = epoch;
    s.train_loss = seen > 0 ? loss_sum / seen : 0.0;
    s.train_accuracy = seen > 0 ? correct / seen : 0.0;
    const EvalStats v = evaluate(module, logits, val_labels, o.eval_batch);
    s.val_loss = v.loss;
    s.val_accuracy = v.accuracy;
    if (!std::isfinite(s.val_loss)) {
      throw Error(Exit::kSoftware, "",
                  o.label + " epoch " + std::to_string(epoch) + ": validation loss is not finite; try a lower --lr");
    }
    result.history.push_back(s);
    if (result.best_epoch == 0 || s.val_accuracy > result.best_val_accuracy) {
      result.best_epoch = epoch;
      result.best_val_accuracy = s.val_accuracy;
      result.best_val_loss = s.val_loss;
      if (o.keep_best) best_state = snapshot(module);
    }
    if (on_epoch) on_epoch(s);
  }
  result.kept_epoch = o.epochs;
  if (o.keep_best && result.best_epoch > 0 && result.best_epoch != o.epochs) {
    restore(module, best_state);
    result.kept_epoch = result.best_epoch;
  }
  module.eval();
  return result;
}

}  // namespace xr::classify
