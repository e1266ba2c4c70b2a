// The training loop on a tiny configuration (16x16, 2 classes, small channel
// counts): losses move, ADA moves p, metrics and best snapshot are written, a run
// split by a resume ends with exactly the weights of a straight run, the same seed
// gives the same bytes, and bad data folders are refused with kDataErr. Snapshot
// metrics carry their real-vs-real floors and, with a validation split, the same
// metrics against it; --select-on val picks by the validation KID.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/image_io.hpp"
#include "core/rng.hpp"
#include "../temp_dir.hpp"
#include "gan/generate.hpp"
#include "gan/snapshot.hpp"
#include "gan/training.hpp"
#include "metrics/fid.hpp"
#include "metrics/floor.hpp"
#include "metrics/kid.hpp"
#include "nn/safetensors.hpp"

namespace fs = std::filesystem;
using namespace xr::gan;

namespace {

// Class "bright": a vertical gradient; class "dark": a dim disc. Noise per image.
void make_data(const std::string& root, int per_class, int size = 16, uint64_t noise_seed = 42) {
  xr::Rng rng(noise_seed);
  for (const char* cls : {"bright", "dark"}) {
    fs::create_directories(fs::path(root) / cls);
    for (int i = 0; i < per_class; ++i) {
      xr::GrayImage img(size, size);
      for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
          double v;
          if (std::string(cls) == "bright") {
            v = 80 + 160.0 * y / size;
          } else {
            const double dx = x - size / 2.0, dy = y - size / 2.0;
            v = (dx * dx + dy * dy < size * size / 9.0) ? 120 : 20;
          }
          v += rng.normal() * 8;
          img.at(x, y) = static_cast<uint8_t>(std::clamp(v, 0.0, 255.0));
        }
      xr::write_png_gray8((fs::path(root) / cls / ("img" + std::to_string(i) + ".png")).string(), img);
    }
  }
}

// The tests' data shape (make_data's default: 16x16, two classes) and a tiny network.
TrainOptions tiny_options() {
  TrainOptions o;
  o.net.resolution = 16;
  o.net.c_dim = 2;
  o.net.z_dim = o.net.w_dim = 32;
  o.net.cbase = 128;
  o.net.cmax = 16;
  o.batch = 4;
  o.kimg = 0.128;
  o.tick_kimg = 0.032;
  o.snap = 2;
  o.ada_kimg = 1;  // p moves visibly within a few hundred images
  o.metric_samples = 8;
  o.kid_subsets = 5;
  o.kid_subset_size = 8;
  o.seed = 7;
  return o;
}

// Cheap, fixed features for the metric code path: 4x4 average-pooled pixels.
MetricSetup pooled_metrics() {
  MetricSetup m;
  m.features = [](const torch::Tensor& u8) {
    return torch::adaptive_avg_pool2d(u8.to(torch::kFloat32) / 255.0, {4, 4}).flatten(1);
  };
  m.name = "pooled-4x4";
  return m;
}

std::vector<nlohmann::json> read_jsonl(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line))
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

TrainResult train_in(const std::string& run, const TrainOptions& o, const TrainData& data, bool resume,
                     const MetricSetup& m = {}) {
  fs::create_directories(run);
  return train(o, data, torch::Device(torch::kCPU), run, resume, m);
}

void expect_same_tensors(const std::string& a, const std::string& b, const std::string& prefix) {
  const auto ta = xr::nn::read_safetensors(a).tensors;
  const auto tb = xr::nn::read_safetensors(b).tensors;
  ASSERT_EQ(ta.size(), tb.size());
  int compared = 0;
  for (const auto& [name, t] : ta) {
    if (name.rfind(prefix, 0) != 0) continue;
    ASSERT_TRUE(tb.count(name)) << name;
    EXPECT_TRUE(torch::equal(t, tb.at(name))) << name << " differs";
    ++compared;
  }
  EXPECT_GT(compared, 0) << prefix;
}

