#include "report/experiment.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <set>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/errors.hpp"
#include "core/json_file.hpp"
#include "classify/scores.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace xr::report {

const std::vector<std::string>& pipelines() {
  static const std::vector<std::string> k{"none", "classical", "gan"};
  return k;
}

const std::vector<MetricSpec>& metric_specs() {
  static const std::vector<MetricSpec> k{{"accuracy", "Accuracy"},       {"precision", "Precision"},
                                         {"recall", "Recall"},           {"f1", "F1"},
                                         {"specificity", "Specificity"}, {"mcc", "MCC"},
                                         {"f1_sklearn", "sklearn macro F1", false}};
  return k;
}

namespace {

// A number at a JSON pointer, or kDataErr naming the file and the field.
double need_number(const json& j, const std::string& pointer, const std::string& path) {
  const json::json_pointer p(pointer);
  if (!j.contains(p) || !j.at(p).is_number()) fail_data(path, "no number at " + pointer);
  return j.at(p).get<double>();
}

std::optional<double> opt_number(const json& j, const std::string& pointer) {
  const json::json_pointer p(pointer);
  if (!j.contains(p) || !j.at(p).is_number()) return std::nullopt;
  return j.at(p).get<double>();
}

std::string opt_string(const json& j, const std::string& pointer) {
  const json::json_pointer p(pointer);
  if (!j.contains(p) || !j.at(p).is_string()) return "";
  return j.at(p).get<std::string>();
}

// metric key -> (field of results, key of runs.mean_std, key of bootstrap), as
// cls-eval's schema xr-cls-eval/2 names them.
struct Source {
  std::string result_ptr, mean_std_key, bootstrap_key;
};
const std::map<std::string, Source>& sources() {
  static const std::map<std::string, Source> k{
      {"accuracy", {"/accuracy", "accuracy", "accuracy"}},
      {"precision", {"/macro/precision", "macro_precision", ""}},
      {"recall", {"/macro/recall", "macro_recall", ""}},
      {"f1", {"/macro/f1_of_macro_pr", "f1_of_macro_pr", "f1_of_macro_pr"}},
      {"specificity", {"/macro/specificity", "macro_specificity", ""}},
      {"mcc", {"/mcc", "mcc", "mcc"}},
      {"f1_sklearn", {"/macro/f1_sklearn", "macro_f1_sklearn", "macro_f1_sklearn"}},
  };
  return k;
}

// Schema xr-cls-eval/1 had one macro F1, sklearn's, as macro.f1: read it as
// f1_sklearn; the paper's F1 of the best run follows from its precision and recall
// (its mean over runs and its interval do not, and stay absent).
const std::map<std::string, Source>& sources_v1() {
  static const std::map<std::string, Source> k = [] {
    auto m = sources();
    m["f1"] = {"", "", ""};
    m["f1_sklearn"] = {"/macro/f1", "macro_f1", "macro_f1"};
    return m;
  }();
  return k;
}

// One class's (or the mean's) values and floors; fields fid-kid left out (--no-floor,
// an older version) stay nullopt.
GanQuality::PerClass quality_row(const std::string& name, const json& j) {
  GanQuality::PerClass p;
  p.name = name;
  p.fid = opt_number(j, "/fid");
  p.kid_mean = opt_number(j, "/kid_mean");
  p.kid_std = opt_number(j, "/kid_std");
  p.fid_floor = opt_number(j, "/floor/halves/fid");
  p.kid_floor = opt_number(j, "/floor/halves/kid_mean");
  p.fid_val_floor = opt_number(j, "/floor/val/fid");
  p.kid_val_floor = opt_number(j, "/floor/val/kid_mean");
  return p;
}

std::optional<GanQuality> parse_gan_quality(const json& j, const std::string& path) {
  GanQuality g;
  g.path = path;
  g.tool_version = opt_string(j, "/version");
  if (!j.contains("results") || !j["results"].is_object()) fail_data(path, "no 'results' object");
  const json& r = j["results"];
  if (!r.contains("mean") || !r["mean"].is_object()) fail_data(path, "no 'results.mean' object");
  std::vector<std::string> order;
  if (r.contains("class_order") && r["class_order"].is_array()) {
    for (const auto& c : r["class_order"]) {
      if (c.is_string()) order.push_back(c.get<std::string>());
    }
  } else if (r.contains("classes") && r["classes"].is_object()) {
    for (const auto& it : r["classes"].items()) order.push_back(it.key());
  }
  for (const auto& c : order) {
    if (!r.contains("classes") || !r["classes"].contains(c)) continue;
    const json& cj = r["classes"][c];
    g.rows.push_back(quality_row(c, cj));
  }
  g.rows.push_back(quality_row("mean", r["mean"]));
  g.features_id = opt_string(r, "/features/id");
  g.features_description = opt_string(r, "/features/description");
  const json::json_pointer cp("/features/comparable_with_published");
  g.comparable_with_published = r.contains(cp) && r.at(cp).is_boolean() && r.at(cp).get<bool>();
  if (r.contains("warnings") && r["warnings"].is_array()) {
    for (const auto& w : r["warnings"]) {
      if (w.is_string()) g.warnings.push_back(w.get<std::string>());
    }
  }
  return g;
}

// Training images per class from split.csv, the class order and Table 1's counts.
void read_split(const std::string& path, Experiment& e) {
  const CsvTable t = read_csv(path);
  const int col_split = t.column("split", path);
  const int col_class = t.column("class", path);
  SplitCounts counts;
  counts.splits = {"train", "val", "test"};
  std::vector<std::string> seen;
  for (const auto& row : t.rows) {
    const std::string& c = row[col_class];
    if (std::find(seen.begin(), seen.end(), c) == seen.end()) seen.push_back(c);
    const std::string& sp = row[col_split];
    if (std::find(counts.splits.begin(), counts.splits.end(), sp) == counts.splits.end()) counts.splits.push_back(sp);
    counts.count[c][sp]++;
  }
  if (seen.empty()) fail_data(path, "lists no images");
  double sum = 0;
  for (const auto& c : seen) sum += static_cast<double>(counts.count[c]["train"]);
  e.train_per_class = sum / static_cast<double>(seen.size());
  e.classes = seen;
  e.split_counts = std::move(counts);
}

}  // namespace

