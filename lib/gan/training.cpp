#include "gan/training.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/dataset.hpp"
#include "core/errors.hpp"
#include "core/image_batch.hpp"
#include "core/log.hpp"
#include "core/png_io.hpp"
#include "core/rng.hpp"
#include "gan/adam.hpp"
#include "gan/generate.hpp"
#include "gan/snapshot.hpp"
#include "gan/streams.hpp"
#include "metrics/fid.hpp"
#include "metrics/floor.hpp"
#include "metrics/kid.hpp"
#include "nn/safetensors.hpp"

namespace fs = std::filesystem;

namespace xr::gan {

namespace {

void set_requires_grad(torch::nn::Module& m, bool on) {
  for (auto& p : m.parameters()) p.set_requires_grad(on);
}

void copy_state(torch::nn::Module& dst, torch::nn::Module& src) {
  torch::NoGradGuard no_grad;
  auto dp = dst.parameters(), sp = src.parameters();
  for (size_t i = 0; i < dp.size(); ++i) dp[i].copy_(sp[i]);
  auto db = dst.buffers(), sb = src.buffers();
  for (size_t i = 0; i < db.size(); ++i) db[i].copy_(sb[i]);
}

double peak_rss_gb() {
  struct rusage u {};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / (1024.0 * 1024.0);  // KiB on Linux
}

int64_t file_size_or_zero(const std::string& path) {
  std::error_code ec;
  auto s = fs::file_size(path, ec);
  return ec ? 0 : static_cast<int64_t>(s);
}

void append_line(const std::string& path, const std::string& line) {
  std::ofstream f(path, std::ios::app | std::ios::binary);
  if (!f) fail_create(path, "cannot open for appending");
  f << line << '\n';
  f.flush();
  if (!f) fail_io(path, "write failed");
}

// Lines appended after the last snapshot are dropped on resume: they describe
// training that the resume will redo.
void truncate_to(const std::string& path, int64_t size) {
  if (!fs::exists(path)) return;
  std::error_code ec;
  fs::resize_file(path, static_cast<uintmax_t>(size), ec);
  if (ec) fail_io(path, "cannot truncate (" + ec.message() + ")");
}

std::string nimg_name(const std::string& stem, int64_t nimg, const std::string& ext) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%09lld", static_cast<long long>(nimg));
  return stem + buf + ext;
}

struct Stats {
  torch::Tensor g, d, r1, pl, sign;
  int64_t ng = 0, nd = 0, nr1 = 0, npl = 0, nsign = 0;
  void reset(const torch::Device& dev) {
    auto z = [&] { return torch::zeros({}, torch::TensorOptions().device(dev).dtype(torch::kFloat64)); };
    g = z(), d = z(), r1 = z(), pl = z(), sign = z();
    ng = nd = nr1 = npl = nsign = 0;
  }
};

class Trainer {
 public:
  Trainer(const TrainOptions& o, const TrainData& data, const torch::Device& device, std::string run_dir,
          const MetricSetup& metrics)
      : o_(o),
        data_(data),
        dev_(device),
        run_dir_(std::move(run_dir)),
        features_(metrics.features),
        real_all_(metrics.real_features),
        feature_name_(metrics.name),
        val_all_(metrics.val_features),
        val_labels_(metrics.val_labels) {}

  TrainResult run(bool resume);

 private:
  void build();
  void step();
  std::pair<torch::Tensor, torch::Tensor> run_g(const torch::Tensor& z, const torch::Tensor& c);
  torch::Tensor run_d(const torch::Tensor& img, const torch::Tensor& c);
  torch::Tensor real_batch(std::vector<int64_t>& labels);
  torch::Tensor random_labels(int64_t n);
  void end_of_tick(bool done);
  void write_snapshot();
  void save_resume();
  void load_resume();
  void prepare_metrics();
  nlohmann::json evaluate(const std::string& snapshot);
  std::string path(const std::string& name) const { return (fs::path(run_dir_) / name).string(); }
  SnapshotInfo info() const;

  TrainOptions o_;
  const TrainData& data_;
  torch::Device dev_;
  std::string run_dir_;
  FeatureFn features_;
  torch::Tensor real_all_;
  std::string feature_name_;
  torch::Tensor val_all_;
  std::vector<int64_t> val_labels_;