class GanTraining : public ::testing::Test {
 protected:
  void SetUp() override {
    xr::log::set_level(xr::log::Level::kQuiet);
    at::set_num_threads(1);
  }
};

}  // namespace

TEST_F(GanTraining, TinyRunLossesMoveAdaAdaptsAndMetricsPickBest) {
  const xr_test::TempDir tmp("xr-gan-test");
  make_data((tmp / "data").string(), 12);
  const TrainData data = load_training_data((tmp / "data").string());
  ASSERT_EQ(data.classes, (std::vector<std::string>{"bright", "dark"}));
  TrainOptions o = tiny_options();
  o.kimg = 0.2;
  // ADA from p = 0.5 towards an unreachable target: p must fall by exactly
  // batch * interval / (ada_kimg * 1000) = 0.016 every 4 minibatches.
  o.p = 0.5;
  o.target = 0.99;
  const TrainResult r = train_in((tmp / "run").string(), o, data, false, pooled_metrics());
  EXPECT_EQ(r.nimg, 200);
  const auto stats = read_jsonl((tmp / "run/stats.jsonl").string());
  ASSERT_GE(stats.size(), 5u);
  std::set<double> loss_d, loss_g;
  int with_r1 = 0, with_pl = 0;
  for (const auto& s : stats) {
    ASSERT_TRUE(std::isfinite(s["loss_g"].get<double>()));
    loss_g.insert(s["loss_g"].get<double>());
    loss_d.insert(s["loss_d"].get<double>());
    with_r1 += s["loss_r1"].is_null() ? 0 : 1;
    with_pl += s["loss_pl"].is_null() ? 0 : 1;
    const int64_t adjustments = s["nimg"].get<int64_t>() / 4 / 4;
    EXPECT_NEAR(s["augment_p"].get<double>(), 0.5 - 0.016 * adjustments, 1e-5) << s.dump();
  }
  EXPECT_EQ(loss_g.size(), stats.size()) << "G loss does not move";
  EXPECT_EQ(loss_d.size(), stats.size()) << "D loss does not move";
  // softplus losses start near log 2 (G) and 2 log 2 (D) and leave them.
  EXPECT_GT(std::abs(stats.back()["loss_d"].get<double>() - stats.front()["loss_d"].get<double>()), 1e-3);
  EXPECT_GE(with_r1, 2);
  EXPECT_GE(with_pl, 4);
  // Metrics per snapshot, per class and mean; best is one of the snapshots.
  const auto metrics = read_jsonl((tmp / "run/metrics.jsonl").string());
  ASSERT_GE(metrics.size(), 2u);
  double best = 1e300;
  std::string best_name;
  for (const auto& m : metrics) {
    ASSERT_TRUE(m["kid"].contains("bright"));
    ASSERT_TRUE(m["kid"].contains("dark"));
    EXPECT_NEAR(m["kid"]["mean"].get<double>(),
                (m["kid"]["bright"].get<double>() + m["kid"]["dark"].get<double>()) / 2, 1e-12);
    if (m["kid"]["mean"].get<double>() < best) {
      best = m["kid"]["mean"].get<double>();
      best_name = m["snapshot"].get<std::string>();
    }
  }
  EXPECT_EQ(r.best_snapshot, best_name);
  EXPECT_EQ(xr::read_file((tmp / "run/best.safetensors").string()), xr::read_file((tmp / ("run/" + best_name)).string()));
  EXPECT_TRUE(fs::exists((tmp / "run/reals.png").string()));
  EXPECT_TRUE(fs::exists((tmp / "run/fakes-000000200.png").string()));
  // The grid: a row a class, 8 columns.
  const auto grid = xr::read_gray8((tmp / "run/fakes-000000200.png").string());
  EXPECT_EQ(grid.width, 16 * 8);
  EXPECT_EQ(grid.height, 16 * 2);
  // The generator trained: G differs from its initialisation (the same seed's).
  torch::manual_seed(o.seed);
  Generator fresh(o.net);
  LoadedGenerator g = load_generator((tmp / ("run/" + r.last_snapshot)).string(), torch::Device(torch::kCPU), "G.");
  const auto a = fresh->named_parameters()["synthesis.b16.conv1.weight"];
  const auto b = g.g->named_parameters()["synthesis.b16.conv1.weight"];
  EXPECT_GT((a - b).abs().max().item<double>(), 1e-4);
  EXPECT_EQ(g.info.classes, data.classes);
  EXPECT_EQ(g.info.nimg, 200);
  EXPECT_NEAR(g.info.training["gamma"].get<double>(), 1.024, 1e-12);
}

