// The model folder inc3-train writes and cls-eval reads: run<k>.safetensors per run
// (a whole model, or only the head when the base was frozen and is shared), the
// paper's rule for the kept run (best validation accuracy), model.safetensors (the
// kept run as a whole model), runs.csv and history.csv; and the run key that lets a
// finished run be reused only when it would be trained again identically.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "classify/classifier.hpp"
#include "classify/fit.hpp"
#include "nn/safetensors.hpp"

namespace xr::classify {

std::string model_file_path(const std::string& model_dir);          // MODEL_DIR/model.safetensors
std::string run_file_path(const std::string& model_dir, int run);   // MODEL_DIR/run<k>.safetensors (1-based)
// The run files of a model folder: run1, run2, ... up to the first gap.
std::vector<std::string> run_files(const std::string& model_dir);

struct RunRecord {
  int run = 0;  // 1-based
  uint64_t seed = 0;
  FitResult fit;
  bool reused = false;  // finished by an earlier invocation
  const EpochStats& kept() const { return fit.history.at(fit.kept_epoch - 1); }
};

// What a run's result depends on, hashed: a finished run is reused only when its
// key matches. `inputs` names data, weights, seed and every training option.
std::string run_key(const nlohmann::json& inputs);

// The fit result as stored in a run file's metadata ("run_result") and back.
nlohmann::json fit_to_json(const FitResult& r);
FitResult fit_from_json(const nlohmann::json& j);

// A finished run at `path` whose metadata carries `key`: fills rec.fit and
// rec.reused. Anything else (absent, unreadable, another key): false.
bool reuse_run(const std::string& path, const std::string& key, RunRecord& rec);

// The paper's rule: the run whose kept epoch has the best validation accuracy;
// ties go to the earlier run. `runs` must not be empty.
size_t best_run(const std::vector<RunRecord>& runs);

// runs.csv (one row a run, `selected` marks the kept one) and history.csv (one row
// an epoch of every run), both in MODEL_DIR.
void write_run_tables(const std::string& model_dir, const std::vector<RunRecord>& runs, size_t kept);

// What a run file holds, as its writer recorded it (metadata "contents").
enum class RunContents { kWholeModel, kHeadOnly };
inline constexpr const char* kHeadOnlyContents = "head";
RunContents run_contents(const ModelInfo& info);

}  // namespace xr::classify
