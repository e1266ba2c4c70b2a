// The model folder's rules: the paper's best-run rule (ties to the earlier run), the
// run key, the fit result's round trip through a run file, the reuse of a finished
// run only under its own key, and the list of run files up to the first gap.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

#include "../temp_dir.hpp"
#include "classify/head.hpp"
#include "classify/runs.hpp"
#include "classify/train_runs.hpp"
#include "../exit_code.hpp"
#include "core/csv.hpp"

namespace fs = std::filesystem;
using namespace xr::classify;

namespace {

// A run whose kept epoch has validation accuracy `acc` (after a worse first epoch).
RunRecord record(int run, double acc) {
  RunRecord r;
  r.run = run;
  r.seed = 100 + run;
  r.fit.history = {{1, 1.0, 0.3, 1.1, acc / 2}, {2, 0.5, 0.6, 0.7, acc}};
  r.fit.best_epoch = 2;
  r.fit.kept_epoch = 2;
  r.fit.best_val_accuracy = acc;
  r.fit.best_val_loss = 0.7;
  return r;
}

}  // namespace

TEST(Runs, BestRunIsTheHighestKeptValidationAccuracyTiesToTheEarlier) {
  EXPECT_EQ(best_run({record(1, 0.5), record(2, 0.75), record(3, 0.6)}), 1u);
  EXPECT_EQ(best_run({record(1, 0.75), record(2, 0.75), record(3, 0.6)}), 0u);
  EXPECT_EQ(best_run({record(1, 0.2)}), 0u);
  // The kept epoch decides, not the best one: a run that kept its last, worse epoch.
  RunRecord last = record(1, 0.9);
  last.fit.kept_epoch = 1;  // val accuracy 0.45
  EXPECT_EQ(best_run({last, record(2, 0.5)}), 1u);
}

TEST(Runs, KeyDependsOnEveryInputAndNotOnInsertionOrder) {
  const nlohmann::json a = {{"lr", 0.001}, {"seed", "7"}};
  nlohmann::json b;
  b["seed"] = "7";
  b["lr"] = 0.001;
  EXPECT_EQ(run_key(a), run_key(b));
  EXPECT_EQ(run_key(a).size(), 16u);
  nlohmann::json c = a;
  c["lr"] = 0.0001;
  EXPECT_NE(run_key(a), run_key(c));
}

namespace {

const RunKeyFacts kFacts{"data-key", "weights-key", 7, true, 0.9, 2, "cpu"};

std::string key_of(const nlohmann::json& options) { return run_key(run_key_inputs(options, kFacts)); }

// A different value of the same JSON type.
nlohmann::json changed(const nlohmann::json& v) {
  if (v.is_boolean()) return !v.get<bool>();
  if (v.is_number_integer()) return v.get<int64_t>() + 1;
  if (v.is_number()) return v.get<double>() * 2 + 1;
  return v.get<std::string>() + "-other";
}

}  // namespace

TEST(Runs, EveryTrainingOptionIsInTheKeyButThoseThatCannotChangeARun) {
  const nlohmann::json options = TrainOptions{}.to_json();
  // Not in the key: runs, cache_dir, feature_batch. By their effect (the facts) rather
  // than their spelling: weights, fine_tune, bn_momentum.
  const std::set<std::string> not_as_spelled = {"runs",    "cache_dir", "feature_batch",
                                                "weights", "fine_tune", "bn_momentum"};
  for (const auto& item : options.items()) {
    nlohmann::json other = options;
    other[item.key()] = changed(item.value());
    if (not_as_spelled.count(item.key())) {
      EXPECT_EQ(key_of(other), key_of(options)) << item.key();
    } else {
      EXPECT_NE(key_of(other), key_of(options)) << item.key();
    }
  }
  // An option added to TrainOptions::to_json later is in the key without more code.
  nlohmann::json with_new = options;
  with_new["a_future_option"] = 1;
  EXPECT_NE(key_of(with_new), key_of(options));
  // And so is every fact.
  RunKeyFacts f = kFacts;
  f.bn_keep = 0.99;
  EXPECT_NE(run_key(run_key_inputs(options, f)), key_of(options));
  f = kFacts;
  f.threads = 1;
  EXPECT_NE(run_key(run_key_inputs(options, f)), key_of(options));
}