TEST_F(GanTraining, ResumeGivesTheWeightsOfAStraightRun) {
  const xr_test::TempDir tmp("xr-gan-test");
  make_data((tmp / "data").string(), 8);
  const TrainData data = load_training_data((tmp / "data").string());
  TrainOptions o = tiny_options();
  train_in((tmp / "straight").string(), o, data, false);
  TrainOptions half = o;
  half.kimg = 0.064;
  train_in((tmp / "split").string(), half, data, false);
  // A killed run may have logged ticks after its last snapshot: they are dropped.
  { std::ofstream((tmp / "split/stats.jsonl").string(), std::ios::app) << "{\"tick\": 999}\n"; }
  const TrainResult r = train_in((tmp / "split").string(), o, data, true);
  EXPECT_EQ(r.nimg, 128);
  for (const char* prefix : {"G.", "G_ema.", "D.", "opt_G.", "opt_D.", "augment_p", "pl_mean"}) {
    expect_same_tensors((tmp / "straight/resume.safetensors").string(), (tmp / "split/resume.safetensors").string(), prefix);
  }
  for (const auto& s : read_jsonl((tmp / "split/stats.jsonl").string())) EXPECT_NE(s["tick"].get<int>(), 999);
}

TEST_F(GanTraining, SameSeedSameBytesOtherSeedOtherWeights) {
  const xr_test::TempDir tmp("xr-gan-test");
  make_data((tmp / "data").string(), 4);
  const TrainData data = load_training_data((tmp / "data").string());
  TrainOptions o = tiny_options();
  o.kimg = 0.016;
  train_in((tmp / "a").string(), o, data, false);
  train_in((tmp / "b").string(), o, data, false);
  o.seed = 8;
  train_in((tmp / "c").string(), o, data, false);
  const std::string snap = "network-snapshot-000000016.safetensors";
  EXPECT_EQ(xr::read_file((tmp / ("a/" + snap)).string()), xr::read_file((tmp / ("b/" + snap)).string()));
  EXPECT_NE(xr::read_file((tmp / ("a/" + snap)).string()), xr::read_file((tmp / ("c/" + snap)).string()));
}

TEST_F(GanTraining, SamplingBySeedIsIndependentOfTheBatch) {
  const NetConfig cfg = tiny_options().net;
  torch::manual_seed(1);
  Generator g(cfg);
  g->eval();
  const auto all = generate_u8(g, latents_from_seeds({5, 6, 7}, 32), {1, 1, 1}, 1.0, NoiseMode::kConst, 3);
  const auto one = generate_u8(g, latents_from_seeds({6}, 32), {1}, 1.0, NoiseMode::kConst, 1);
  EXPECT_TRUE(torch::equal(all[1], one[0]));
  EXPECT_FALSE(torch::equal(all[0], all[1]));
}

