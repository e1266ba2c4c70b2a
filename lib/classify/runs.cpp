#include "classify/runs.hpp"

#include <filesystem>

#include "classify/features.hpp"
#include "core/csv.hpp"
#include "core/hash.hpp"

namespace fs = std::filesystem;

namespace xr::classify {

std::string model_file_path(const std::string& model_dir) {
  return (fs::path(model_dir) / "model.safetensors").string();
}

std::string run_file_path(const std::string& model_dir, int run) {
  return (fs::path(model_dir) / ("run" + std::to_string(run) + ".safetensors")).string();
}

std::vector<std::string> run_files(const std::string& model_dir) {
  std::vector<std::string> out;
  for (int k = 1;; ++k) {
    const std::string p = run_file_path(model_dir, k);
    if (!fs::exists(p)) break;
    out.push_back(p);
  }
  return out;
}

std::string run_key(const nlohmann::json& inputs) { return short_key(sha256_hex(inputs.dump())); }

nlohmann::json fit_to_json(const FitResult& r) {
  nlohmann::json h = nlohmann::json::array();
  for (const auto& e : r.history) {
    h.push_back({e.epoch, e.train_loss, e.train_accuracy, e.val_loss, e.val_accuracy});
  }
  return {{"history", h}, {"best_epoch", r.best_epoch}, {"kept_epoch", r.kept_epoch},
          {"best_val_accuracy", r.best_val_accuracy}, {"best_val_loss", r.best_val_loss}};
}

FitResult fit_from_json(const nlohmann::json& j) {
  FitResult r;
  for (const auto& e : j.at("history")) {
    r.history.push_back({e.at(0).get<int>(), e.at(1).get<double>(), e.at(2).get<double>(), e.at(3).get<double>(),
                         e.at(4).get<double>()});
  }
  r.best_epoch = j.at("best_epoch");
  r.kept_epoch = j.at("kept_epoch");
  r.best_val_accuracy = j.at("best_val_accuracy");
  r.best_val_loss = j.at("best_val_loss");
  return r;
}

bool reuse_run(const std::string& path, const std::string& key, RunRecord& rec) {
  if (!fs::exists(path)) return false;
  try {
    const auto file = xr::nn::read_safetensors(path);
    auto k = file.metadata.find("run_key");
    auto f = file.metadata.find("run_result");
    if (k == file.metadata.end() || f == file.metadata.end() || k->second != key) return false;
    FitResult fit = fit_from_json(nlohmann::json::parse(f->second));
    if (fit.kept_epoch < 1 || fit.kept_epoch > static_cast<int>(fit.history.size())) return false;
    rec.fit = std::move(fit);
    rec.reused = true;
    return true;
  } catch (const std::exception&) {
    return false;  // an unreadable or foreign file is trained again and replaced
  }
}

size_t best_run(const std::vector<RunRecord>& runs) {
  size_t best = 0;
  for (size_t i = 1; i < runs.size(); ++i) {
    if (runs[i].kept().val_accuracy > runs[best].kept().val_accuracy) best = i;
  }
  return best;
}

void write_run_tables(const std::string& model_dir, const std::vector<RunRecord>& runs, size_t kept) {
  const auto fmt = [](double v) { return xr::format_number(v); };
  xr::CsvTable runs_csv, history_csv;
  runs_csv.header = {"run", "seed", "best_epoch", "kept_epoch", "val_accuracy", "val_loss", "selected"};
  history_csv.header = {"run", "epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy"};
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunRecord& r = runs[i];
    const EpochStats& s = r.kept();
    runs_csv.rows.push_back({std::to_string(r.run), std::to_string(r.seed), std::to_string(r.fit.best_epoch),
                             std::to_string(r.fit.kept_epoch), fmt(s.val_accuracy), fmt(s.val_loss),
                             i == kept ? "1" : "0"});
    for (const auto& e : r.fit.history) {
      history_csv.rows.push_back({std::to_string(r.run), std::to_string(e.epoch), fmt(e.train_loss),
                                  fmt(e.train_accuracy), fmt(e.val_loss), fmt(e.val_accuracy)});
    }
  }
  xr::write_csv((fs::path(model_dir) / "runs.csv").string(), runs_csv);
  xr::write_csv((fs::path(model_dir) / "history.csv").string(), history_csv);
}

RunContents run_contents(const ModelInfo& info) {
  auto it = info.extra.find("contents");
  return it != info.extra.end() && it->second == kHeadOnlyContents ? RunContents::kHeadOnly
                                                                   : RunContents::kWholeModel;
}

}  // namespace xr::classify
