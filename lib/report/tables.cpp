#include "report/tables.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "classify/evaluate.hpp"
#include "classify/scores.hpp"
#include "core/text.hpp"

namespace xr::report {

namespace {
std::string num(double v) { return format_number(v); }
std::string num(const std::optional<double>& v) { return v ? format_number(*v) : ""; }
}  // namespace

std::string fixed(double v, int decimals) { return format_fixed(v, decimals); }
std::string fixed(const std::optional<double>& v, int decimals) { return v ? fixed(*v, decimals) : ""; }

CsvTable metrics_table(const Experiment& e) {
  CsvTable t;
  t.header = {"experiment", "train_per_class", "pipeline", "metric", "best_run", "mean", "std",
              "runs", "ci_low", "ci_high", "ci_level"};
  for (const auto& p : pipelines()) {
    auto it = e.results.find(p);
    if (it == e.results.end()) continue;
    const PipelineResult& r = it->second;
    for (const auto& spec : metric_specs()) {
      const MetricValue& v = r.values.at(spec.key);
      t.rows.push_back({e.name, num(e.train_per_class), p, spec.key, num(v.best), num(v.mean), num(v.std),
                        r.runs > 0 ? std::to_string(r.runs) : "", num(v.ci_low), num(v.ci_high),
                        v.ci_low ? num(r.ci_level) : ""});
    }
  }
  return t;
}

CsvTable split_table(const Experiment& e) {
  CsvTable t;
  t.header = {"experiment", "class"};
  for (const auto& sp : e.split_counts.splits) t.header.push_back(sp);
  t.header.push_back("total");
  for (const auto& c : e.classes) {
    std::vector<std::string> r{e.name, c};
    int64_t total = 0;
    const auto it = e.split_counts.count.find(c);
    for (const auto& sp : e.split_counts.splits) {
      int64_t n = 0;
      if (it != e.split_counts.count.end() && it->second.count(sp)) n = it->second.at(sp);
      r.push_back(std::to_string(n));
      total += n;
    }
    r.push_back(std::to_string(total));
    t.rows.push_back(std::move(r));
  }
  return t;
}

const PaperTable* table_named_by(const std::string& experiment) {
  static const std::map<std::string, std::string> kByName{{"small", "2"}, {"micro", "3"}};
  const auto it = kByName.find(experiment);
  if (it == kByName.end()) return nullptr;
  for (const auto& t : paper_tables()) {
    if (t.table == it->second) return &t;
  }
  return nullptr;
}

const PaperTable* paper_table_for(const Experiment& e) {
  if (const PaperTable* t = table_named_by(e.name)) return t;
  return nearest_paper_table(e.train_per_class.value_or(0));
}

PaperComparison compare_with_paper(const Experiment& e) {
  const PaperTable* t = paper_table_for(e);
  return t ? compare_with_paper(e, *t) : PaperComparison{};
}

const Experiment* nearest_experiment(const PaperTable& table, const std::vector<const Experiment*>& exps) {
  for (const Experiment* e : exps) {
    if (table_named_by(e->name) == &table && !e->results.empty()) return e;
  }
  const Experiment* best = nullptr;
  double best_d = 0;
  for (const Experiment* e : exps) {
    if (!e->train_per_class || *e->train_per_class <= 0 || e->results.empty()) continue;
    const double d = std::abs(std::log(table.per_class / *e->train_per_class));
    if (!best || d < best_d || (d == best_d && *e->train_per_class > *best->train_per_class)) {
      best = e;
      best_d = d;
    }
  }
  return best;
}

PaperComparison compare_with_paper(const Experiment& e, const PaperTable& table) {
  PaperComparison c;
  c.table = &table;
  c.by_name = table_named_by(e.name) == &table;
  c.same_size = e.train_per_class && *e.train_per_class == c.table->per_class;
  std::vector<std::string> mine = e.classes;
  std::sort(mine.begin(), mine.end());
  c.same_classes = mine == paper_classes();
  for (const auto& p : pipelines()) {
    auto it = e.results.find(p);
    if (it == e.results.end()) continue;
    for (const auto& spec : metric_specs()) {
      const auto paper = c.table->value(p, spec.key);
      if (!paper) continue;
      c.rows.push_back({p, spec.key, *paper, it->second.values.at(spec.key).best});
    }
  }
  return c;
}

CsvTable paper_comparison_table(const Experiment& e, const PaperComparison& c) {
  CsvTable t;
  t.header = {"experiment", "train_per_class", "paper_table", "paper_page", "paper_per_class", "same_size",
              "same_classes", "pipeline", "metric", "paper", "run", "difference"};
  if (!c.table) return t;
  for (const auto& r : c.rows) {
    t.rows.push_back({e.name, num(e.train_per_class), c.table->table, c.table->page, num(c.table->per_class),
                      c.same_size ? "1" : "0", c.same_classes ? "1" : "0", r.pipeline, r.metric, num(r.paper),
                      num(r.run), num(r.difference())});
  }
  return t;
}

std::vector<McNemarRow> mcnemar_pairs(const Experiment& e, std::vector<std::string>& notes) {
  std::vector<std::string> with;
  std::map<std::string, std::map<std::string, classify::PredictionRow>> preds;
  for (const auto& p : pipelines()) {
    auto it = e.results.find(p);
    if (it == e.results.end() || it->second.predictions_path.empty()) continue;
    preds[p] = classify::read_predictions(it->second.predictions_path);
    with.push_back(p);
  }
  std::vector<McNemarRow> out;
  for (size_t i = 0; i < with.size(); ++i) {
    for (size_t k = i + 1; k < with.size(); ++k) {
      const auto& a = preds[with[i]];
      const auto& b = preds[with[k]];
      std::vector<bool> a_ok, b_ok;
      std::string why;
      if (a.size() != b.size()) why = "different numbers of test images";
      for (auto ia = a.begin(); why.empty() && ia != a.end(); ++ia) {
        auto ib = b.find(ia->first);
        if (ib == b.end()) {
          why = "test image " + ia->first + " is only in one of them";
        } else if (ib->second.true_class != ia->second.true_class) {
          why = "true class of " + ia->first + " differs";
        } else {
          a_ok.push_back(ia->second.predicted_class == ia->second.true_class);
          b_ok.push_back(ib->second.predicted_class == ib->second.true_class);
        }
      }
      if (!why.empty()) {
        notes.push_back(with[i] + " vs " + with[k] + ": not the same test set (" + why + ")");
        continue;
      }
      const classify::McNemarResult m = classify::mcnemar(a_ok, b_ok);
      out.push_back({with[i], with[k], static_cast<int64_t>(a_ok.size()), m.only_a_correct, m.only_b_correct,
                     m.method, m.statistic, m.p_value});
    }
  }
  return out;
}

CsvTable mcnemar_table(const std::vector<McNemarRow>& rows) {
  CsvTable t;
  t.header = {"pipeline_a", "pipeline_b", "n", "only_a_correct", "only_b_correct", "method", "statistic", "p_value"};
  for (const auto& r : rows) {
    t.rows.push_back({r.a, r.b, std::to_string(r.n), std::to_string(r.only_a_correct),
                      std::to_string(r.only_b_correct), r.method, num(r.statistic), num(r.p_value)});
  }
  return t;
}

std::vector<const Experiment*> by_size(const std::vector<Experiment>& exps) {
  std::vector<const Experiment*> out;
  for (const auto& e : exps) out.push_back(&e);
  std::stable_sort(out.begin(), out.end(), [](const Experiment* a, const Experiment* b) {
    if (a->train_per_class && b->train_per_class) return *a->train_per_class > *b->train_per_class;
    return a->train_per_class.has_value() && !b->train_per_class.has_value();
  });
  return out;
}

std::vector<ChangeRow> size_changes(const std::vector<const Experiment*>& ordered) {
  std::vector<ChangeRow> out;
  for (size_t i = 0; i + 1 < ordered.size(); ++i) {
    const Experiment& big = *ordered[i];
    const Experiment& small = *ordered[i + 1];
    for (const auto& p : pipelines()) {
      auto ib = big.results.find(p);
      auto is = small.results.find(p);
      if (ib == big.results.end() || is == small.results.end()) continue;
      for (const auto& spec : metric_specs()) {
        out.push_back({big.name, small.name, big.train_per_class, small.train_per_class, p, spec.key,
                       ib->second.values.at(spec.key).best, is->second.values.at(spec.key).best});
      }
    }
  }
  return out;
}

CsvTable change_table(const std::vector<ChangeRow>& rows) {
  CsvTable t;
  t.header = {"larger", "smaller", "larger_per_class", "smaller_per_class", "pipeline", "metric",
              "larger_value", "smaller_value", "change"};
  for (const auto& r : rows) {
    t.rows.push_back({r.larger, r.smaller, num(r.larger_per_class), num(r.smaller_per_class), r.pipeline, r.metric,
                      num(r.larger_value), num(r.smaller_value), num(r.change())});
  }
  return t;
}

CsvTable sweep_table(const std::vector<const Experiment*>& ordered) {
  CsvTable t;
  t.header = {"pipeline", "train_per_class", "experiment", "accuracy", "accuracy_mean", "accuracy_std",
              "mcc", "mcc_mean", "mcc_std"};
  for (const auto& p : pipelines()) {
    for (const Experiment* e : ordered) {
      auto it = e->results.find(p);
      if (it == e->results.end()) continue;
      const MetricValue& a = it->second.values.at("accuracy");
      const MetricValue& m = it->second.values.at("mcc");
      t.rows.push_back({p, num(e->train_per_class), e->name, num(a.best), num(a.mean), num(a.std), num(m.best),
                        num(m.mean), num(m.std)});
    }
  }
  return t;
}

namespace {
double at_least_resolution(double kid) { return std::max(kid, kFloorResolution); }
std::string times(double kid, double scale) {
  return scale > 0 ? format_number(std::round(kid / scale * 10) / 10) + " times" : "far above";
}
}  // namespace

bool GanReadiness::far_from_classical() const {
  return kid && classical_kid && *kid > kFarFromClassical * at_least_resolution(*classical_kid);
}

bool GanReadiness::far_from_floor() const {
  return kid && kid_floor && *kid > kFarFromFloor * at_least_resolution(*kid_floor);
}

std::string GanReadiness::warning() const {
  if (!warn()) return "";
  std::vector<std::string> why;
  if (first_snapshot) why.push_back("the kept snapshot is the run's first (`" + snapshot + "`, " + num(kimg) + " kimg)");
  if (far_from_classical()) {
    why.push_back("its samples' mean KID " + fixed(*kid) + " (" + kid_source + ") is " + times(*kid, *classical_kid) +
                  " the classical-augmentation images' " + fixed(*classical_kid) + " (classical-quality.json)");
  } else if (!classical_kid && far_from_floor()) {
    why.push_back("its samples' mean KID " + fixed(*kid) + " (" + kid_source + ") is " + times(*kid, *kid_floor) +
                  " the real-vs-real floor " + fixed(*kid_floor));
  }
  std::string text;
  for (size_t i = 0; i < why.size(); ++i) text += (i == 0 ? "" : ", and ") + why[i];
  return "Warning: the generator is barely trained: this row measures noise added to the data, not GAN "
         "augmentation (" + text + ").";
}

GanReadiness gan_readiness(const Experiment& e) {
  GanReadiness r;
  if (const GanSnapshot* best = best_snapshot(e.gan_progress)) {
    r.snapshot = best->snapshot;
    r.kimg = best->kimg;
    r.first_snapshot = best == &e.gan_progress.front();
    r.kid = best->selection_kid();
    r.kid_floor = best->kid_floor_mean;
    r.kid_source = "gan-run/metrics.jsonl";
  }
  if (e.gan_quality && !e.gan_quality->rows.empty()) {
    const GanQuality::PerClass& mean = e.gan_quality->rows.back();
    if (mean.kid_mean && mean.kid_floor) {
      r.kid = mean.kid_mean;
      r.kid_floor = mean.kid_floor;
      r.kid_source = "gan-quality.json";
    }
  }
  if (comparable_classical_quality(e)) r.classical_kid = e.classical_quality->rows.back().kid_mean;
  return r;
}

bool comparable_classical_quality(const Experiment& e) {
  return e.gan_quality && e.classical_quality && !e.classical_quality->rows.empty() &&
         e.classical_quality->features_id == e.gan_quality->features_id;
}

const GanQuality::PerClass* classical_row(const Experiment& e, const std::string& name) {
  if (!comparable_classical_quality(e)) return nullptr;
  for (const auto& r : e.classical_quality->rows) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

CsvTable gan_quality_table(const std::vector<Experiment>& exps) {
  CsvTable t;
  t.header = {"experiment",    "class",         "fid",           "kid_mean",      "kid_std",
              "fid_floor",     "kid_floor",     "fid_val_floor", "kid_val_floor", "classical_fid",
              "classical_kid_mean", "features", "comparable_with_published"};
  for (const auto& e : exps) {
    if (!e.gan_quality) continue;
    for (const auto& r : e.gan_quality->rows) {
      const GanQuality::PerClass* c = classical_row(e, r.name);
      t.rows.push_back({e.name, r.name, num(r.fid), num(r.kid_mean), num(r.kid_std), num(r.fid_floor),
                        num(r.kid_floor), num(r.fid_val_floor), num(r.kid_val_floor), c ? num(c->fid) : "",
                        c ? num(c->kid_mean) : "", e.gan_quality->features_id,
                        e.gan_quality->comparable_with_published ? "1" : "0"});
    }
  }
  return t;
}

CsvTable gan_progress_table(const Experiment& e) {
  CsvTable t;
  t.header = {"snapshot",     "kimg",           "kid_mean",       "fid_mean", "kid_floor_mean",
              "fid_floor_mean", "kid_val_mean", "fid_val_mean", "select_on"};
  for (const auto& s : e.gan_progress) {
    t.rows.push_back({s.snapshot, num(s.kimg), num(s.kid_mean), num(s.fid_mean), num(s.kid_floor_mean),
                      num(s.fid_floor_mean), num(s.kid_val_mean), num(s.fid_val_mean), s.select_on});
  }
  return t;
}

}  // namespace xr::report