PipelineResult parse_eval_metrics(const json& j, const std::string& path) {
  PipelineResult p;
  p.metrics_path = path;
  if (!j.is_object() || !j.contains("results") || !j["results"].is_object()) fail_data(path, "no 'results' object");
  const json& r = j["results"];
  p.tool_version = opt_string(j, "/version");
  p.eval_options = j.contains("options") ? j["options"] : json();
  const json::json_pointer v2_f1("/macro/f1_of_macro_pr");
  const bool v1 = !r.contains(v2_f1) && r.contains(json::json_pointer("/macro/f1"));
  for (const auto& spec : metric_specs()) {
    const Source& s = (v1 ? sources_v1() : sources()).at(spec.key);
    MetricValue v;
    if (s.result_ptr.empty()) {  // /1's paper F1: from the best run's macro precision and recall
      const double pr = need_number(r, "/macro/precision", path), rc = need_number(r, "/macro/recall", path);
      v.best = classify::harmonic_f1(pr, rc);
      p.values[spec.key] = v;
      continue;
    }
    v.best = need_number(r, s.result_ptr, path);
    v.mean = opt_number(r, "/runs/mean_std/" + s.mean_std_key + "/mean");
    v.std = opt_number(r, "/runs/mean_std/" + s.mean_std_key + "/std");
    if (!s.bootstrap_key.empty()) {
      const json::json_pointer bp("/bootstrap/" + s.bootstrap_key);
      if (r.contains(bp)) {
        const json& iv = r.at(bp);
        if (!iv.is_array() || iv.size() != 2 || !iv[0].is_number() || !iv[1].is_number()) {
          fail_data(path, "bootstrap." + s.bootstrap_key + " is not a [low, high] pair");
        }
        v.ci_low = iv[0].get<double>();
        v.ci_high = iv[1].get<double>();
      }
    }
    p.values[spec.key] = v;
  }
  if (auto n = opt_number(r, "/runs/count")) p.runs = static_cast<int>(*n);
  if (auto k = opt_number(r, "/kept_run")) p.kept_run = static_cast<int>(*k);
  if (auto l = opt_number(r, "/bootstrap/level")) p.ci_level = *l;
  if (auto n = opt_number(r, "/bootstrap/resamples")) p.bootstrap_resamples = static_cast<int>(*n);
  if (auto n = opt_number(r, "/n")) p.n_test = static_cast<int64_t>(*n);
  p.weights = opt_string(r, "/weights");
  p.fine_tuned = r.contains("fine_tuned") && r["fine_tuned"].is_boolean() && r["fine_tuned"].get<bool>();
  if (r.contains("classes")) {
    if (!r["classes"].is_array()) fail_data(path, "'classes' is not an array");
    for (const auto& c : r["classes"]) {
      if (!c.is_string()) fail_data(path, "'classes' holds a non-string");
      p.classes.push_back(c.get<std::string>());
    }
  }
  if (r.contains("confusion")) {
    const json& cm = r["confusion"];
    const size_t k = p.classes.size();
    if (!cm.is_array() || cm.size() != k) fail_data(path, "'confusion' is not a square matrix over 'classes'");
    for (const auto& row : cm) {
      if (!row.is_array() || row.size() != k) fail_data(path, "'confusion' is not a square matrix over 'classes'");
      std::vector<int64_t> out;
      for (const auto& v : row) {
        if (!v.is_number_integer() || v.get<int64_t>() < 0) fail_data(path, "'confusion' holds a non-count");
        out.push_back(v.get<int64_t>());
      }
      p.confusion.push_back(out);
    }
  }
  return p;
}