  Generator g_{nullptr}, g_ema_{nullptr};
  Discriminator d_{nullptr};
  Adam opt_g_, opt_d_;
  torch::Tensor pixels_;  // on the device
  torch::Tensor aug_p_, pl_mean_, ada_sum_;
  int64_t ada_count_ = 0;
  int64_t cur_nimg_ = 0, batch_idx_ = 0, cur_tick_ = 0, tick_start_nimg_ = 0;
  double total_sec_ = 0;
  double best_kid_ = std::numeric_limits<double>::infinity();
  std::string best_snapshot_, last_snapshot_;
  Stats stats_;
  int64_t cached_epoch_ = -1;
  std::vector<int64_t> perm_;
  std::vector<torch::Tensor> real_features_;  // per class
  std::vector<torch::Tensor> val_features_;   // per class; empty without a validation split
  // The real-vs-real floors (per class and "mean"), computed once: they do not change.
  nlohmann::json kid_floor_, fid_floor_, kid_val_floor_, fid_val_floor_;
  std::chrono::steady_clock::time_point tick_start_time_;
};

void Trainer::build() {
  torch::manual_seed(o_.seed);
  g_ = Generator(o_.net);
  d_ = Discriminator(o_.net);
  g_ema_ = Generator(o_.net);
  copy_state(*g_ema_, *g_);
  g_->to(dev_);
  d_->to(dev_);
  g_ema_->to(dev_);
  g_->train();
  d_->train();
  g_ema_->eval();
  set_requires_grad(*g_ema_, false);
  const Precision prec = parse_precision(o_.precision);
  g_->precision = prec;
  d_->precision = prec;
  g_ema_->precision = prec;
  // Lazy regularisation: the main and regularisation phases share one optimiser whose
  // lr and betas are corrected for the regularisation steps (c = I / (I + 1)).
  const double cg = o_.pl_interval / (o_.pl_interval + 1.0), cd = o_.r1_interval / (o_.r1_interval + 1.0);
  opt_g_ = Adam(g_->parameters(), o_.glr * cg, std::pow(o_.beta1, cg), std::pow(o_.beta2, cg));
  opt_d_ = Adam(d_->parameters(), o_.dlr * cd, std::pow(o_.beta1, cd), std::pow(o_.beta2, cd));
  const auto fo = torch::TensorOptions().device(dev_).dtype(torch::kFloat32);
  aug_p_ = torch::full({}, o_.aug == AugMode::kNoAug ? 0.0 : o_.p, fo);
  pl_mean_ = torch::zeros({}, fo);
  ada_sum_ = torch::zeros({}, fo.dtype(torch::kFloat64));
  pixels_ = data_.pixels.to(dev_);
}

std::pair<torch::Tensor, torch::Tensor> Trainer::run_g(const torch::Tensor& z, const torch::Tensor& c) {
  torch::Tensor ws = g_->mapping->forward(z, c, 1.0, true);
  if (o_.style_mixing > 0) {
    const int64_t num_ws = ws.size(1);
    int64_t cutoff = torch::randint(1, num_ws, {1}, torch::kLong).item<int64_t>();
    if (torch::rand({1}).item<double>() >= o_.style_mixing) cutoff = num_ws;
    const torch::Tensor ws2 = g_->mapping->forward(torch::randn_like(z), c, 1.0, false);
    if (cutoff < num_ws) ws = torch::cat({ws.narrow(1, 0, cutoff), ws2.narrow(1, cutoff, num_ws - cutoff)}, 1);
  }
  torch::Tensor img = g_->synthesis->forward(ws, NoiseMode::kRandom, false, g_->precision);
  return {img, ws};
}

torch::Tensor Trainer::run_d(const torch::Tensor& img, const torch::Tensor& c) {
  return d_->forward(o_.aug == AugMode::kNoAug ? img : augment(img, aug_p_), c);
}

torch::Tensor Trainer::real_batch(std::vector<int64_t>& labels) {
  const int64_t n = static_cast<int64_t>(data_.labels.size());
  std::vector<int64_t> idx;
  labels.clear();
  for (int64_t k = cur_nimg_; k < cur_nimg_ + o_.batch; ++k) {
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
torch::Tensor Trainer::random_labels(int64_t n) {
  const torch::Tensor pick = torch::randint(0, static_cast<int64_t>(data_.labels.size()), {n}, torch::kLong);
  std::vector<int64_t> labels(n);
  for (int64_t i = 0; i < n; ++i) labels[i] = data_.labels[pick[i].item<int64_t>()];
  return one_hot(labels, o_.net.c_dim, dev_);
}

void Trainer::step() {
  // Every random draw of this minibatch comes from generators seeded by (seed,
  // minibatch index): a resumed run continues the same streams.
  torch::manual_seed(stream_seed(o_.seed, Stream::kMinibatch, static_cast<uint64_t>(batch_idx_)));
  std::vector<int64_t> real_labels;
  const torch::Tensor real = real_batch(real_labels);
  const torch::Tensor real_c = one_hot(real_labels, o_.net.c_dim, dev_);
  const int64_t b = o_.batch;
  const int z_dim = o_.net.z_dim;
  const auto fo = torch::TensorOptions().device(dev_).dtype(torch::kFloat32);

  // ---- G main
  {
    const torch::Tensor z = torch::randn({b, z_dim}, fo), c = random_labels(b);
    opt_g_.zero_grad();
    set_requires_grad(*g_, true);
    auto [img, ws] = run_g(z, c);
    const torch::Tensor loss = torch::softplus(-run_d(img, c)).mean();
    loss.backward();
    set_requires_grad(*g_, false);
    stats_.g += loss.detach().to(torch::kFloat64);
    stats_.ng += 1;
    opt_g_.step();
  }
  // ---- G path-length regularisation: its own phase on the same optimiser.
  if (o_.pl_weight > 0 && batch_idx_ % o_.pl_interval == 0) {
    {
      opt_g_.zero_grad();
      set_requires_grad(*g_, true);
      const int64_t pb = std::max<int64_t>(b / o_.pl_batch_shrink, 1);
      const torch::Tensor z2 = torch::randn({b, z_dim}, fo), c2 = random_labels(b);
      auto [pimg, pws] = run_g(z2.narrow(0, 0, pb), c2.narrow(0, 0, pb));
      const torch::Tensor noise =
          torch::randn_like(pimg) / std::sqrt(static_cast<double>(pimg.size(2) * pimg.size(3)));
      const torch::Tensor grads =
          torch::autograd::grad({(pimg * noise).sum()}, {pws}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
      const torch::Tensor lengths = grads.square().sum(2).mean(1).sqrt();
      const torch::Tensor batch_mean = o_.pl_detach_mean ? lengths.mean().detach() : lengths.mean();
      const torch::Tensor pl_mean = torch::lerp(pl_mean_, batch_mean, o_.pl_decay);
      pl_mean_.copy_(pl_mean.detach());
      const torch::Tensor penalty = (lengths - pl_mean).square();
      const torch::Tensor loss_pl = (pimg.select(1, 0).select(1, 0).select(1, 0) * 0 + penalty * o_.pl_weight).mean();
      (loss_pl * static_cast<double>(o_.pl_interval)).backward();
      set_requires_grad(*g_, false);
      stats_.pl += penalty.mean().detach().to(torch::kFloat64);
      stats_.npl += 1;
    }
    opt_g_.step();
  }

  // ---- D main: fakes down, reals up
  {
    const torch::Tensor z = torch::randn({b, z_dim}, fo), c = random_labels(b);
    opt_d_.zero_grad();
    set_requires_grad(*d_, true);
    torch::Tensor fake;
    {
      torch::NoGradGuard no_grad;
      fake = run_g(z, c).first;
    }
    const torch::Tensor loss_gen = torch::softplus(run_d(fake, c)).mean();
    loss_gen.backward();
    const torch::Tensor real_logits = run_d(real, real_c);
    const torch::Tensor loss_real = torch::softplus(-real_logits).mean();
    loss_real.backward();
    const torch::Tensor signs = real_logits.detach().sign().sum().to(torch::kFloat64);
    ada_sum_ += signs;
    ada_count_ += b;
    stats_.sign += signs;
    stats_.nsign += b;
    stats_.d += (loss_gen + loss_real).detach().to(torch::kFloat64);
    stats_.nd += 1;
    set_requires_grad(*d_, false);
    opt_d_.step();
  }
  // ---- D R1 on reals (through the augmentation): its own phase.
  if (o_.gamma > 0 && batch_idx_ % o_.r1_interval == 0) {
    opt_d_.zero_grad();
    set_requires_grad(*d_, true);
    {
      const torch::Tensor real_tmp = real.detach().requires_grad_(true);
      const torch::Tensor logits = run_d(real_tmp, real_c);
      const torch::Tensor grads =
          torch::autograd::grad({logits.sum()}, {real_tmp}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
      const torch::Tensor penalty = grads.square().sum({1, 2, 3});
      const torch::Tensor loss_r1 = (logits.squeeze(1) * 0 + penalty * (o_.gamma / 2)).mean();
      (loss_r1 * static_cast<double>(o_.r1_interval)).backward();
      const torch::Tensor s2 = logits.detach().sign().sum().to(torch::kFloat64);
      ada_sum_ += s2;
      ada_count_ += b;
      stats_.sign += s2;
      stats_.nsign += b;
      stats_.r1 += penalty.mean().detach().to(torch::kFloat64);
      stats_.nr1 += 1;
    }
    set_requires_grad(*d_, false);
    opt_d_.step();
  }

  // ---- G EMA, with the ramp-up over the first images
  {
    torch::NoGradGuard no_grad;
    double ema_nimg = o_.ema_kimg * 1000;
    if (o_.ema_rampup > 0) ema_nimg = std::min(ema_nimg, static_cast<double>(cur_nimg_) * o_.ema_rampup);
    const double beta = std::pow(0.5, static_cast<double>(b) / std::max(ema_nimg, 1e-8));
    auto pe = g_ema_->parameters(), pg = g_->parameters();
    for (size_t i = 0; i < pe.size(); ++i) pe[i].copy_(torch::lerp(pg[i], pe[i], beta));
    auto be = g_ema_->buffers(), bg = g_->buffers();
    for (size_t i = 0; i < be.size(); ++i) be[i].copy_(bg[i]);
  }

  cur_nimg_ += b;
  batch_idx_ += 1;

  // ---- ADA: move p towards the target sign of D(real), at most batch*interval/ada_kimg a step
  if (o_.aug == AugMode::kAda && batch_idx_ % o_.ada_interval == 0 && ada_count_ > 0) {
    torch::NoGradGuard no_grad;
    const torch::Tensor mean = ada_sum_ / static_cast<double>(ada_count_);
    const double rate = static_cast<double>(b * o_.ada_interval) / (o_.ada_kimg * 1000);
    const torch::Tensor adjust = torch::sign(mean - o_.target).to(torch::kFloat32) * rate;
    aug_p_.copy_((aug_p_ + adjust).clamp_min(0));
    ada_sum_.zero_();
    ada_count_ = 0;
  }
}

SnapshotInfo Trainer::info() const {
  SnapshotInfo s;
  s.net = o_.net;
  s.classes = data_.classes;
  s.nimg = cur_nimg_;
  s.augment_p = aug_p_.item<double>();
  s.training = o_.to_json();
  return s;
}

std::vector<torch::Tensor> rows_by_class(const torch::Tensor& all, const std::vector<int64_t>& labels, int n_classes) {
  std::vector<torch::Tensor> out;
  for (int c = 0; c < n_classes; ++c) {
    std::vector<int64_t> idx;
    for (size_t i = 0; i < labels.size(); ++i)
      if (labels[i] == c) idx.push_back(static_cast<int64_t>(i));
    out.push_back(all.index_select(0, torch::tensor(idx, torch::kLong)));
  }
  return out;
}

// Per class and "mean" (null when a class has no value: a mean over fewer classes
// would not sit beside the snapshot's mean).
struct ClassValues {
  nlohmann::json j = nlohmann::json::object();
  double sum = 0;
  bool complete = true;
  void set(const std::string& name, double v) {
    j[name] = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
    sum += v;
    complete = complete && std::isfinite(v);
  }
  void missing(const std::string& name) {
    j[name] = nullptr;
    complete = false;
  }
  nlohmann::json done(int n) {
    j["mean"] = complete ? nlohmann::json(sum / n) : nlohmann::json(nullptr);
    return j;
  }
};

// Real features per class and the floors, once a process (the floors follow
// --kid-subsets, which a resume may change, so they are not kept in the resume state).
void Trainer::prepare_metrics() {
  const int n_classes = static_cast<int>(data_.classes.size());
  if (!real_all_.defined()) real_all_ = features_(data_.pixels);
  real_features_ = rows_by_class(real_all_, data_.labels, n_classes);
  if (val_all_.defined()) val_features_ = rows_by_class(val_all_, val_labels_, n_classes);
  ClassValues kid_f, fid_f, kid_vf, fid_vf;
  for (int c = 0; c < n_classes; ++c) {
    const std::string& name = data_.classes[c];
    if (real_features_[c].size(0) >= metrics::kFloorMinImages) {
      const auto f = metrics::halves_floor(real_features_[c], o_.kid_subsets, o_.kid_subset_size, o_.seed);
      kid_f.set(name, f.kid.mean);
      fid_f.set(name, f.fid.fid);
    } else {
      log::warn("class '" + name + "': " + std::to_string(real_features_[c].size(0)) +
                " training images, no halves floor (it needs " + std::to_string(metrics::kFloorMinImages) + ")");
      kid_f.missing(name);
      fid_f.missing(name);
    }
    if (!val_features_.empty()) {
      // The training images stand where the generated ones will: the validation split
      // is the reference of both.
      const auto f = metrics::real_floor(val_features_[c], real_features_[c], o_.kid_subsets, o_.kid_subset_size,
                                         o_.seed);
      kid_vf.set(name, f.kid.mean);
      fid_vf.set(name, f.fid.fid);
    }
  }
  kid_floor_ = kid_f.done(n_classes);
  fid_floor_ = fid_f.done(n_classes);
  std::ostringstream msg;
  auto text = [](const nlohmann::json& v) {
    std::ostringstream s;
    if (v.is_number()) s << v.get<double>(); else s << "null";
    return s.str();
  };
  msg << "real-vs-real floor (training halves): KID " << text(kid_floor_["mean"]) << ", FID "
      << text(fid_floor_["mean"]);
  if (!val_features_.empty()) {
    kid_val_floor_ = kid_vf.done(n_classes);
    fid_val_floor_ = fid_vf.done(n_classes);
    msg << "; training vs validation: KID " << text(kid_val_floor_["mean"]) << ", FID "
        << text(fid_val_floor_["mean"]);
  }
  log::info(msg.str());
}

nlohmann::json Trainer::evaluate(const std::string& snapshot) {
  const int n_classes = static_cast<int>(data_.classes.size());
  if (real_features_.empty()) prepare_metrics();
  const bool with_val = !val_features_.empty();
  ClassValues kid_j, fid_j, kid_v, fid_v;
  for (int c = 0; c < n_classes; ++c) {
    const int64_t n_real = real_features_[c].size(0);
    const int64_t n_fake = o_.metric_samples > 0 ? o_.metric_samples : n_real;
    std::vector<uint64_t> seeds(n_fake);
    for (int64_t k = 0; k < n_fake; ++k) {
      seeds[k] = stream_seed(o_.seed, Stream::kEvalLatents, static_cast<uint64_t>(c) << 32 | static_cast<uint64_t>(k));
    }
    torch::manual_seed(stream_seed(o_.seed, Stream::kEvalNoise, static_cast<uint64_t>(cur_nimg_)));
    const torch::Tensor imgs = generate_u8(g_ema_, latents_from_seeds(seeds, o_.net.z_dim),
                                           std::vector<int64_t>(n_fake, c), 1.0, NoiseMode::kRandom, o_.batch);
    const torch::Tensor fake = features_(imgs);
    const std::string& name = data_.classes[c];
    kid_j.set(name, metrics::kid(real_features_[c], fake, o_.kid_subsets, o_.kid_subset_size, o_.seed).mean);
    fid_j.set(name, metrics::fid(real_features_[c], fake).fid);
    if (with_val) {  // the same generated images against the validation split
      kid_v.set(name, metrics::kid(val_features_[c], fake, o_.kid_subsets, o_.kid_subset_size, o_.seed).mean);
      fid_v.set(name, metrics::fid(val_features_[c], fake).fid);
    }
  }
  nlohmann::json line = {{"snapshot", snapshot},
                         {"nimg", cur_nimg_},
                         {"kimg", cur_nimg_ / 1000.0},
                         {"kid", kid_j.done(n_classes)},
                         {"fid", fid_j.done(n_classes)},
                         {"kid_floor", kid_floor_},
                         {"fid_floor", fid_floor_}};
  if (with_val) {
    line["kid_val"] = kid_v.done(n_classes);
    line["fid_val"] = fid_v.done(n_classes);
    line["kid_val_floor"] = kid_val_floor_;
    line["fid_val_floor"] = fid_val_floor_;
  }
  line["select_on"] = o_.select_on;
  line["features"] = feature_name_;
  line["timestamp"] = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  return line;
}

void Trainer::write_snapshot() {
  const std::string name = nimg_name("network-snapshot-", cur_nimg_, ".safetensors");
  const SnapshotInfo inf = info();
  save_snapshot(path(name), g_, g_ema_, d_, inf);
  last_snapshot_ = name;
  // Image grid: one row a class, the same latents in every row.
  {
    torch::manual_seed(stream_seed(o_.seed, Stream::kGridNoise));
    std::vector<uint64_t> seeds;
    std::vector<int64_t> labels;
    for (size_t c = 0; c < data_.classes.size(); ++c) {
      for (int k = 0; k < o_.grid_cols; ++k) {
        seeds.push_back(stream_seed(o_.seed, Stream::kGridLatents, static_cast<uint64_t>(k)));
        labels.push_back(static_cast<int64_t>(c));
      }
    }
    const torch::Tensor imgs = generate_u8(g_ema_, latents_from_seeds(seeds, o_.net.z_dim), labels, 1.0,
                                           NoiseMode::kConst, o_.batch);
    write_png_gray8(path(nimg_name("fakes-", cur_nimg_, ".png")),
                    make_grid(imgs, static_cast<int>(data_.classes.size()), o_.grid_cols));
  }
  bool is_best = false;
  if (features_) {
    const nlohmann::json m = evaluate(name);
    append_line(path("metrics.jsonl"), m.dump());
    auto value = [&](const char* key) {
      const nlohmann::json& v = m[key]["mean"];
      return v.is_number() ? v.get<double>() : std::numeric_limits<double>::quiet_NaN();
    };
    std::ostringstream msg;
    msg << "snapshot " << name << ": KID " << value("kid") << " (floor " << value("kid_floor") << "), FID "
        << value("fid") << " (floor " << value("fid_floor") << ")";
    if (m.contains("kid_val")) {
      msg << "; validation KID " << value("kid_val") << " (floor " << value("kid_val_floor") << "), FID "
          << value("fid_val") << " (floor " << value("fid_val_floor") << ")";
    }
    log::info(msg.str());
    // The paper keeps the snapshot with the lowest KID against the training split.
    const double kid = value(o_.select_on == "val" ? "kid_val" : "kid");
    if (std::isfinite(kid) && kid < best_kid_) {
      best_kid_ = kid;
      is_best = true;
    }
  } else {
    is_best = true;  // without metrics the latest snapshot stands in for the best
  }
  if (is_best) {
    AtomicFile out(path("best.safetensors"));
    std::error_code ec;
    fs::copy_file(path(name), out.temp_path(), fs::copy_options::overwrite_existing, ec);
    if (ec) fail_io(path("best.safetensors"), "cannot copy the snapshot (" + ec.message() + ")");
    out.commit();
    best_snapshot_ = name;
  }
}

void Trainer::save_resume() {
  nn::TensorMap t;
  for (const auto& [k, v] : nn::module_state(*g_)) t["G." + k] = v;
  for (const auto& [k, v] : nn::module_state(*g_ema_)) t["G_ema." + k] = v;
  for (const auto& [k, v] : nn::module_state(*d_)) t["D." + k] = v;
  opt_g_.save(t, "opt_G.");
  opt_d_.save(t, "opt_D.");
  t["augment_p"] = aug_p_.detach();
  t["pl_mean"] = pl_mean_.detach();
  t["ada_sum"] = ada_sum_.detach();
  nlohmann::json state = {{"cur_nimg", cur_nimg_},
                          {"batch_idx", batch_idx_},
                          {"cur_tick", cur_tick_},
                          {"tick_start_nimg", tick_start_nimg_},
                          {"ada_count", ada_count_},
                          {"total_sec", total_sec_},
                          {"best_kid", std::isfinite(best_kid_) ? nlohmann::json(best_kid_) : nlohmann::json()},
                          {"best_snapshot", best_snapshot_},
                          {"last_snapshot", last_snapshot_},
                          {"stats_bytes", file_size_or_zero(path("stats.jsonl"))},
                          {"metrics_bytes", file_size_or_zero(path("metrics.jsonl"))}};
  auto meta = snapshot_metadata(info());
  meta["format"] = "xr-gan-resume-1";
  meta["state"] = state.dump();
  nn::write_safetensors(path("resume.safetensors"), t, meta);
  // A readable copy of the counters; resume.safetensors is the authority.
  write_file_atomic(path("resume.json"), state.dump(2) + "\n");
}

void Trainer::load_resume() {
  const std::string file = path("resume.safetensors");
  if (!fs::exists(file)) fail_missing(file, "no resume state in the run folder");
  const nn::Safetensors st = nn::read_safetensors(file);
  auto it = st.metadata.find("format");
  if (it == st.metadata.end() || it->second != "xr-gan-resume-1") fail_data(file, "not a gan-train resume state");
  const NetConfig saved = NetConfig::from_json(nlohmann::json::parse(st.metadata.at("architecture")));
  if (saved.to_json() != o_.net.to_json()) {
    fail_data(file, "architecture differs from this run's options (" + saved.to_json().dump() + ")");
  }
  const auto classes = nlohmann::json::parse(st.metadata.at("classes")).get<std::vector<std::string>>();
  if (classes != data_.classes) fail_data(file, "classes differ from the data folder's");
  nn::load_module_state(*g_, st, file, "G.", true);
  nn::load_module_state(*g_ema_, st, file, "G_ema.", true);
  nn::load_module_state(*d_, st, file, "D.", true);
  try {
    opt_g_.load(st.tensors, "opt_G.");
    opt_d_.load(st.tensors, "opt_D.");
  } catch (const Error& e) {
    fail_data(file, e.what());
  }
  auto get = [&](const std::string& k) {
    auto t = st.tensors.find(k);
    if (t == st.tensors.end()) fail_data(file, "lacks " + k);
    return t->second;
  };
  {
    torch::NoGradGuard no_grad;
    aug_p_.copy_(get("augment_p").reshape({}));
    pl_mean_.copy_(get("pl_mean").reshape({}));
    ada_sum_.copy_(get("ada_sum").reshape({}));
  }
  const nlohmann::json s = nlohmann::json::parse(st.metadata.at("state"));
  cur_nimg_ = s.at("cur_nimg").get<int64_t>();
  batch_idx_ = s.at("batch_idx").get<int64_t>();
  cur_tick_ = s.at("cur_tick").get<int64_t>();
  tick_start_nimg_ = s.at("tick_start_nimg").get<int64_t>();
  ada_count_ = s.at("ada_count").get<int64_t>();
  total_sec_ = s.at("total_sec").get<double>();
  best_kid_ = s.at("best_kid").is_null() ? std::numeric_limits<double>::infinity() : s.at("best_kid").get<double>();
  best_snapshot_ = s.at("best_snapshot").get<std::string>();
  last_snapshot_ = s.at("last_snapshot").get<std::string>();
  truncate_to(path("stats.jsonl"), s.at("stats_bytes").get<int64_t>());
  truncate_to(path("metrics.jsonl"), s.at("metrics_bytes").get<int64_t>());
  log::info("resuming at " + std::to_string(cur_nimg_) + " images (tick " + std::to_string(cur_tick_) +
            ", augment p " + std::to_string(aug_p_.item<double>()) + ")");
}

void Trainer::end_of_tick(bool done) {
  const auto now = std::chrono::steady_clock::now();
  const double tick_sec = std::chrono::duration<double>(now - tick_start_time_).count();
  total_sec_ += tick_sec;
  const double tick_kimg = static_cast<double>(cur_nimg_ - tick_start_nimg_) / 1000.0;
  auto mean = [](const torch::Tensor& s, int64_t n) {
    return n > 0 ? s.item<double>() / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
  };
  const double loss_g = mean(stats_.g, stats_.ng), loss_d = mean(stats_.d, stats_.nd);
  const double r1 = mean(stats_.r1, stats_.nr1), pl = mean(stats_.pl, stats_.npl);
  const double sign = mean(stats_.sign, stats_.nsign);
  const double p = aug_p_.item<double>();
  for (double v : {loss_g, loss_d}) {
    if (!std::isfinite(v)) {
      const std::string what = std::string("a loss became ") + (std::isnan(v) ? "NaN" : "Inf");
      write_file_atomic(path(kNonFiniteStopFile),
                        nlohmann::json({{"reason", what},
                                        {"nimg", cur_nimg_},
                                        {"last_snapshot", last_snapshot_.empty() ? nlohmann::json()
                                                                                 : nlohmann::json(last_snapshot_)}})
                                .dump(2) +
                            "\n");
      throw Error(Exit::kSoftware, run_dir_,
                  what + " before " + std::to_string(cur_nimg_) + " images; training stopped, the last good " +
                      "snapshot is " + (last_snapshot_.empty() ? std::string("(none)") : last_snapshot_) +
                      ". Resume from it with a lower --glr/--dlr or a larger --gamma: gan-train --resume " +
                      run_dir_ + " --gamma G");
    }
  }
  auto opt = [](int64_t n, double v) { return n > 0 ? nlohmann::json(v) : nlohmann::json(); };
  nlohmann::json line = {{"tick", cur_tick_},
                         {"nimg", cur_nimg_},
                         {"kimg", cur_nimg_ / 1000.0},
                         {"loss_g", loss_g},
                         {"loss_d", loss_d},
                         {"loss_r1", opt(stats_.nr1, r1)},
                         {"loss_pl", opt(stats_.npl, pl)},
                         {"augment_p", p},
                         {"sign_real", opt(stats_.nsign, sign)},
                         {"sec_per_tick", tick_sec},
                         {"sec_per_kimg", tick_kimg > 0 ? tick_sec / tick_kimg : 0.0},
                         {"total_sec", total_sec_},
                         {"peak_rss_gb", peak_rss_gb()},
                         {"device", dev_.str()}};
  append_line(path("stats.jsonl"), line.dump());
  char msg[256];
  std::snprintf(msg, sizeof msg, "tick %lld  kimg %.3f  loss G %.4f D %.4f  p %.4f  sign %.3f  %.2f sec/kimg",
                static_cast<long long>(cur_tick_), cur_nimg_ / 1000.0, loss_g, loss_d, p, sign,
                tick_kimg > 0 ? tick_sec / tick_kimg : 0.0);
  log::info(msg);
  const bool snapshot = done || cur_tick_ % o_.snap == 0;
  cur_tick_ += 1;
  tick_start_nimg_ = cur_nimg_;
  stats_.reset(dev_);
  if (snapshot) {
    write_snapshot();
    save_resume();
  }
  tick_start_time_ = std::chrono::steady_clock::now();
}

TrainResult Trainer::run(bool resume) {
  // The name the snapshots record; a device that cannot train in it is refused here.
  o_.precision = resolve_precision(o_.precision, dev_);
  if (dev_.is_cuda()) {
    at::globalContext().setBenchmarkCuDNN(true);
    at::globalContext().setAllowTF32CuDNN(o_.tf32);
    at::globalContext().setAllowTF32CuBLAS(o_.tf32);
  }
  build();
  if (resume && !fs::exists(path("resume.safetensors"))) {
    // Killed before its first snapshot: nothing to keep, start again.
    log::warn(run_dir_ + ": no snapshot yet, training from the start");
    resume = false;
    truncate_to(path("stats.jsonl"), 0);
    truncate_to(path("metrics.jsonl"), 0);
  }
  if (resume) load_resume();
  // Training again past a non-finite stop: the record of it has served.
  std::error_code stop_ec;
  fs::remove(path(kNonFiniteStopFile), stop_ec);
  if (features_) prepare_metrics();  // the floors, logged before the first minibatch
  stats_.reset(dev_);
  const int64_t total = static_cast<int64_t>(std::llround(o_.kimg * 1000));
  const int64_t tick_nimg = static_cast<int64_t>(std::llround(o_.tick_kimg * 1000));
  if (!resume) {
    // The reals, laid out as the fakes grids will be.
    std::vector<int64_t> picks;
    for (size_t c = 0; c < data_.classes.size(); ++c) {
      int taken = 0;
      for (size_t i = 0; i < data_.labels.size() && taken < o_.grid_cols; ++i) {
        if (data_.labels[i] == static_cast<int64_t>(c)) {
          picks.push_back(static_cast<int64_t>(i));
          ++taken;
        }
      }
      for (; taken < o_.grid_cols; ++taken) picks.push_back(-1);
    }
    torch::Tensor grid = torch::zeros({static_cast<int64_t>(picks.size()), 1, o_.net.resolution, o_.net.resolution},
                                      torch::kUInt8);
    for (size_t k = 0; k < picks.size(); ++k)
      if (picks[k] >= 0) grid[static_cast<int64_t>(k)].copy_(data_.pixels[picks[k]]);
    write_png_gray8(path("reals.png"), make_grid(grid, static_cast<int>(data_.classes.size()), o_.grid_cols));
  }
  tick_start_time_ = std::chrono::steady_clock::now();
  if (cur_nimg_ >= total) {
    log::info("already trained for " + std::to_string(cur_nimg_) + " images (--kimg reached)");
  }
  // A live count of the tick's images on a terminal (a tick of the paper's
  // configuration takes hours on a CPU); tick 0 is the first minibatch alone.
  std::unique_ptr<log::Progress> progress;
  auto start_tick_progress = [&] {
    progress = std::make_unique<log::Progress>("tick " + std::to_string(cur_tick_) + " images",
                                               std::min(tick_nimg, total - cur_nimg_));
  };
  if (cur_tick_ != 0 && cur_nimg_ < total) start_tick_progress();
  while (cur_nimg_ < total) {
    step();
    if (progress) progress->advance(o_.batch);
    const bool done = cur_nimg_ >= total;
    if (!done && cur_tick_ != 0 && cur_nimg_ < tick_start_nimg_ + tick_nimg) continue;
    if (progress) progress->clear();
    end_of_tick(done);
    if (!done) start_tick_progress();
  }
  TrainResult r;
  r.nimg = cur_nimg_;
  r.last_snapshot = last_snapshot_;
  r.best_snapshot = best_snapshot_;
  r.best_kid = std::isfinite(best_kid_) ? best_kid_ : std::numeric_limits<double>::quiet_NaN();
  return r;
}

}  // namespace

nlohmann::json result_json(const TrainResult& r, const TrainOptions& o, const std::string& run_dir) {
  return {{"run_dir", run_dir},
          {"nimg", r.nimg},
          {"kimg", r.nimg / 1000.0},
          {"last_snapshot", r.last_snapshot},
          {"best_snapshot", r.best_snapshot},
          {"best_kid", std::isnan(r.best_kid) ? nlohmann::json() : nlohmann::json(r.best_kid)},
          {"select_on", o.select_on},
          {"gamma", o.gamma}};
}

TrainResult train(const TrainOptions& o, const TrainData& data, const torch::Device& device,
                  const std::string& run_dir, bool resume, const MetricSetup& metrics) {
  o.validate();
  if (o.select_on == "val" && (!metrics.features || !metrics.val_features.defined())) {
    throw Error(Exit::kUsage, "", "--select-on val needs --val DIR and metrics (--metric-features other than none)");
  }
  Trainer t(o, data, device, run_dir, metrics);
  return t.run(resume);
}

}  // namespace xr::gan
