#include "gan/training.hpp"

#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/image_io.hpp"
#include "gan/generate.hpp"
#include "gan/loss.hpp"
#include "gan/resume.hpp"
#include "gan/snapshot.hpp"
#include "gan/streams.hpp"

namespace fs = std::filesystem;

namespace xr::gan {

namespace {

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

void append_line(const std::string& path, const std::string& line) {
  std::ofstream f(path, std::ios::app | std::ios::binary);
  if (!f) fail_create(path, "cannot open for appending");
  f << line << '\n';
  f.flush();
  if (!f) fail_io(path, "write failed");
}

std::string nimg_name(const std::string& stem, int64_t nimg, const std::string& ext) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%09lld", static_cast<long long>(nimg));
  return stem + buf + ext;
}

class Trainer {
 public:
  Trainer(const TrainOptions& o, const TrainData& data, const torch::Device& device, std::string run_dir,
          const MetricSetup& metrics)
      : o_(o), data_(data), dev_(device), run_dir_(std::move(run_dir)), metric_setup_(metrics) {}

  TrainResult run(bool resume);

 private:
  void build();
  void end_of_tick(bool done);
  void write_snapshot();
  std::string path(const std::string& name) const { return (fs::path(run_dir_) / name).string(); }
  SnapshotInfo info() const;

