#include "gan/loss.hpp"

#include <algorithm>
#include <cmath>

#include "core/rng.hpp"
#include "gan/augment.hpp"
#include "gan/generate.hpp"
#include "gan/streams.hpp"

namespace xr::gan {

void set_requires_grad(torch::nn::Module& m, bool on) {
  for (auto& p : m.parameters()) p.set_requires_grad(on);
}

void LossStats::reset(const torch::Device& dev) {
  auto z = [&] { return torch::zeros({}, torch::TensorOptions().device(dev).dtype(torch::kFloat64)); };
  g = z(), d = z(), r1 = z(), pl = z(), sign = z();
  ng = nd = nr1 = npl = nsign = 0;
}

TrainingStep::TrainingStep(const TrainOptions& o, const TrainData& data, const torch::Device& device)
    : o_(o), data_(data), dev_(device), pixels_(data.pixels.to(device)) {}

std::pair<torch::Tensor, torch::Tensor> TrainingStep::run_g(TrainState& s, const torch::Tensor& z,
                                                             const torch::Tensor& c) {
  torch::Tensor ws = s.g->mapping->forward(z, c, 1.0, true);
  if (o_.style_mixing > 0) {
    const int64_t num_ws = ws.size(1);
    int64_t cutoff = torch::randint(1, num_ws, {1}, torch::kLong).item<int64_t>();
    if (torch::rand({1}).item<double>() >= o_.style_mixing) cutoff = num_ws;
    const torch::Tensor ws2 = s.g->mapping->forward(torch::randn_like(z), c, 1.0, false);
    if (cutoff < num_ws) ws = torch::cat({ws.narrow(1, 0, cutoff), ws2.narrow(1, cutoff, num_ws - cutoff)}, 1);
  }
  torch::Tensor img = s.g->synthesis->forward(ws, NoiseMode::kRandom, false, s.g->precision);
  return {img, ws};
}

torch::Tensor TrainingStep::run_d(TrainState& s, const torch::Tensor& img, const torch::Tensor& c) {
  return s.d->forward(o_.aug == AugMode::kNoAug ? img : augment(img, s.aug_p), c);
}

torch::Tensor TrainingStep::real_batch(int64_t first_image, std::vector<int64_t>& labels) {
  const int64_t n = static_cast<int64_t>(data_.labels.size());
  std::vector<int64_t> idx;
  labels.clear();
  for (int64_t k = first_image; k < first_image + o_.batch; ++k) {
    const int64_t epoch = k / n;
    if (epoch != cached_epoch_) {
      perm_.resize(n);
      for (int64_t i = 0; i < n; ++i) perm_[i] = i;
      Rng rng(stream_seed(o_.seed, Stream::kEpochOrder, static_cast<uint64_t>(epoch)));
      rng.shuffle(perm_);
      cached_epoch_ = epoch;
    }
    idx.push_back(perm_[k % n]);
    labels.push_back(data_.labels[perm_[k % n]]);
  }
  const torch::Tensor t = torch::tensor(idx, torch::kLong).to(dev_);
  return pixels_.index_select(0, t).to(torch::kFloat32) / 127.5 - 1.0;
}

// Generated images get labels drawn from the training set's label distribution.
torch::Tensor TrainingStep::random_labels(int64_t n) {
  const torch::Tensor pick = torch::randint(0, static_cast<int64_t>(data_.labels.size()), {n}, torch::kLong);
  std::vector<int64_t> labels(n);
  for (int64_t i = 0; i < n; ++i) labels[i] = data_.labels[pick[i].item<int64_t>()];
  return one_hot(labels, o_.net.c_dim, dev_);
}

void TrainingStep::operator()(TrainState& s, LossStats& stats) {
  // Every random draw of this minibatch comes from generators seeded by (seed,
  // minibatch index): a resumed run continues the same streams.
  torch::manual_seed(stream_seed(o_.seed, Stream::kMinibatch, static_cast<uint64_t>(s.batch_idx)));
  std::vector<int64_t> real_labels;
  const torch::Tensor real = real_batch(s.cur_nimg, real_labels);
  const torch::Tensor real_c = one_hot(real_labels, o_.net.c_dim, dev_);
  const int64_t b = o_.batch;
  const int z_dim = o_.net.z_dim;
  const auto fo = torch::TensorOptions().device(dev_).dtype(torch::kFloat32);

  // ---- G main
  {
    const torch::Tensor z = torch::randn({b, z_dim}, fo), c = random_labels(b);
    s.opt_g.zero_grad();
    set_requires_grad(*s.g, true);
    auto [img, ws] = run_g(s, z, c);
    const torch::Tensor loss = torch::softplus(-run_d(s, img, c)).mean();
    loss.backward();
    set_requires_grad(*s.g, false);
    stats.g += loss.detach().to(torch::kFloat64);
    stats.ng += 1;
    s.opt_g.step();
  }
  // ---- G path-length regularisation: its own phase on the same optimiser.
  if (o_.pl_weight > 0 && s.batch_idx % o_.pl_interval == 0) {
    {
      s.opt_g.zero_grad();
      set_requires_grad(*s.g, true);
      const int64_t pb = std::max<int64_t>(b / o_.pl_batch_shrink, 1);
      const torch::Tensor z2 = torch::randn({b, z_dim}, fo), c2 = random_labels(b);
      auto [pimg, pws] = run_g(s, z2.narrow(0, 0, pb), c2.narrow(0, 0, pb));
      const torch::Tensor noise =
          torch::randn_like(pimg) / std::sqrt(static_cast<double>(pimg.size(2) * pimg.size(3)));
      const torch::Tensor grads =
          torch::autograd::grad({(pimg * noise).sum()}, {pws}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
      const torch::Tensor lengths = grads.square().sum(2).mean(1).sqrt();
      const torch::Tensor batch_mean = o_.pl_detach_mean ? lengths.mean().detach() : lengths.mean();
      const torch::Tensor pl_mean = torch::lerp(s.pl_mean, batch_mean, o_.pl_decay);
      s.pl_mean.copy_(pl_mean.detach());
      const torch::Tensor penalty = (lengths - pl_mean).square();
      // loss.py's `gen_img[:, 0, 0, 0] * 0` term: it keeps the image in the graph (the
      // reference needs that for its multi-GPU gradient sync) and adds exact zeros to
      // every gradient; kept so that the sums, and a non-finite image's NaN, are the
      // reference's.
      const torch::Tensor loss_pl = (pimg.select(1, 0).select(1, 0).select(1, 0) * 0 + penalty * o_.pl_weight).mean();
      (loss_pl * static_cast<double>(o_.pl_interval)).backward();
      set_requires_grad(*s.g, false);
      stats.pl += penalty.mean().detach().to(torch::kFloat64);
      stats.npl += 1;
    }
    s.opt_g.step();
  }

  // ---- D main: fakes down, reals up
  {
    const torch::Tensor z = torch::randn({b, z_dim}, fo), c = random_labels(b);
    s.opt_d.zero_grad();
    set_requires_grad(*s.d, true);
    torch::Tensor fake;
    {
      torch::NoGradGuard no_grad;
      fake = run_g(s, z, c).first;
    }
    const torch::Tensor loss_gen = torch::softplus(run_d(s, fake, c)).mean();
    loss_gen.backward();
    const torch::Tensor real_logits = run_d(s, real, real_c);
    const torch::Tensor loss_real = torch::softplus(-real_logits).mean();
    loss_real.backward();
    const torch::Tensor signs = real_logits.detach().sign().sum().to(torch::kFloat64);
    s.ada_sum += signs;
    s.ada_count += b;
    stats.sign += signs;
    stats.nsign += b;
    stats.d += (loss_gen + loss_real).detach().to(torch::kFloat64);
    stats.nd += 1;
    set_requires_grad(*s.d, false);
    s.opt_d.step();
  }
  // ---- D R1 on reals (through the augmentation): its own phase.
  if (o_.gamma > 0 && s.batch_idx % o_.r1_interval == 0) {
    s.opt_d.zero_grad();
    set_requires_grad(*s.d, true);
    {
      const torch::Tensor real_tmp = real.detach().requires_grad_(true);
      const torch::Tensor logits = run_d(s, real_tmp, real_c);
      const torch::Tensor grads =
          torch::autograd::grad({logits.sum()}, {real_tmp}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
      const torch::Tensor penalty = grads.square().sum({1, 2, 3});
      // loss.py's `real_logits * 0` term, for the reason of the path-length phase's.
      const torch::Tensor loss_r1 = (logits.squeeze(1) * 0 + penalty * (o_.gamma / 2)).mean();
      (loss_r1 * static_cast<double>(o_.r1_interval)).backward();
      const torch::Tensor s2 = logits.detach().sign().sum().to(torch::kFloat64);
      s.ada_sum += s2;
      s.ada_count += b;
      stats.sign += s2;
      stats.nsign += b;
      stats.r1 += penalty.mean().detach().to(torch::kFloat64);
      stats.nr1 += 1;
    }
    set_requires_grad(*s.d, false);
    s.opt_d.step();
  }

  // ---- G EMA, with the ramp-up over the first images
  {
    torch::NoGradGuard no_grad;
    double ema_nimg = o_.ema_kimg * 1000;
    if (o_.ema_rampup > 0) ema_nimg = std::min(ema_nimg, static_cast<double>(s.cur_nimg) * o_.ema_rampup);
    const double beta = std::pow(0.5, static_cast<double>(b) / std::max(ema_nimg, 1e-8));
    auto pe = s.g_ema->parameters(), pg = s.g->parameters();
    for (size_t i = 0; i < pe.size(); ++i) pe[i].copy_(torch::lerp(pg[i], pe[i], beta));
    auto be = s.g_ema->buffers(), bg = s.g->buffers();
    for (size_t i = 0; i < be.size(); ++i) be[i].copy_(bg[i]);
  }

  s.cur_nimg += b;
  s.batch_idx += 1;

  // ---- ADA: move p towards the target sign of D(real), at most batch*interval/ada_kimg a step
  if (o_.aug == AugMode::kAda && s.batch_idx % o_.ada_interval == 0 && s.ada_count > 0) {
    torch::NoGradGuard no_grad;
    const torch::Tensor mean = s.ada_sum / static_cast<double>(s.ada_count);
    const double rate = static_cast<double>(b * o_.ada_interval) / (o_.ada_kimg * 1000);
    const torch::Tensor adjust = torch::sign(mean - o_.target).to(torch::kFloat32) * rate;
    s.aug_p.copy_((s.aug_p + adjust).clamp_min(0));
    s.ada_sum.zero_();
    s.ada_count = 0;
  }
}

}  // namespace xr::gan
