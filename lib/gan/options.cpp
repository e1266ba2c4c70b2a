#include "gan/options.hpp"

#include <algorithm>

#include "core/errors.hpp"

namespace xr::gan {

AugMode parse_aug_mode(const std::string& s) {
  if (s == "ada") return AugMode::kAda;
  if (s == "noaug") return AugMode::kNoAug;
  if (s == "fixed") return AugMode::kFixed;
  throw Error(Exit::kUsage, "", "--aug must be ada, noaug or fixed (" + s + ")");
}

std::string aug_mode_name(AugMode m) {
  return m == AugMode::kAda ? "ada" : m == AugMode::kNoAug ? "noaug" : "fixed";
}

nlohmann::json TrainOptions::to_json() const {
  return {{"architecture", net.to_json()},
          {"batch", batch},
          {"gamma", gamma},
          {"glr", glr},
          {"dlr", dlr},
          {"betas", {beta1, beta2}},
          {"r1_interval", r1_interval},
          {"pl_interval", pl_interval},
          {"pl_weight", pl_weight},
          {"pl_decay", pl_decay},
          {"pl_batch_shrink", pl_batch_shrink},
          {"pl_detach_mean", pl_detach_mean},
          {"style_mixing", style_mixing},
          {"ema_kimg", ema_kimg},
          {"ema_rampup", ema_rampup},
          {"aug", aug_mode_name(aug)},
          {"p", p},
          {"target", target},
          {"ada_interval", ada_interval},
          {"ada_kimg", ada_kimg},
          {"kimg", kimg},
          {"tick", tick_kimg},
          {"snap", snap},
          {"metric_samples", metric_samples},
          {"kid_subsets", kid_subsets},
          {"kid_subset_size", kid_subset_size},
          {"select_on", select_on},
          {"precision", precision},
          {"tf32", tf32},
          {"seed", seed}};
}

TrainOptions TrainOptions::from_json(const nlohmann::json& j) {
  TrainOptions t;
  t.net = NetConfig::from_json(j.at("architecture"));
  t.batch = j.at("batch").get<int>();
  t.gamma = j.at("gamma").get<double>();
  t.glr = j.at("glr").get<double>();
  t.dlr = j.at("dlr").get<double>();
  t.beta1 = j.at("betas").at(0).get<double>();
  t.beta2 = j.at("betas").at(1).get<double>();
  t.r1_interval = j.at("r1_interval").get<int>();
  t.pl_interval = j.at("pl_interval").get<int>();
  t.pl_weight = j.at("pl_weight").get<double>();
  t.pl_decay = j.at("pl_decay").get<double>();
  t.pl_batch_shrink = j.at("pl_batch_shrink").get<int>();
  t.pl_detach_mean = j.value("pl_detach_mean", true);  // runs from before the key detached it
  t.style_mixing = j.at("style_mixing").get<double>();
  t.ema_kimg = j.at("ema_kimg").get<double>();
  t.ema_rampup = j.at("ema_rampup").get<double>();
  t.aug = parse_aug_mode(j.at("aug").get<std::string>());
  t.p = j.at("p").get<double>();
  t.target = j.at("target").get<double>();
  t.ada_interval = j.at("ada_interval").get<int>();
  t.ada_kimg = j.at("ada_kimg").get<double>();
  t.kimg = j.at("kimg").get<double>();
  t.tick_kimg = j.at("tick").get<double>();
  t.snap = j.at("snap").get<int>();
  t.metric_samples = j.at("metric_samples").get<int>();
  t.kid_subsets = j.at("kid_subsets").get<int>();
  t.kid_subset_size = j.at("kid_subset_size").get<int>();
  t.select_on = j.value("select_on", std::string("train"));  // runs from before the key: the paper's rule
  t.precision = j.at("precision").get<std::string>();
  t.tf32 = j.at("tf32").get<bool>();
  t.seed = j.at("seed").get<uint64_t>();
  return t;
}

void TrainOptions::validate() const {
  auto bad = [](const std::string& what) { throw Error(Exit::kUsage, "", what); };
  net.validate();
  if (batch < 1) bad("--batch must be >= 1 (" + std::to_string(batch) + ")");
  const int group = std::min(net.mbstd_group, batch);
  if (batch % group != 0) {
    bad("--batch " + std::to_string(batch) + " must be a multiple of --mbstd-group " +
        std::to_string(net.mbstd_group));
  }
  const int pl_batch = batch / pl_batch_shrink;
  if (pl_weight > 0 && pl_batch < 1) bad("--batch too small for the path-length batch");
  if (gamma < 0) bad("--gamma must be >= 0");
  if (glr <= 0 || dlr <= 0) bad("--glr and --dlr must be > 0");
  if (p < 0 || p > 1) bad("--p must be in [0, 1]");
  if (target <= 0 || target >= 1) bad("--target must be in (0, 1)");
  if (!(kimg > 0)) bad("--kimg must be > 0");
  if (!(tick_kimg > 0)) bad("--tick must be > 0");
  if (!(ema_kimg >= 0)) bad("--ema must be >= 0");
  if (snap < 1) bad("--snap must be >= 1");
  if (metric_samples < 0) bad("--metric-samples must be >= 0");
  if (select_on != "train" && select_on != "val") bad("--select-on must be train or val (" + select_on + ")");
  if (precision != "auto") parse_precision(precision);
}

}  // namespace xr::gan
