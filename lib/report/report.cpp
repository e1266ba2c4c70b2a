#include "report/report.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/log.hpp"
#include "core/image_io.hpp"
#include "core/text.hpp"
#include "report/noise.hpp"
#include "report/plots.hpp"
#include "report/published.hpp"
#include "report/sample_grid.hpp"
#include "report/tables.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace xr::report {

namespace {

std::string pipeline_label(const std::string& p) {
  if (p == "none") return "None";
  if (p == "classical") return "Classical";
  if (p == "gan") return "GAN";
  return p;
}

std::string size_label(const Experiment& e) {
  if (!e.train_per_class) return e.name + " (training images per class unknown)";
  return e.name + " (" + format_number(*e.train_per_class) + " training images per class)";
}

// Markdown table cell text: '|' would end the cell.
std::string cell(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

// The first `text_cols` columns are left-aligned text, the others right-aligned numbers.
std::string table_header(const std::vector<std::string>& cols, size_t text_cols = 1) {
  std::string h = "|", rule = "|";
  for (size_t i = 0; i < cols.size(); ++i) {
    h += " " + cols[i] + " |";
    rule += i < text_cols ? "---|" : "---:|";
  }
  return h + "\n" + rule + "\n";
}

std::string row(const std::vector<std::string>& cells) {
  std::string r = "|";
  for (const auto& c : cells) r += " " + cell(c) + " |";
  return r + "\n";
}

std::string option_value(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_null()) return "(none)";
  return j.dump();
}

// A few named options of an options object, "key value, ..." ("" if none present).
std::string pick_options(const json& opts, const std::vector<std::string>& keys) {
  if (!opts.is_object()) return "";
  std::string out;
  for (const auto& k : keys) {
    if (!opts.contains(k)) continue;
    out += (out.empty() ? "" : ", ") + std::string("--") + k + " " + option_value(opts[k]);
  }
  return out;
}

std::string weights_text(const PipelineResult& r) {
  if (r.weights.empty()) return "not recorded";
  // inc3-train records "none (random initialisation)" when it started from scratch.
  if (r.weights.rfind("none", 0) == 0 || r.weights.rfind("random", 0) == 0) {
    return "no pretrained weights (random initialisation; the paper used ImageNet weights)";
  }
  return std::string("pretrained weights ") + r.weights + (r.fine_tuned ? ", fine-tuned" : ", base frozen");
}

std::string signed_fixed(double v, int decimals = 4) {
  const std::string f = fixed(v, decimals);
  if (f == fixed(0.0, decimals) || f[0] == '-' || f == "nan") return f;
  return "+" + f;
}

std::string metric_title(const std::string& key) {
  for (const auto& m : metric_specs())
    if (m.key == key) return m.title;
  return key;
}

void write_text(const std::string& dir, const std::string& name, const std::string& text, ReportSummary& s) {
  write_file_atomic((fs::path(dir) / name).string(), text);
  s.files.push_back(name);
}

void write_table(const std::string& dir, const std::string& name, const CsvTable& t, ReportSummary& s) {
  write_csv((fs::path(dir) / name).string(), t);
  s.files.push_back(name);
}

// Writes the script, runs it when gnuplot is there; returns the markdown for it.
std::string figure(const PlotScript& p, const std::string& dir, const ReportOptions& o, ReportSummary& s) {
  write_text(dir, p.name + ".gp", p.text, s);
  if (!o.gnuplot.empty() && run_gnuplot(o.gnuplot, dir, p.name)) {
    s.files.push_back(p.name + ".png");
    return "![" + p.title + "](" + p.name + ".png)\n\n";
  }
  s.skipped_plots.push_back(p.name);
  if (!o.gnuplot.empty()) {
    log::warn("gnuplot failed on " + p.name + ".gp (see " + p.name + ".log in the report folder)");
    if (fs::exists(fs::path(dir) / (p.name + ".log"))) s.files.push_back(p.name + ".log");
    return "*" + p.title + ": gnuplot failed, see `" + p.name + ".log`; the script is `" + p.name + ".gp`.*\n\n";
  }
  return "*" + p.title + ": plot skipped (no gnuplot); the script is `" + p.name + ".gp`.*\n\n";
}

// Table 1 of this run: images per class in each subset, from split.csv.
void split_section(const Experiment& e, const std::string& dir, std::ostringstream& md, ReportSummary& s) {
  if (e.classes.empty()) return;
  const CsvTable t = split_table(e);
  md << "### Table 1: images per class in each subset\n\n"
     << "From `split/split.csv` (the paper's Table 1 lists the same for its data).\n\n";
  std::vector<std::string> cols{"Class"};
  for (const auto& sp : e.split_counts.splits) {
    cols.push_back(sp == "train" ? "Train" : sp == "val" ? "Validation" : sp == "test" ? "Test" : sp);
  }
  cols.push_back("Total");
  md << table_header(cols);
  std::vector<int64_t> sums(cols.size() - 1, 0);
  for (const auto& r : t.rows) {
    md << row(std::vector<std::string>(r.begin() + 1, r.end()));
    for (size_t i = 2; i < r.size(); ++i) sums[i - 2] += std::stoll(r[i]);
  }
  std::vector<std::string> total{"All classes"};
  for (int64_t v : sums) total.push_back(std::to_string(v));
  md << row(total) << "\nAs CSV: `table1_" << e.name << ".csv`.\n\n";
  write_table(dir, "table1_" + e.name + ".csv", t, s);
}

// One of the paper's tables beside one experiment's best-run values, under `heading`,
// as report.md's table and as the CSV `csv_name`.
void paper_table_section(const Experiment& e, const PaperComparison& c, const std::string& heading,
                         const std::string& csv_name, const std::string& dir, std::ostringstream& md,
                         ReportSummary& s) {
  if (!c.table || c.rows.empty()) return;
  const PaperTable& t = *c.table;
  md << heading << "\n\n";
  if (!c.same_classes) {
    std::vector<std::string> mine = e.classes;
    std::sort(mine.begin(), mine.end());
    md << "Not the paper's classes: this run has " << (mine.empty() ? "unknown classes" : join(mine, ", "))
       << "; the paper has " << join(paper_classes(), ", ") << ".\n\n";
  }
  const std::string where = "Fedoruk et al. 2024, Table " + t.table + (t.page.empty() ? "" : ", p. " + t.page);
  if (c.same_size) {
    md << "Published values (" << where << ": " << t.caption << ") and this run's best run; difference = "
       << "this run minus the paper.\n\n";
  } else {
    md << "The sizes differ: this run has "
       << (e.train_per_class ? format_number(*e.train_per_class) : std::string("an unknown number of"))
       << " training images per class, the paper's Table " << t.table << " has " << format_number(t.per_class) << " ("
       << where << ": " << t.caption << "). "
       << (c.by_name ? "Set beside it by name (the paper calls its " + format_number(t.per_class) +
                           "-per-class experiment " + e.name + "); shown"
                     : std::string("Shown"))
       << " as a reference, not as a reproduction; difference = this run minus the paper.\n\n";
  }
  std::vector<std::string> metrics;
  for (const auto& m : metric_specs()) {
    for (const auto& r : c.rows) {
      if (r.metric == m.key) {
        metrics.push_back(m.key);
        break;
      }
    }
  }
  std::vector<std::string> cols{"Pipeline", "Values"};
  for (const auto& m : metrics) cols.push_back(metric_title(m));
  md << table_header(cols, 2);
  for (const auto& p : pipelines()) {
    std::vector<std::string> paper{pipeline_label(p), "paper"}, run{"", "this run"}, diff{"", "difference"};
    bool any = false;
    for (const auto& m : metrics) {
      const PaperComparison::Row* hit = nullptr;
      for (const auto& r : c.rows)
        if (r.pipeline == p && r.metric == m) hit = &r;
      // The paper's values as printed (3 decimals at most).
      paper.push_back(hit ? fixed(hit->paper, 3) : "-");
      run.push_back(hit ? fixed(hit->run, 3) : "-");
      diff.push_back(hit ? signed_fixed(hit->difference(), 3) : "-");
      any |= hit != nullptr;
    }
    if (any) md << row(paper) << row(run) << row(diff);
  }
  md << "\nAs CSV: `" << csv_name << "` (every published value: `data/paper/published.csv`).\n\n";
  write_table(dir, csv_name, paper_comparison_table(e, c), s);
}

// The paper's table nearest this experiment's size.
void paper_section(const Experiment& e, const std::string& dir, std::ostringstream& md, ReportSummary& s) {
  const PaperComparison c = compare_with_paper(e);
  if (!c.table) return;
  paper_table_section(e, c, "### The paper beside this run (its Table " + c.table->table + ")",
                      "paper_vs_run_" + e.name + ".csv", dir, md, s);
}

// Every table of the paper (2, 3 and 4), each beside the experiment nearest its size,
// so that the three are on the page whatever sizes were run. A table an experiment's
// own section already shows is named, not repeated.
void paper_tables_section(const std::vector<Experiment>& exps, const std::string& dir, std::ostringstream& md,
                          ReportSummary& s) {
  std::vector<const Experiment*> all;
  for (const auto& e : exps) all.push_back(&e);
  std::ostringstream body;
  bool any = false;
  for (const PaperTable& t : paper_tables()) {
    const Experiment* e = nearest_experiment(t, all);
    if (!e) continue;
    any = true;
    const PaperComparison own = compare_with_paper(*e);
    if (own.table == &t) {
      body << "- Table " << t.table << " (" << format_number(t.per_class) << " per class): beside " << size_label(*e)
           << " in its section above.\n\n";
      continue;
    }
    paper_table_section(*e, compare_with_paper(*e, t),
                        "### Table " + t.table + " beside " + size_label(*e) + ", the nearest size run",
                        "paper_table" + t.table + "_vs_" + e->name + ".csv", dir, body, s);
  }
  if (!any) return;
  md << "## The paper's Tables 2-4 beside this study\n\n"
     << "Each of the paper's result tables beside the experiment nearest its size (training images per class, "
     << "log scale).\n\n"
     << body.str();
}

// The confusion matrix as the paper's Figures 11-12 draw it: a row per predicted
// class (vertical axis), a column per real class (horizontal axis).
void confusion_table(const PipelineResult& r, std::ostringstream& md) {
  const size_t k = r.classes.size();
  md << "Confusion matrix, " << pipeline_label(r.name) << " (rows: predicted class; columns: real class):\n\n";
  std::vector<std::string> cols{"Predicted \\ Real"};
  for (const auto& c : r.classes) cols.push_back(cell(c));
  md << table_header(cols);
  for (size_t p = 0; p < k; ++p) {
    std::vector<std::string> cells{r.classes[p]};
    for (size_t t = 0; t < k; ++t) cells.push_back(std::to_string(r.confusion[t][p]));
    md << row(cells);
  }
  md << "\n";
}

// The experiment's noise verdict in one sentence, for the top of its section: which
// differences between pipelines exceed the classifier's run-to-run spread.
std::string noise_sentence(const std::vector<NoiseRow>& rows) {
  if (rows.empty()) return "";
  int fewest = 0, most = 0;
  bool any_spread = false;
  std::vector<std::string> exceed;
  for (const auto& r : rows) {
    for (int n : {r.runs_a, r.runs_b}) {
      fewest = fewest == 0 ? n : std::min(fewest, n);
      most = std::max(most, n);
    }
    if (r.verdict != NoiseRow::Verdict::kNoSpread) any_spread = true;
    if (r.verdict != NoiseRow::Verdict::kExceedsNoise) continue;
    exceed.push_back(pipeline_label(r.a) + " - " + pipeline_label(r.b) + " in " +
                     (r.metric == "mcc" ? std::string("MCC") : std::string("accuracy")) + " (" +
                     signed_fixed(r.difference, 3) + ", " + format_number(kNoiseLevel * 100) + "% interval " +
                     signed_fixed(*r.ci_low, 3) + " to " + signed_fixed(*r.ci_high, 3) + ")");
  }
  if (!any_spread) {
    return "**Noise:** " + std::to_string(most) + " classifier run" + (most == 1 ? "" : "s") +
           " per pipeline: no run-to-run spread is known, so no difference between the pipelines below can be "
           "told from noise (it takes at least 2 runs a pipeline; see xr-report(1) for how many).";
  }
  const std::string runs = (fewest == most ? std::to_string(most) : std::to_string(fewest) + "-" +
                                                                        std::to_string(most)) +
                           " runs per pipeline";
  std::string out = "**Noise:** read against the run-to-run spread (" + runs + ", Welch " +
                    format_number(kNoiseLevel * 100) + "% intervals of the difference of mean test scores), ";
  if (exceed.empty()) return out + "no difference in accuracy or MCC between the pipelines exceeds noise.";
  std::string list;
  for (size_t i = 0; i < exceed.size(); ++i) list += (i == 0 ? "" : "; ") + exceed[i];
  return out + list + (exceed.size() == 1 ? " exceeds" : " exceed") + " noise; every other difference is within it.";
}

// The verdict table: every pair of pipelines, accuracy and MCC.
void noise_section(const Experiment& e, const std::vector<NoiseRow>& rows, const std::string& dir,
                   std::ostringstream& md, ReportSummary& s) {
  if (rows.empty()) return;
  md << "\n### Differences against the run-to-run noise\n\n"
     << "Difference of the mean test scores over the classifier runs (A minus B), its standard error (Welch: "
     << "unequal spreads and run counts), the " << format_number(kNoiseLevel * 100)
     << "% interval (Student's t, Welch-Satterthwaite degrees of freedom), and whether the interval excludes 0. "
     << "With fewer than 2 runs in either pipeline, or the same score in every run of both, no spread is "
     << "known.\n\n";
  md << table_header({"Metric", "A", "B", "Runs (A, B)", "A - B", "Std. error", "95% interval", "Verdict"}, 3);
  for (const auto& r : rows) {
    const bool spread = r.verdict != NoiseRow::Verdict::kNoSpread;
    md << row({r.metric == "mcc" ? "MCC" : "Accuracy", pipeline_label(r.a), pipeline_label(r.b),
               std::to_string(r.runs_a) + ", " + std::to_string(r.runs_b), signed_fixed(r.difference, 3),
               spread ? fixed(*r.se, 3) : "-",
               spread ? "[" + signed_fixed(*r.ci_low, 3) + ", " + signed_fixed(*r.ci_high, 3) + "]" : "-",
               verdict_text(r.verdict)});
  }
  md << "\nAs CSV: `noise_" << e.name << ".csv`.\n";
  write_table(dir, "noise_" + e.name + ".csv", noise_table(e.name, rows), s);
}

void experiment_section(const Experiment& e, const std::string& dir, const ReportOptions& o, std::ostringstream& md,
                        ReportSummary& s) {
  md << "## " << size_label(e) << "\n\nFolder: `" << e.dir << "`\n\n";
  const std::vector<NoiseRow> noise = noise_rows(e);
  if (!noise.empty()) md << noise_sentence(noise) << "\n\n";
  split_section(e, dir, md, s);

  if (!e.results.empty()) {
    const PipelineResult& any = e.results.begin()->second;
    md << "### Classification (the paper's Table 2/3)\n\n"
       << "Best run (the run kept by validation accuracy, as in the paper), scored on the test set"
       << (any.n_test > 0 ? " (" + std::to_string(any.n_test) + " images)" : std::string()) << "; "
       << "precision, recall and specificity are macro averages over the classes. F1 is the paper's: "
       << "2PR/(P+R) of the macro precision P and recall R (every row of the paper's Tables 2-3 satisfies it); "
       << "the last column is scikit-learn's macro F1, the mean of the per-class F1s, which the paper does not "
       << "report.\n\n";
    const GanReadiness gan = gan_readiness(e);
    if (e.results.count("gan") && gan.warn()) md << gan.warning() << "\n\n";
    std::vector<std::string> cols{"Pipeline"};
    for (const auto& m : metric_specs()) cols.push_back(m.title);
    md << table_header(cols);
    for (const auto& p : pipelines()) {
      auto it = e.results.find(p);
      if (it == e.results.end()) continue;
      std::vector<std::string> cells{pipeline_label(p)};
      for (const auto& m : metric_specs()) cells.push_back(fixed(it->second.values.at(m.key).best));
      md << row(cells);
    }
    bool any_runs = false, any_ci = false;
    for (const auto& r : e.results) {
      any_runs |= r.second.runs > 0;
      any_ci |= r.second.values.at("accuracy").ci_low.has_value();
    }
    if (any_runs) {
      md << "\nMean ± sample standard deviation over the runs (every run scored on the test set):\n\n";
      std::vector<std::string> c2{"Pipeline", "Runs"};
      for (const auto& m : metric_specs()) c2.push_back(m.title);
      md << table_header(c2);
      for (const auto& p : pipelines()) {
        auto it = e.results.find(p);
        if (it == e.results.end()) continue;
        const PipelineResult& r = it->second;
        std::vector<std::string> cells{pipeline_label(p), r.runs > 0 ? std::to_string(r.runs) : "-"};
        for (const auto& m : metric_specs()) {
          const MetricValue& v = r.values.at(m.key);
          // One run has no spread: its mean alone, never "± 0.0000".
          if (!v.mean) {
            cells.push_back("-");
          } else if (r.runs >= 2 && v.std) {
            cells.push_back(fixed(*v.mean) + " ± " + fixed(*v.std));
          } else {
            cells.push_back(fixed(*v.mean) + (r.runs == 1 ? " (one run)" : ""));
          }
        }
        md << row(cells);
      }
      noise_section(e, noise, dir, md, s);
    } else {
      md << "\nNo per-run scores (cls-eval was run without --all-runs): mean and std not available.\n";
    }
    if (any_ci) {
      md << "\n" << format_number(any.ci_level * 100) << "% percentile bootstrap intervals of the best run ("
         << any.bootstrap_resamples << " resamples of the test set):\n\n";
      md << table_header({"Pipeline", "Accuracy", "F1", "sklearn macro F1", "MCC"});
      for (const auto& p : pipelines()) {
        auto it = e.results.find(p);
        if (it == e.results.end()) continue;
        std::vector<std::string> cells{pipeline_label(p)};
        for (const char* k : {"accuracy", "f1", "f1_sklearn", "mcc"}) {
          const MetricValue& v = it->second.values.at(k);
          cells.push_back(v.ci_low ? "[" + fixed(*v.ci_low) + ", " + fixed(*v.ci_high) + "]" : "-");
        }
        md << row(cells);
      }
    }
    md << "\nAs CSV: `table_" << e.name << ".csv`.\n\n";
    write_table(dir, "table_" + e.name + ".csv", metrics_table(e), s);
    paper_section(e, dir, md, s);

    std::vector<std::string> notes;
    const auto mc = mcnemar_pairs(e, notes);
    md << "### McNemar's test between pipelines\n\n";
    if (!mc.empty()) {
      md << "Paired on the same test images (best runs); small p: the two classifiers' errors differ.\n\n";
      md << table_header({"A", "B", "Only A right", "Only B right", "Test", "p-value"}, 2);
      for (const auto& r : mc) {
        md << row({pipeline_label(r.a), pipeline_label(r.b), std::to_string(r.only_a_correct),
                   std::to_string(r.only_b_correct), r.method, fixed(r.p_value)});
      }
      md << "\nAs CSV: `mcnemar_" << e.name << ".csv`.\n\n";
      write_table(dir, "mcnemar_" + e.name + ".csv", mcnemar_table(mc), s);
    } else {
      md << "Not computed: fewer than two pipelines with predictions.csv on the same test set.\n\n";
    }
    for (const auto& n : notes) md << "- " << n << "\n";
    if (!notes.empty()) md << "\n";
  }

  if (e.gan_quality || !e.gan_progress.empty()) {
    md << "### GAN image quality\n\n";
    if (e.gan_quality) {
      const GanQuality& g = *e.gan_quality;
      bool halves = false, val = false;
      for (const auto& r : g.rows) {
        halves |= r.kid_floor || r.fid_floor;
        val |= r.kid_val_floor || r.fid_val_floor;
      }
      const bool classical = comparable_classical_quality(e);
      md << "GAN samples against the training split (`gan-quality.json`, fid-kid)";
      if (classical) {
        md << ", beside the classical-augmentation images measured the same way (`classical-quality.json`: same "
           << "split, same features), the scale to read them on: samples far worse than the classical images "
           << "add noise to the training set, not information";
      }
      if (halves || val) {
        md << (classical ? "; and " : ", ") << "beside the real-vs-real floors: the same metric between "
           << (halves ? "the two halves of the training split (alternate files of each class)" : "")
           << (halves && val ? ", and between " : "") << (val ? "the training and validation splits" : "")
           << ". A generator near the data scores near its floor";
      }
      md << ":\n\n";
      std::vector<std::string> cols{"Class", "FID"};
      if (classical) cols.push_back("FID classical");
      if (halves) cols.push_back("FID floor (halves)");
      if (val) cols.push_back("FID floor (val)");
      cols.insert(cols.end(), {"KID", "KID std"});
      if (classical) cols.push_back("KID classical");
      if (halves) cols.push_back("KID floor (halves)");
      if (val) cols.push_back("KID floor (val)");
      md << table_header(cols);
      for (const auto& r : g.rows) {
        const GanQuality::PerClass* c = classical ? classical_row(e, r.name) : nullptr;
        std::vector<std::string> cells{r.name == "mean" ? "Mean" : r.name, fixed(r.fid, 3)};
        if (classical) cells.push_back(c ? fixed(c->fid, 3) : "-");
        if (halves) cells.push_back(fixed(r.fid_floor, 3));
        if (val) cells.push_back(fixed(r.fid_val_floor, 3));
        cells.insert(cells.end(), {fixed(r.kid_mean), fixed(r.kid_std)});
        if (classical) cells.push_back(c ? fixed(c->kid_mean) : "-");
        if (halves) cells.push_back(fixed(r.kid_floor));
        if (val) cells.push_back(fixed(r.kid_val_floor));
        md << row(cells);
      }
      if (e.classical_quality && !classical) {
        md << "\n`classical-quality.json` used other features (" << e.classical_quality->features_id
           << ") than `gan-quality.json` (" << g.features_id << "): its values are not shown beside the GAN's.\n";
      }
      md << "\nFeatures: " << (g.features_description.empty() ? g.features_id : g.features_description) << ". "
         << (g.comparable_with_published ? "These FID/KID values are comparable with published numbers."
                                         : "These FID/KID values are NOT comparable with published numbers "
                                           "(not the reference Inception-v3 features).")
         << "\n\n";
      if (!g.warnings.empty()) {
        md << "fid-kid's warnings:\n\n";
        for (const auto& w : g.warnings) md << "- " << w << "\n";
        md << "\n";
      }
    }
    if (!e.gan_progress.empty()) {
      const GanSnapshot* best = best_snapshot(e.gan_progress);
      md << "Training progress (`gan-run/metrics.jsonl`): " << e.gan_progress.size() << " snapshots";
      if (best) {
        const bool on_val = best->select_on == "val";
        md << "; the snapshot kept has the lowest KID against the " << (on_val ? "validation" : "training")
           << " split: " << fixed(best->selection_kid()) << " at " << format_number(best->kimg) << " kimg (`"
           << best->snapshot << "`; training-split KID " << fixed(best->kid_mean);
        if (best->kid_floor_mean) md << ", floor " << fixed(*best->kid_floor_mean);
        md << ", FID " << fixed(best->fid_mean, 3);
        if (best->fid_floor_mean) md << ", floor " << fixed(*best->fid_floor_mean, 3);
        md << ")";
      }
      md << ".\n\n";
      const GanReadiness gan = gan_readiness(e);
      if (gan.warn()) md << gan.warning() << "\n\n";
      write_table(dir, "gan_progress_" + e.name + ".csv", gan_progress_table(e), s);
      md << figure(gan_progress_plot(e), dir, o, s);
    }
  }

  if (!e.results.empty()) {
    md << "### Confusion matrices\n\n"
       << "Oriented as the paper's Figures 11-12: predicted class on the vertical axis, real class on the "
       << "horizontal axis (the counts of `eval/<pipeline>/confusion.csv`, transposed).\n\n";
    for (const auto& p : pipelines()) {
      auto it = e.results.find(p);
      if (it == e.results.end() || it->second.confusion.empty()) continue;
      confusion_table(it->second, md);
      md << figure(confusion_plot(e, it->second), dir, o, s);
    }
  }

  const SampleGrid grid = sample_grid(e, o.grid_per_row, o.grid_tile);
  if (!grid.image.empty()) {
    const std::string name = "samples_" + e.name + ".png";
    write_png_gray8((fs::path(dir) / name).string(), grid.image);
    s.files.push_back(name);
    md << "### Real, classical and GAN images\n\n![Sample images, " << e.name << "](" << name << ")\n\n"
       << "Rows from the top (the first " << o.grid_per_row << " images of each folder by name):\n\n";
    for (size_t i = 0; i < grid.rows.size(); ++i) md << i + 1 << ". " << grid.rows[i] << "\n";
    md << "\n";
  }

  if (!e.missing.empty()) {
    md << "### Missing stages\n\n";
    for (const auto& m : e.missing) md << "- " << m << "\n";
    md << "\n";
  }
}

void sources_section(const std::vector<Experiment>& exps, std::ostringstream& md) {
  md << "## Where the numbers come from\n\n";
  for (const auto& e : exps) {
    for (const auto& p : pipelines()) {
      auto it = e.results.find(p);
      if (it == e.results.end()) continue;
      const PipelineResult& r = it->second;
      md << "- " << e.name << ", " << pipeline_label(p) << ": `" << r.metrics_path << "` (cls-eval "
         << (r.tool_version.empty() ? "?" : r.tool_version);
      const std::string eo = pick_options(r.eval_options, {"bootstrap", "all-runs", "seed"});
      if (!eo.empty()) md << "; " << eo;
      md << "); classifier: " << weights_text(r);
      if (r.kept_run) md << ", run " << *r.kept_run << " kept";
      const std::string to = pick_options(r.train_options, {"runs", "epochs", "batch", "lr", "image-size", "seed"});
      if (!to.empty()) md << "; inc3-train " << to;
      md << "\n";
    }
    if (e.gan_quality) {
      md << "- " << e.name << ", GAN quality: `" << e.gan_quality->path << "` (fid-kid "
         << (e.gan_quality->tool_version.empty() ? "?" : e.gan_quality->tool_version) << "; features "
         << e.gan_quality->features_id << ", "
         << (e.gan_quality->comparable_with_published ? "comparable" : "not comparable")
         << " with published FID/KID)\n";
    }
    if (e.gan_options.is_object()) {
      const json& go = e.gan_options.contains("options") ? e.gan_options["options"] : e.gan_options;
      md << "- " << e.name << ", GAN training: `" << (fs::path(e.dir) / "gan-run" / "options.json").string()
         << "` (gan-train; "
         << pick_options(go, {"kimg", "gamma", "batch", "glr", "dlr", "cbase", "cmax", "aug", "target", "seed"})
         << ")\n";
    }
  }
  md << "\n";
}

std::string safe_name(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.') ? c : '_';
  return out.empty() ? "exp" : out;
}

}  // namespace