std::vector<GanSnapshot> parse_gan_progress(const std::string& text, const std::string& path) {
  std::vector<GanSnapshot> out;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(line_no);
    json j;
    try {
      j = json::parse(line);
    } catch (const json::exception& e) {
      fail_data(where, std::string("malformed JSON line (") + e.what() + ")");
    }
    GanSnapshot s;
    s.snapshot = opt_string(j, "/snapshot");
    s.kimg = need_number(j, "/kimg", where);
    s.kid_mean = need_number(j, "/kid/mean", where);
    s.fid_mean = need_number(j, "/fid/mean", where);
    s.kid_val_mean = opt_number(j, "/kid_val/mean");
    s.fid_val_mean = opt_number(j, "/fid_val/mean");
    s.kid_floor_mean = opt_number(j, "/kid_floor/mean");
    s.fid_floor_mean = opt_number(j, "/fid_floor/mean");
    const std::string sel = opt_string(j, "/select_on");
    if (!sel.empty()) {
      if (sel != "train" && sel != "val") fail_data(where, "'select_on' is neither train nor val (" + sel + ")");
      if (sel == "val" && !s.kid_val_mean) fail_data(where, "'select_on' is val but the line has no kid_val.mean");
      s.select_on = sel;
    }
    out.push_back(s);
  }
  return out;
}

double GanSnapshot::selection_kid() const {
  return select_on == "val" ? kid_val_mean.value_or(std::numeric_limits<double>::quiet_NaN()) : kid_mean;
}

// gan-train's rule (a later snapshot replaces the kept one only when strictly lower).
const GanSnapshot* best_snapshot(const std::vector<GanSnapshot>& progress) {
  const GanSnapshot* best = nullptr;
  for (const auto& s : progress) {
    const double k = s.selection_kid();
    if (std::isfinite(k) && (!best || k < best->selection_kid())) best = &s;
  }
  return best;
}

Experiment load_experiment(const std::string& dir) {
  if (!fs::is_directory(dir)) fail_missing(dir, "no such experiment folder");
  Experiment e;
  e.dir = dir;
  e.name = fs::path(dir).lexically_normal().filename().string();
  if (e.name.empty() || e.name == ".") e.name = fs::absolute(dir).lexically_normal().parent_path().filename().string();
  const fs::path root(dir);

  const std::string split = (root / "split" / "split.csv").string();
  if (fs::exists(split)) {
    read_split(split, e);
  } else {
    e.missing.push_back("split/split.csv (xr-split): training images per class unknown");
  }
  e.has_samples = fs::is_directory(root / "split" / "train");

  for (const auto& p : pipelines()) {
    const std::string mpath = (root / "eval" / p / "metrics.json").string();
    if (!fs::exists(mpath)) {
      const bool trained = fs::exists(root / "cls" / p / "model.safetensors");
      e.missing.push_back("eval/" + p + "/metrics.json (cls-eval): pipeline '" + p + "' " +
                          (trained ? "trained but not evaluated" : "not run"));
      continue;
    }
    PipelineResult r = parse_eval_metrics(read_json_file(mpath), mpath);
    r.name = p;
    const fs::path pred = root / "eval" / p / "predictions.csv";
    if (fs::exists(pred)) r.predictions_path = pred.string();
    const fs::path topt = root / "cls" / p / "options.json";
    if (fs::exists(topt)) r.train_options = read_json_file(topt.string());
    e.results[p] = std::move(r);
  }

  const std::string gq = (root / "gan-quality.json").string();
  if (fs::exists(gq)) {
    e.gan_quality = parse_gan_quality(read_json_file(gq), gq);
  } else {
    e.missing.push_back("gan-quality.json (fid-kid): FID/KID of the GAN samples not measured");
  }
  const std::string cq = (root / "classical-quality.json").string();
  if (fs::exists(cq)) e.classical_quality = parse_gan_quality(read_json_file(cq), cq);
  const std::string gm = (root / "gan-run" / "metrics.jsonl").string();
  if (fs::exists(gm)) {
    e.gan_progress = parse_gan_progress(read_file(gm), gm);
  } else {
    e.missing.push_back(std::string("gan-run/metrics.jsonl (gan-train): ") +
                        (fs::is_directory(root / "gan-run") ? "the GAN run recorded no metrics"
                                                            : "the GAN was not trained here"));
  }
  const std::string go = (root / "gan-run" / "options.json").string();
  if (fs::exists(go)) e.gan_options = read_json_file(go);
  return e;
}

}  // namespace xr::report