  TrainOptions o_;
  const TrainData& data_;
  torch::Device dev_;
  std::string run_dir_;
  const MetricSetup& metric_setup_;
  TrainState s_;
  std::optional<TrainingStep> step_;       // made by build()
  std::optional<SnapshotMetrics> metrics_;  // without a feature network: none
  LossStats stats_;
  std::chrono::steady_clock::time_point tick_start_time_;
};

void Trainer::build() {
  torch::manual_seed(o_.seed);
  s_.g = Generator(o_.net);
  s_.d = Discriminator(o_.net);
  s_.g_ema = Generator(o_.net);
  copy_state(*s_.g_ema, *s_.g);
  s_.g->to(dev_);
  s_.d->to(dev_);
  s_.g_ema->to(dev_);
  s_.g->train();
  s_.d->train();
  s_.g_ema->eval();
  set_requires_grad(*s_.g_ema, false);
  const Precision prec = parse_precision(o_.precision);
  s_.g->precision = prec;
  s_.d->precision = prec;
  s_.g_ema->precision = prec;
  // Lazy regularisation: the main and regularisation phases share one optimiser whose
  // lr and betas are corrected for the regularisation steps (c = I / (I + 1)).
  const double cg = o_.pl_interval / (o_.pl_interval + 1.0), cd = o_.r1_interval / (o_.r1_interval + 1.0);
  s_.opt_g = Adam(s_.g->parameters(), o_.glr * cg, std::pow(o_.beta1, cg), std::pow(o_.beta2, cg));
  s_.opt_d = Adam(s_.d->parameters(), o_.dlr * cd, std::pow(o_.beta1, cd), std::pow(o_.beta2, cd));
  const auto fo = torch::TensorOptions().device(dev_).dtype(torch::kFloat32);
  s_.aug_p = torch::full({}, o_.aug == AugMode::kNoAug ? 0.0 : o_.p, fo);
  s_.pl_mean = torch::zeros({}, fo);
  s_.ada_sum = torch::zeros({}, fo.dtype(torch::kFloat64));
  step_.emplace(o_, data_, dev_);
  if (metric_setup_.features) metrics_.emplace(metric_setup_, data_, o_);
}

SnapshotInfo Trainer::info() const {
  SnapshotInfo s;
  s.net = o_.net;
  s.classes = data_.classes;
  s.nimg = s_.cur_nimg;
  s.augment_p = s_.aug_p.item<double>();
  s.training = o_.to_json();
  return s;
}

void Trainer::write_snapshot() {
  const std::string name = nimg_name("network-snapshot-", s_.cur_nimg, ".safetensors");
  const SnapshotInfo inf = info();
  save_snapshot(path(name), s_.g, s_.g_ema, s_.d, inf);
  s_.last_snapshot = name;
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
    const torch::Tensor imgs = generate_u8(s_.g_ema, latents_from_seeds(seeds, o_.net.z_dim), labels, 1.0,
                                           NoiseMode::kConst, o_.batch);
    write_png_gray8(path(nimg_name("fakes-", s_.cur_nimg, ".png")),
                    make_grid(imgs, static_cast<int>(data_.classes.size()), o_.grid_cols));
  }
  bool is_best = false;
  if (metrics_) {
    const nlohmann::json m = metrics_->evaluate(s_.g_ema, name, s_.cur_nimg);
    append_line(path("metrics.jsonl"), m.dump());
    log::info(describe_snapshot_metrics(m));
    // The paper keeps the snapshot with the lowest KID against the training split.
    const double kid = snapshot_mean(m, o_.select_on == "val" ? "kid_val" : "kid");
    if (std::isfinite(kid) && kid < s_.best_kid) {
      s_.best_kid = kid;
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
    s_.best_snapshot = name;
  }
}

void Trainer::end_of_tick(bool done) {
  const auto now = std::chrono::steady_clock::now();
  const double tick_sec = std::chrono::duration<double>(now - tick_start_time_).count();
  s_.total_sec += tick_sec;
  const double tick_kimg = static_cast<double>(s_.cur_nimg - s_.tick_start_nimg) / 1000.0;
  auto mean = [](const torch::Tensor& s, int64_t n) {
    return n > 0 ? s.item<double>() / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
  };
  const double loss_g = mean(stats_.g, stats_.ng), loss_d = mean(stats_.d, stats_.nd);
  const double r1 = mean(stats_.r1, stats_.nr1), pl = mean(stats_.pl, stats_.npl);
  const double sign = mean(stats_.sign, stats_.nsign);
  const double p = s_.aug_p.item<double>();
  for (double v : {loss_g, loss_d}) {
    if (!std::isfinite(v)) {
      const std::string what = std::string("a loss became ") + (std::isnan(v) ? "NaN" : "Inf");
      write_file_atomic(path(kNonFiniteStopFile),
                        nlohmann::json({{"reason", what},
                                        {"nimg", s_.cur_nimg},
                                        {"last_snapshot", s_.last_snapshot.empty() ? nlohmann::json()
                                                                                 : nlohmann::json(s_.last_snapshot)}})
                                .dump(2) +
                            "\n");
      throw Error(Exit::kSoftware, run_dir_,
                  what + " before " + std::to_string(s_.cur_nimg) + " images; training stopped, the last good " +
                      "snapshot is " + (s_.last_snapshot.empty() ? std::string("(none)") : s_.last_snapshot) +
                      ". Resume from it with a lower --glr/--dlr or a larger --gamma: gan-train --resume " +
                      run_dir_ + " --gamma G");
    }
  }
  auto opt = [](int64_t n, double v) { return n > 0 ? nlohmann::json(v) : nlohmann::json(); };
  nlohmann::json line = {{"tick", s_.cur_tick},
                         {"nimg", s_.cur_nimg},
                         {"kimg", s_.cur_nimg / 1000.0},
                         {"loss_g", loss_g},
                         {"loss_d", loss_d},
                         {"loss_r1", opt(stats_.nr1, r1)},
                         {"loss_pl", opt(stats_.npl, pl)},
                         {"augment_p", p},
                         {"sign_real", opt(stats_.nsign, sign)},
                         {"sec_per_tick", tick_sec},
                         {"sec_per_kimg", tick_kimg > 0 ? tick_sec / tick_kimg : 0.0},
                         {"total_sec", s_.total_sec},
                         {"peak_rss_gb", peak_rss_gb()},
                         {"device", dev_.str()}};
  append_line(path("stats.jsonl"), line.dump());
  char msg[256];
  std::snprintf(msg, sizeof msg, "tick %lld  kimg %.3f  loss G %.4f D %.4f  p %.4f  sign %.3f  %.2f sec/kimg",
                static_cast<long long>(s_.cur_tick), s_.cur_nimg / 1000.0, loss_g, loss_d, p, sign,
                tick_kimg > 0 ? tick_sec / tick_kimg : 0.0);
  log::info(msg);
  const bool snapshot = done || s_.cur_tick % o_.snap == 0;
  s_.cur_tick += 1;
  s_.tick_start_nimg = s_.cur_nimg;
  stats_.reset(dev_);
  if (snapshot) {
    write_snapshot();
    save_resume(run_dir_, s_, info());
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
    clear_run_logs(run_dir_);
  }
  if (resume) load_resume(run_dir_, s_, o_.net, data_.classes);
  // Training again past a non-finite stop: the record of it has served.
  std::error_code stop_ec;
  fs::remove(path(kNonFiniteStopFile), stop_ec);
  if (metrics_) metrics_->prepare();  // the floors, logged before the first minibatch
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
  if (s_.cur_nimg >= total) {
    log::info("already trained for " + std::to_string(s_.cur_nimg) + " images (--kimg reached)");
  }
  // A live count of the tick's images on a terminal (a tick of the paper's
  // configuration takes hours on a CPU); tick 0 is the first minibatch alone.
  std::unique_ptr<log::Progress> progress;
  auto start_tick_progress = [&] {
    progress = std::make_unique<log::Progress>("tick " + std::to_string(s_.cur_tick) + " images",
                                               std::min(tick_nimg, total - s_.cur_nimg));
  };
  if (s_.cur_tick != 0 && s_.cur_nimg < total) start_tick_progress();
  while (s_.cur_nimg < total) {
    (*step_)(s_, stats_);
    if (progress) progress->advance(o_.batch);
    const bool done = s_.cur_nimg >= total;
    if (!done && s_.cur_tick != 0 && s_.cur_nimg < s_.tick_start_nimg + tick_nimg) continue;
    if (progress) progress->clear();
    end_of_tick(done);
    if (!done) start_tick_progress();
  }
  TrainResult r;
  r.nimg = s_.cur_nimg;
  r.last_snapshot = s_.last_snapshot;
  r.best_snapshot = s_.best_snapshot;
  r.best_kid = std::isfinite(s_.best_kid) ? s_.best_kid : std::numeric_limits<double>::quiet_NaN();
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