TEST(Runs, ToJsonNamesEveryTrainingOption) {
  // Each member changed alone changes to_json: a member missing there would be missing
  // from the run key too.
  const std::vector<std::function<void(TrainOptions&)>> change_each = {
      [](TrainOptions& o) { o.arch = "torchvision"; },   [](TrainOptions& o) { o.weights = "w.safetensors"; },
      [](TrainOptions& o) { o.fine_tune = true; },       [](TrainOptions& o) { o.runs = 2; },
      [](TrainOptions& o) { o.epochs = 3; },             [](TrainOptions& o) { o.batch = 8; },
      [](TrainOptions& o) { o.lr = 0.5; },               [](TrainOptions& o) { o.rho = 0.5; },
      [](TrainOptions& o) { o.epsilon = 0.5; },          [](TrainOptions& o) { o.image_size = 75; },
      [](TrainOptions& o) { o.class_weights = "balanced"; }, [](TrainOptions& o) { o.keep = "last"; },
      [](TrainOptions& o) { o.cache_dir = "none"; },     [](TrainOptions& o) { o.feature_batch = 4; },
      [](TrainOptions& o) { o.bn_momentum = "0.9"; }};
  EXPECT_EQ(change_each.size(), TrainOptions{}.to_json().size());
  for (size_t i = 0; i < change_each.size(); ++i) {
    TrainOptions o;
    change_each[i](o);
    EXPECT_NE(o.to_json(), TrainOptions{}.to_json()) << "member " << i;
  }
}

TEST(Runs, FitResultRoundTripsThroughJson) {
  const RunRecord r = record(1, 0.8);
  const FitResult back = fit_from_json(fit_to_json(r.fit));
  ASSERT_EQ(back.history.size(), 2u);
  EXPECT_EQ(back.history[1].val_accuracy, 0.8);
  EXPECT_EQ(back.history[0].train_loss, 1.0);
  EXPECT_EQ(back.kept_epoch, 2);
  EXPECT_EQ(back.best_val_loss, 0.7);
}

TEST(Runs, AFinishedRunIsReusedOnlyUnderItsKey) {
  const xr_test::TempDir tmp("xr-runs-reuse");
  const std::string dir = tmp.path();
  torch::manual_seed(0);
  ClassifierHead head(8, 3);
  ModelInfo info;
  info.classes = {"a", "b", "c"};
  info.head = describe_head(*head);
  info.weights = "none";
  info.extra["run_key"] = "k1";
  info.extra["run_result"] = fit_to_json(record(1, 0.8).fit).dump();
  info.extra["contents"] = kHeadOnlyContents;
  save_head(run_file_path(dir, 1), *head, info);

  RunRecord rec;
  EXPECT_FALSE(reuse_run(run_file_path(dir, 1), "k2", rec));
  EXPECT_FALSE(rec.reused);
  EXPECT_FALSE(reuse_run(run_file_path(dir, 2), "k1", rec));  // absent
  ASSERT_TRUE(reuse_run(run_file_path(dir, 1), "k1", rec));
  EXPECT_TRUE(rec.reused);
  EXPECT_EQ(rec.kept().val_accuracy, 0.8);
  EXPECT_EQ(run_contents(info), RunContents::kHeadOnly);
  info.extra.erase("contents");
  EXPECT_EQ(run_contents(info), RunContents::kWholeModel);

  // Not a safetensors file: trained again, not an error.
  std::ofstream(run_file_path(dir, 3)) << "garbage";
  EXPECT_FALSE(reuse_run(run_file_path(dir, 3), "k1", rec));
  fs::remove_all(dir);
}

