#include "gan/resume.hpp"

#include <cmath>
#include <filesystem>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "nn/safetensors.hpp"

namespace fs = std::filesystem;

namespace xr::gan {

namespace {

constexpr const char* kResumeFormat = "xr-gan-resume-1";

std::string in_run(const std::string& run_dir, const std::string& name) {
  return (fs::path(run_dir) / name).string();
}

int64_t file_size_or_zero(const std::string& path) {
  std::error_code ec;
  auto s = fs::file_size(path, ec);
  return ec ? 0 : static_cast<int64_t>(s);
}

void truncate_to(const std::string& path, int64_t size) {
  if (!fs::exists(path)) return;
  std::error_code ec;
  fs::resize_file(path, static_cast<uintmax_t>(size), ec);
  if (ec) fail_io(path, "cannot truncate (" + ec.message() + ")");
}

}  // namespace

void save_resume(const std::string& run_dir, TrainState& s, const SnapshotInfo& info) {
  nn::TensorMap t;
  for (const auto& [k, v] : nn::module_state(*s.g)) t["G." + k] = v;
  for (const auto& [k, v] : nn::module_state(*s.g_ema)) t["G_ema." + k] = v;
  for (const auto& [k, v] : nn::module_state(*s.d)) t["D." + k] = v;
  s.opt_g.save(t, "opt_G.");
  s.opt_d.save(t, "opt_D.");
  t["augment_p"] = s.aug_p.detach();
  t["pl_mean"] = s.pl_mean.detach();
  t["ada_sum"] = s.ada_sum.detach();
  nlohmann::json state = {{"cur_nimg", s.cur_nimg},
                          {"batch_idx", s.batch_idx},
                          {"cur_tick", s.cur_tick},
                          {"tick_start_nimg", s.tick_start_nimg},
                          {"ada_count", s.ada_count},
                          {"total_sec", s.total_sec},
                          {"best_kid", std::isfinite(s.best_kid) ? nlohmann::json(s.best_kid) : nlohmann::json()},
                          {"best_snapshot", s.best_snapshot},
                          {"last_snapshot", s.last_snapshot},
                          {"stats_bytes", file_size_or_zero(in_run(run_dir, "stats.jsonl"))},
                          {"metrics_bytes", file_size_or_zero(in_run(run_dir, "metrics.jsonl"))}};
  auto meta = snapshot_metadata(info);
  meta["format"] = kResumeFormat;
  meta["state"] = state.dump();
  nn::write_safetensors(in_run(run_dir, "resume.safetensors"), t, meta);
  // A readable copy of the counters; resume.safetensors is the authority.
  write_file_atomic(in_run(run_dir, "resume.json"), state.dump(2) + "\n");
}

void load_resume(const std::string& run_dir, TrainState& s, const NetConfig& net,
                 const std::vector<std::string>& classes) {
  const std::string file = in_run(run_dir, "resume.safetensors");
  if (!fs::exists(file)) fail_missing(file, "no resume state in the run folder");
  const nn::Safetensors st = nn::read_safetensors(file);
  auto it = st.metadata.find("format");
  if (it == st.metadata.end() || it->second != kResumeFormat) fail_data(file, "not a gan-train resume state");
  const NetConfig saved = NetConfig::from_json(nlohmann::json::parse(st.metadata.at("architecture")));
  if (saved.to_json() != net.to_json()) {
    fail_data(file, "architecture differs from this run's options (" + saved.to_json().dump() + ")");
  }
  const auto saved_classes = nlohmann::json::parse(st.metadata.at("classes")).get<std::vector<std::string>>();
  if (saved_classes != classes) fail_data(file, "classes differ from the data folder's");
  nn::load_module_state(*s.g, st, file, "G.", true);
  nn::load_module_state(*s.g_ema, st, file, "G_ema.", true);
  nn::load_module_state(*s.d, st, file, "D.", true);
  try {
    s.opt_g.load(st.tensors, "opt_G.");
    s.opt_d.load(st.tensors, "opt_D.");
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
    s.aug_p.copy_(get("augment_p").reshape({}));
    s.pl_mean.copy_(get("pl_mean").reshape({}));
    s.ada_sum.copy_(get("ada_sum").reshape({}));
  }
  const nlohmann::json j = nlohmann::json::parse(st.metadata.at("state"));
  s.cur_nimg = j.at("cur_nimg").get<int64_t>();
  s.batch_idx = j.at("batch_idx").get<int64_t>();
  s.cur_tick = j.at("cur_tick").get<int64_t>();
  s.tick_start_nimg = j.at("tick_start_nimg").get<int64_t>();
  s.ada_count = j.at("ada_count").get<int64_t>();
  s.total_sec = j.at("total_sec").get<double>();
  s.best_kid = j.at("best_kid").is_null() ? std::numeric_limits<double>::infinity() : j.at("best_kid").get<double>();
  s.best_snapshot = j.at("best_snapshot").get<std::string>();
  s.last_snapshot = j.at("last_snapshot").get<std::string>();
  truncate_to(in_run(run_dir, "stats.jsonl"), j.at("stats_bytes").get<int64_t>());
  truncate_to(in_run(run_dir, "metrics.jsonl"), j.at("metrics_bytes").get<int64_t>());
  log::info("resuming at " + std::to_string(s.cur_nimg) + " images (tick " + std::to_string(s.cur_tick) +
            ", augment p " + std::to_string(s.aug_p.item<double>()) + ")");
}

void clear_run_logs(const std::string& run_dir) {
  truncate_to(in_run(run_dir, "stats.jsonl"), 0);
  truncate_to(in_run(run_dir, "metrics.jsonl"), 0);
}

}  // namespace xr::gan