TEST_F(GanTraining, BadDataFoldersAreDataErrors) {
  const xr_test::TempDir tmp("xr-gan-test");
  auto code_of = [](const std::string& root) {
    try {
      load_training_data(root);
    } catch (const xr::Error& e) {
      return static_cast<int>(e.code());
    }
    return 0;
  };
  EXPECT_EQ(code_of((tmp / "missing").string()), 66);
  fs::create_directories((tmp / "empty").string());
  EXPECT_EQ(code_of((tmp / "empty").string()), 65);
  make_data((tmp / "one").string(), 2);
  fs::remove_all((tmp / "one/dark").string());
  EXPECT_EQ(code_of((tmp / "one").string()), 65);
  make_data((tmp / "hole").string(), 2);
  for (const auto& e : fs::directory_iterator((tmp / "hole/dark").string())) fs::remove(e.path());
  EXPECT_EQ(code_of((tmp / "hole").string()), 65);
  make_data((tmp / "sizes").string(), 2);
  xr::write_png_gray8((tmp / "sizes/dark/odd.png").string(), xr::GrayImage(8, 8));
  try {
    load_training_data((tmp / "sizes").string());
    FAIL() << "mixed sizes accepted";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kDataErr);
    EXPECT_NE(e.path().find("odd.png"), std::string::npos) << e.path();
    EXPECT_EQ(std::string(e.what()), "image size 8x8 differs from the 16x16 of 4 of the 5 images");
  }
  make_data((tmp / "npot").string(), 2, 12);
  EXPECT_EQ(code_of((tmp / "npot").string()), 65);
}

TEST_F(GanTraining, OptionsAreValidated) {
  TrainOptions o = tiny_options();
  o.batch = 6;  // not a multiple of the minibatch-std group 4
  EXPECT_THROW(o.validate(), xr::Error);
  o.batch = 8;
  EXPECT_NO_THROW(o.validate());
  o.net.cbase = 8;  // no channels at 16x16
  EXPECT_THROW(o.validate(), xr::Error);
}

TEST_F(GanTraining, NonFiniteLossStopsAndKeepsTheLastGoodSnapshot) {
  const xr_test::TempDir tmp("xr-gan-test");
  make_data((tmp / "data").string(), 4);
  const TrainData data = load_training_data((tmp / "data").string());
  TrainOptions o = tiny_options();
  o.dlr = 1e30;  // the first D update throws its weights to infinity
  o.kimg = 0.064;
  o.tick_kimg = 0.008;
  o.snap = 1;
  try {
    train_in((tmp / "run").string(), o, data, false);
    FAIL() << "diverged training did not stop";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kSoftware);
    EXPECT_NE(std::string(e.what()).find("network-snapshot-000000004.safetensors"), std::string::npos) << e.what();
  }
  // Tick 0 (before any update took effect) is the only snapshot.
  EXPECT_TRUE(fs::exists((tmp / "run/network-snapshot-000000004.safetensors").string()));
  EXPECT_FALSE(fs::exists((tmp / "run/network-snapshot-000000012.safetensors").string()));
  EXPECT_TRUE(fs::exists((tmp / "run/resume.safetensors").string()));
}

namespace {

// The metrics lines without their timestamps (which differ between any two runs).
std::vector<nlohmann::json> metrics_lines(const std::string& path) {
  auto lines = read_jsonl(path);
  for (auto& l : lines) l.erase("timestamp");
  return lines;
}

std::vector<torch::Tensor> class_rows(const torch::Tensor& all, const std::vector<int64_t>& labels, int c) {
  std::vector<int64_t> idx;
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i] == c) idx.push_back(static_cast<int64_t>(i));
  return {all.index_select(0, torch::tensor(idx, torch::kLong))};
}

}  // namespace