TEST(Runs, RunFilesStopAtTheFirstGap) {
  const xr_test::TempDir tmp("xr-runs-files");
  const std::string dir = tmp.path();
  for (int k : {1, 2, 4}) std::ofstream(run_file_path(dir, k)) << "x";
  const auto files = run_files(dir);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(fs::path(files[1]).filename(), "run2.safetensors");
  EXPECT_EQ(fs::path(model_file_path(dir)).filename(), "model.safetensors");
  fs::remove_all(dir);
}

TEST(Runs, TablesMarkTheKeptRunAndListEveryEpoch) {
  const xr_test::TempDir tmp("xr-runs-tables");
  const std::string dir = tmp.path();
  write_run_tables(dir, {record(1, 0.5), record(2, 0.75)}, 1);
  const xr::CsvTable runs = xr::read_csv((fs::path(dir) / "runs.csv").string());
  ASSERT_EQ(runs.rows.size(), 2u);
  EXPECT_EQ(runs.rows[0].back(), "0");
  EXPECT_EQ(runs.rows[1].back(), "1");
  EXPECT_EQ(runs.rows[1][4], "0.75");
  const xr::CsvTable history = xr::read_csv((fs::path(dir) / "history.csv").string());
  EXPECT_EQ(history.rows.size(), 4u);
  fs::remove_all(dir);
}

TEST(TrainOptions, BatchNormMomentumIsTheArchitecturesOwnOrAKerasShareInZeroToOne) {
  TrainOptions o;
  o.weights = "pretrained.safetensors";  // pretrained: auto is the architecture's own, whatever the run's length
  EXPECT_DOUBLE_EQ(o.batch_norm_keep(450), 0.99);  // keras, the default architecture
  o.arch = "torchvision";
  EXPECT_DOUBLE_EQ(o.batch_norm_keep(450), 0.9);   // PyTorch's momentum 0.1
  o.bn_momentum = "0.5";
  EXPECT_DOUBLE_EQ(o.batch_norm_keep(450), 0.5);
  for (const char* bad : {"1", "-0.1", "nan", "inf", "0.9x", "", "high"}) {
    o.bn_momentum = bad;
    EXPECT_EQ(xr_test::code_of([&] { o.batch_norm_keep(450); }), xr::Exit::kUsage) << bad;
  }
}

TEST(TrainOptions, AutoMomentumFromRandomInitLetsTheInitialStatisticsFadeWithinTheRun) {
  TrainOptions o;  // keras, --weights none, batch 32
  o.epochs = 5;
  // 450 images: 15 steps an epoch, 75 in the run; 0.99^75 would leave 47% initial.
  EXPECT_EQ(o.steps(450), 75);
  const double keep = o.batch_norm_keep(450);
  EXPECT_NEAR(std::pow(keep, 75), 0.01, 1e-12);  // 1% left after the last step
  EXPECT_NEAR(keep, 0.9404, 1e-4);
  // A long run keeps the architecture's own; a very short one no less than 0.9.
  EXPECT_DOUBLE_EQ(o.batch_norm_keep(100000), 0.99);
  EXPECT_DOUBLE_EQ(o.batch_norm_keep(10), 0.9);
  o.arch = "torchvision";
  EXPECT_DOUBLE_EQ(o.batch_norm_keep(450), 0.9);  // never above the architecture's own
  o.arch = "keras";
  o.bn_momentum = "0.99";  // an explicit value is honoured as given
  EXPECT_DOUBLE_EQ(o.batch_norm_keep(450), 0.99);
}

TEST(TrainOptions, TheMomentumReachesEveryBatchNorm) {
  xr::nn::InceptionV3Options no;
  no.arch = xr::nn::InceptionArch::kKeras;
  xr::nn::InceptionV3 base(no);
  base->set_batch_norm_keep(0.9);
  int n = 0;
  for (auto& m : base->modules(false)) {
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get())) {
      EXPECT_NEAR(bn->options.momentum().value(), 0.1, 1e-12);
      ++n;
    }
  }
  EXPECT_EQ(n, 94);
}