void assign_names(std::vector<Experiment>& exps) {
  std::set<std::string> used;
  for (auto& e : exps) {
    const std::string base = safe_name(e.name);
    std::string name = base;
    for (int k = 2; used.count(name); ++k) name = base + "-" + std::to_string(k);
    used.insert(name);
    e.name = name;
  }
}

ReportSummary write_report(const std::vector<Experiment>& exps, const std::string& dir, const ReportOptions& o) {
  ReportSummary s;
  std::ostringstream md;
  md << "# GAN vs classical augmentation: report\n\n";
  md << "Made by xr-report " << o.version << " from " << exps.size() << " experiment folder"
     << (exps.size() == 1 ? "" : "s") << ":";
  for (const auto& e : exps) md << " " << e.name;
  md << ". Sections per experiment follow; the sources, tool versions and options are listed at the end.\n\n";

  for (const auto& e : exps) experiment_section(e, dir, o, md, s);
  paper_tables_section(exps, dir, md, s);

  const auto ordered = by_size(exps);
  if (exps.size() >= 2) {
    const auto changes = size_changes(ordered);
    md << "## Change between data sizes\n\n"
       << "This run's change from each size to the next smaller one (not a table of the paper: the paper's "
       << "Table 4 is another article's accuracy at 2000 images per class, shown beside a run of that size).\n\n";
    if (changes.empty()) {
      md << "Not computed: no pipeline was evaluated at two sizes.\n\n";
    } else {
      md << "Best-run values; change = smaller minus larger (negative: worse with less data).\n\n";
      md << table_header({"From", "To", "Pipeline", "Metric", "Larger", "Smaller", "Change"}, 4);
      for (const auto& c : changes) {
        md << row({c.larger, c.smaller, pipeline_label(c.pipeline), metric_title(c.metric), fixed(c.larger_value),
                   fixed(c.smaller_value), signed_fixed(c.change())});
      }
      md << "\nAs CSV: `size_change.csv`.\n\n";
      write_table(dir, "size_change.csv", change_table(changes), s);
    }
  }
  if (exps.size() >= 3) {
    md << "## Data-size sweep: accuracy and MCC against training images per class\n\n";
    std::vector<std::string> cols{"Pipeline"};
    for (const Experiment* e : ordered) {
      cols.push_back(e->train_per_class ? format_number(*e->train_per_class) : e->name);
    }
    md << "Best-run accuracy / MCC per training images per class:\n\n" << table_header(cols);
    for (const auto& p : pipelines()) {
      std::vector<std::string> cells{pipeline_label(p)};
      bool any = false;
      for (const Experiment* e : ordered) {
        auto it = e->results.find(p);
        if (it == e->results.end()) {
          cells.push_back("-");
          continue;
        }
        any = true;
        cells.push_back(fixed(it->second.values.at("accuracy").best) + " / " + fixed(it->second.values.at("mcc").best));
      }
      if (any) md << row(cells);
    }
    md << "\nAs CSV: `sweep.csv`.\n\n";
    write_table(dir, "sweep.csv", sweep_table(ordered), s);
  }
  if (exps.size() >= 2) {
    size_t with_size = 0;
    for (const auto& e : exps) with_size += e.train_per_class && !e.results.empty();
    if (with_size >= 2) md << figure(sweep_plot(ordered), dir, o, s);
  }

  bool any_gan = false;
  for (const auto& e : exps) any_gan |= e.gan_quality.has_value();
  if (any_gan) write_table(dir, "gan_quality.csv", gan_quality_table(exps), s);

  sources_section(exps, md);

  if (!s.skipped_plots.empty()) {
    md << "## Plots skipped\n\n"
       << (o.gnuplot.empty() ? "gnuplot was not found (`" + o.gnuplot_spec +
                                   "`; Debian: apt-get install gnuplot-nox), so these plots were not drawn; "
                                   "their scripts are in this folder:"
                             : std::string("gnuplot failed on these scripts:"))
       << "\n\n";
    for (const auto& p : s.skipped_plots) md << "- " << p << " (`" << p << ".gp`)\n";
    md << "\n";
  }
  write_text(dir, "report.md", md.str(), s);
  return s;
}

}  // namespace xr::report