TEST_F(GanTraining, SnapshotMetricsCarryFloorsAndValidationValues) {
  const xr_test::TempDir tmp("xr-gan-test");
  make_data((tmp / "data").string(), 10);
  make_data((tmp / "val").string(), 6, 16, /*noise_seed=*/99);
  const TrainData data = load_training_data((tmp / "data").string());
  const ValData val = load_validation_data((tmp / "val").string(), data);
  EXPECT_EQ(val.counts, (std::vector<int>{6, 6}));
  TrainOptions o = tiny_options();
  o.kimg = 0.064;
  MetricSetup m = pooled_metrics();
  m.val_features = m.features(val.pixels);
  m.val_labels = val.labels;
  const TrainResult r = train_in((tmp / "run").string(), o, data, false, m);
  const auto lines = metrics_lines((tmp / "run/metrics.jsonl").string());
  ASSERT_GE(lines.size(), 2u);
  // The floors, by the library's own functions on the same features.
  const torch::Tensor real = m.features(data.pixels);
  double kid_floor = 0, fid_floor = 0, kid_val_floor = 0;
  for (int c = 0; c < 2; ++c) {
    const torch::Tensor rc = class_rows(real, data.labels, c)[0], vc = class_rows(m.val_features, val.labels, c)[0];
    const auto h = xr::metrics::halves_floor(rc, o.kid_subsets, o.kid_subset_size, o.seed);
    EXPECT_EQ(h.n_reference, 5);
    kid_floor += h.kid.mean / 2;
    fid_floor += h.fid.fid / 2;
    kid_val_floor += xr::metrics::kid(vc, rc, o.kid_subsets, o.kid_subset_size, o.seed).mean / 2;
    EXPECT_DOUBLE_EQ(lines[0]["kid_floor"][data.classes[c]].get<double>(), h.kid.mean);
  }
  double best_val = 1e300;
  for (const auto& l : lines) {
    for (const char* key : {"kid", "fid", "kid_floor", "fid_floor", "kid_val", "fid_val", "kid_val_floor",
                            "fid_val_floor"}) {
      ASSERT_TRUE(l.contains(key)) << key;
      EXPECT_TRUE(l[key].contains("bright") && l[key].contains("dark") && l[key]["mean"].is_number()) << l.dump();
    }
    EXPECT_NEAR(l["kid_floor"]["mean"].get<double>(), kid_floor, 1e-12);
    EXPECT_NEAR(l["fid_floor"]["mean"].get<double>(), fid_floor, 1e-9);
    EXPECT_NEAR(l["kid_val_floor"]["mean"].get<double>(), kid_val_floor, 1e-12);
    EXPECT_EQ(l["kid_floor"], lines[0]["kid_floor"]);  // computed once
    EXPECT_EQ(l["select_on"], "train");
    EXPECT_NE(l["kid_val"]["mean"], l["kid"]["mean"]);
    best_val = std::min(best_val, l["kid_val"]["mean"].get<double>());
  }
  // The paper's rule: the training KID picks the best snapshot.
  double best_train = 1e300;
  for (const auto& l : lines) best_train = std::min(best_train, l["kid"]["mean"].get<double>());
  EXPECT_DOUBLE_EQ(r.best_kid, best_train);
  EXPECT_EQ(xr::read_file((tmp / "run/best.safetensors").string()).size() > 0, true);

  // --select-on val: the validation KID picks it, and the snapshots record the rule.
  o.select_on = "val";
  const TrainResult rv = train_in((tmp / "run-val").string(), o, data, false, m);
  const auto vlines = metrics_lines((tmp / "run-val/metrics.jsonl").string());
  double best = 1e300;
  std::string best_name;
  for (const auto& l : vlines) {
    EXPECT_EQ(l["select_on"], "val");
    if (l["kid_val"]["mean"].get<double>() < best) {
      best = l["kid_val"]["mean"].get<double>();
      best_name = l["snapshot"].get<std::string>();
    }
  }
  EXPECT_DOUBLE_EQ(rv.best_kid, best);
  EXPECT_EQ(rv.best_snapshot, best_name);
  EXPECT_EQ(xr::read_file((tmp / "run-val/best.safetensors").string()), xr::read_file((tmp / ("run-val/" + best_name)).string()));
  LoadedGenerator g = load_generator((tmp / "run-val/best.safetensors").string(), torch::Device(torch::kCPU), "G.");
  EXPECT_EQ(g.info.training["select_on"], "val");
}

TEST_F(GanTraining, SelectOnValNeedsValidationFeatures) {
  const xr_test::TempDir tmp("xr-gan-test");
  make_data((tmp / "data").string(), 4);
  const TrainData data = load_training_data((tmp / "data").string());
  TrainOptions o = tiny_options();
  o.select_on = "val";
  try {
    train_in((tmp / "run").string(), o, data, false, pooled_metrics());
    FAIL() << "--select-on val without a validation split accepted";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kUsage);
    EXPECT_NE(std::string(e.what()).find("--val"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists((tmp / "run/stats.jsonl").string()));
  o.select_on = "best";
  EXPECT_THROW(o.validate(), xr::Error);
}

TEST_F(GanTraining, ResumeWithValidationMetricsGivesTheStraightRun) {
  const xr_test::TempDir tmp("xr-gan-test");
  make_data((tmp / "data").string(), 8);
  make_data((tmp / "val").string(), 4, 16, 99);
  const TrainData data = load_training_data((tmp / "data").string());
  const ValData val = load_validation_data((tmp / "val").string(), data);
  MetricSetup m = pooled_metrics();
  m.val_features = m.features(val.pixels);
  m.val_labels = val.labels;
  TrainOptions o = tiny_options();
  o.select_on = "val";
  train_in((tmp / "straight").string(), o, data, false, m);
  TrainOptions half = o;
  half.kimg = 0.064;
  train_in((tmp / "split").string(), half, data, false, m);
  train_in((tmp / "split").string(), o, data, true, m);
  for (const char* prefix : {"G.", "G_ema.", "D.", "opt_G.", "opt_D.", "augment_p", "pl_mean"}) {
    expect_same_tensors((tmp / "straight/resume.safetensors").string(), (tmp / "split/resume.safetensors").string(), prefix);
  }
  // The split run snapshots where its first part ended (64 images, the straight run at
  // 68): the last snapshot's line (floors included) and the pick are the same.
  const auto straight = metrics_lines((tmp / "straight/metrics.jsonl").string());
  const auto split = metrics_lines((tmp / "split/metrics.jsonl").string());
  ASSERT_EQ(split.size(), 3u);
  EXPECT_EQ(split.back(), straight.back());
  EXPECT_EQ(split.front(), straight.front());
  EXPECT_EQ(xr::read_file((tmp / "straight/best.safetensors").string()), xr::read_file((tmp / "split/best.safetensors").string()));
}

TEST_F(GanTraining, ValidationDataMatchesTheTrainingClassesAndSize) {
  const xr_test::TempDir tmp("xr-gan-test");
  make_data((tmp / "data").string(), 4);
  const TrainData data = load_training_data((tmp / "data").string());
  // Another class order (classes.txt) maps to the training indices.
  make_data((tmp / "rev").string(), 3, 16, 5);
  { std::ofstream((tmp / "rev/classes.txt").string()) << "dark\nbright\n"; }
  const ValData v = load_validation_data((tmp / "rev").string(), data);
  ASSERT_EQ(v.labels.size(), 6u);
  EXPECT_EQ(v.labels.front(), 1);  // dark's images come first, as class 1 of the training data
  EXPECT_EQ(v.labels.back(), 0);
  EXPECT_EQ(v.counts, (std::vector<int>{3, 3}));
  auto error_of = [&](const std::string& root) -> std::string {
    try {
      load_validation_data(root, data);
    } catch (const xr::Error& e) {
      return std::to_string(static_cast<int>(e.code())) + " " + e.path() + ": " + e.what();
    }
    return "no error";
  };
  EXPECT_EQ(error_of((tmp / "missing").string()).substr(0, 2), "66");
  make_data((tmp / "other").string(), 2);
  fs::rename((tmp / "other/dark").string(), (tmp / "other/dim").string());
  EXPECT_NE(error_of((tmp / "other").string()).find("differ from the training classes"), std::string::npos)
      << error_of((tmp / "other").string());
  make_data((tmp / "one").string(), 2);
  fs::remove((tmp / "one/dark/img1.png").string());
  EXPECT_NE(error_of((tmp / "one").string()).find("1 validation image(s)"), std::string::npos) << error_of((tmp / "one").string());
  make_data((tmp / "big").string(), 2, 32);
  EXPECT_NE(error_of((tmp / "big").string()).find("32x32 differs from the training images' 16x16"), std::string::npos)
      << error_of((tmp / "big").string());
}
