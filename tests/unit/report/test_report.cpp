// xr-report's table computations on the hand-made fixture in tests/golden/report/
// (made by make_fixture.py): the metrics read back must equal scikit-learn's (and the
// paper's F1, 2PR/(P+R), computed there from sklearn's macro P and R), the changes
// between sizes and McNemar's p-values must equal the independent Python
// computation in expected.json; malformed inputs must be refused with the right
// exit code; the paper's published values beside a run; Table 1; the plots' data.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "core/json_file.hpp"
#include "../exit_code.hpp"
#include "../temp_dir.hpp"
#include "classify/scores.hpp"
#include "report/experiment.hpp"
#include "core/bitmap_font.hpp"
#include "report/plots.hpp"
#include "report/sample_grid.hpp"
#include "report/tables.hpp"

namespace fs = std::filesystem;
namespace rep = xr::report;
using nlohmann::json;

namespace {

using xr_test::code_of;

std::string golden_dir() {
  const char* src = std::getenv("XR_SOURCE_DIR");
  fs::path p = src ? fs::path(src) : fs::current_path();
  return (p / "tests" / "golden" / "report").string();
}

std::string fixture(const std::string& exp) { return (fs::path(golden_dir()) / "fixture" / exp).string(); }

json expected() {
  std::ifstream in(fs::path(golden_dir()) / "expected.json");
  return json::parse(in);
}

std::vector<rep::Experiment> all_experiments() {
  // Deliberately not in size order: by_size must sort them.
  return {rep::load_experiment(fixture("micro")), rep::load_experiment(fixture("tiny")),
          rep::load_experiment(fixture("small"))};
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

}  // namespace

TEST(Report, BestRunMetricsEqualSklearn) {
  const json exp = expected();
  for (const auto& e : all_experiments()) {
    const json& want = exp["metrics"][e.name];
    ASSERT_EQ(e.results.size(), want.size()) << e.name;
    for (const auto& [pipe, values] : want.items()) {
      ASSERT_TRUE(e.results.count(pipe)) << e.name << " " << pipe;
      for (const auto& [metric, v] : values.items()) {
        EXPECT_NEAR(e.results.at(pipe).values.at(metric).best, v.get<double>(), 1e-12)
            << e.name << " " << pipe << " " << metric;
      }
    }
  }
}

TEST(Report, TrainPerClassFromSplitCsv) {
  const auto exps = all_experiments();
  EXPECT_DOUBLE_EQ(*exps[0].train_per_class, 4);
  EXPECT_DOUBLE_EQ(*exps[1].train_per_class, 2);
  EXPECT_DOUBLE_EQ(*exps[2].train_per_class, 8);
  EXPECT_EQ(exps[2].classes, (std::vector<std::string>{"COVID", "Normal", "Viral Pneumonia"}));
}

TEST(Report, MeanStdAndBootstrapPassedThrough) {
  const rep::Experiment e = rep::load_experiment(fixture("small"));
  const auto& acc = e.results.at("none").values.at("accuracy");
  // make_fixture.py: mean = best - 0.05 rounded to 4 places, std 0.02, CI [best-0.2, best+0.1].
  EXPECT_DOUBLE_EQ(*acc.mean, 0.7);
  EXPECT_DOUBLE_EQ(*acc.std, 0.02);
  EXPECT_DOUBLE_EQ(*acc.ci_low, 0.55);
  EXPECT_DOUBLE_EQ(*acc.ci_high, 0.85);
  EXPECT_FALSE(e.results.at("none").values.at("precision").ci_low.has_value());  // cls-eval has none
  EXPECT_EQ(e.results.at("none").runs, 5);
  EXPECT_EQ(*e.results.at("none").kept_run, 2);
  const rep::Experiment tiny = rep::load_experiment(fixture("tiny"));
  EXPECT_FALSE(tiny.results.at("none").values.at("accuracy").ci_low.has_value());
  // The confusion matrix as [true][predicted]: none predicted COVID-3 as Normal.
  EXPECT_EQ(e.results.at("none").confusion[0], (std::vector<int64_t>{3, 1, 0}));
}

TEST(Report, MissingStagesListed) {
  const rep::Experiment micro = rep::load_experiment(fixture("micro"));
  EXPECT_EQ(micro.results.count("gan"), 0u);
  EXPECT_FALSE(micro.gan_quality.has_value());
  ASSERT_EQ(micro.missing.size(), 3u);
  EXPECT_NE(micro.missing[0].find("eval/gan/metrics.json"), std::string::npos);
  const rep::Experiment small = rep::load_experiment(fixture("small"));
  EXPECT_TRUE(small.missing.empty());
}

TEST(Report, SizeOrderAndSizeChangesMatchPython) {
  const auto exps = all_experiments();
  const auto ordered = rep::by_size(exps);
  ASSERT_EQ(ordered.size(), 3u);
  EXPECT_EQ(ordered[0]->name, "small");
  EXPECT_EQ(ordered[1]->name, "micro");
  EXPECT_EQ(ordered[2]->name, "tiny");
  const auto changes = rep::size_changes(ordered);
  const json want = expected()["size_change"];
  ASSERT_EQ(changes.size(), want.size());
  for (size_t i = 0; i < changes.size(); ++i) {
    EXPECT_EQ(changes[i].larger, want[i]["larger"]);
    EXPECT_EQ(changes[i].smaller, want[i]["smaller"]);
    EXPECT_EQ(changes[i].pipeline, want[i]["pipeline"]);
    EXPECT_EQ(changes[i].metric, want[i]["metric"]);
    EXPECT_NEAR(changes[i].change(), want[i]["change"].get<double>(), 1e-12) << i;
  }
  const xr::CsvTable t = rep::change_table(changes);
  EXPECT_EQ(t.rows.size(), changes.size());
  EXPECT_EQ(t.rows[0][t.column("change")], xr::format_number(changes[0].change()));
}

TEST(Report, UnknownSizesGoLastInGivenOrder) {
  std::vector<rep::Experiment> exps(3);
  exps[0].name = "a";
  exps[1].name = "b";
  exps[1].train_per_class = 10;
  exps[2].name = "c";
  const auto o = rep::by_size(exps);
  EXPECT_EQ(o[0]->name, "b");
  EXPECT_EQ(o[1]->name, "a");
  EXPECT_EQ(o[2]->name, "c");
}

TEST(Report, McNemarMatchesScipy) {
  const json want = expected()["mcnemar"];
  for (const auto& e : all_experiments()) {
    std::vector<std::string> notes;
    const auto rows = rep::mcnemar_pairs(e, notes);
    EXPECT_TRUE(notes.empty());
    ASSERT_EQ(rows.size(), want[e.name].size()) << e.name;
    for (size_t i = 0; i < rows.size(); ++i) {
      const json& w = want[e.name][i];
      EXPECT_EQ(rows[i].a, w["a"]);
      EXPECT_EQ(rows[i].b, w["b"]);
      EXPECT_EQ(rows[i].n, 12);
      EXPECT_EQ(rows[i].only_a_correct, w["only_a_correct"].get<int64_t>());
      EXPECT_EQ(rows[i].only_b_correct, w["only_b_correct"].get<int64_t>());
      EXPECT_NEAR(rows[i].p_value, w["p_value"].get<double>(), 1e-12) << e.name << " " << i;
    }
  }
}

TEST(Report, McNemarSkipsDifferentTestSets) {
  xr_test::TempDir d("xr-report-test");
  fs::copy(fixture("tiny"), d / "tiny", fs::copy_options::recursive);
  write(d / "tiny" / "eval" / "gan" / "predictions.csv",
        "path,true_class,predicted_class\nCOVID/other.png,COVID,COVID\n");
  const rep::Experiment e = rep::load_experiment((d / "tiny").string());
  std::vector<std::string> notes;
  EXPECT_TRUE(rep::mcnemar_pairs(e, notes).empty());
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("not the same test set"), std::string::npos);
}

TEST(Report, GanProgressBestSnapshotIsLowestKid) {
  const auto p = rep::parse_gan_progress(
      "{\"snapshot\":\"a\",\"kimg\":4,\"kid\":{\"mean\":0.09},\"fid\":{\"mean\":80}}\n\n"
      "{\"snapshot\":\"b\",\"kimg\":8,\"kid\":{\"mean\":0.03},\"fid\":{\"mean\":40}}\n"
      "{\"snapshot\":\"c\",\"kimg\":12,\"kid\":{\"mean\":0.05},\"fid\":{\"mean\":30}}\n",
      "m.jsonl");
  ASSERT_EQ(p.size(), 3u);
  const rep::GanSnapshot* best = rep::best_snapshot(p);
  ASSERT_NE(best, nullptr);
  EXPECT_EQ(best->snapshot, "b");
  EXPECT_DOUBLE_EQ(best->kimg, 8);
  EXPECT_EQ(rep::best_snapshot({}), nullptr);
  try {
    rep::parse_gan_progress("{\"kimg\":4,\"kid\":{\"mean\":1},\"fid\":{\"mean\":1}}\n{\"kimg\":", "m.jsonl");
    FAIL() << "no error";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kDataErr);
    EXPECT_EQ(e.path(), "m.jsonl:2");
  }
  EXPECT_EQ(code_of([] { rep::parse_gan_progress("{\"kimg\":4}\n", "m"); }), xr::Exit::kDataErr);
}

TEST(Report, GanQualityFromFidKidJson) {
  const rep::Experiment e = rep::load_experiment(fixture("small"));
  ASSERT_TRUE(e.gan_quality.has_value());
  const auto& rows = e.gan_quality->rows;
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[2].name, "Viral Pneumonia");
  EXPECT_DOUBLE_EQ(*rows[2].fid, 12.5);
  EXPECT_EQ(rows[3].name, "mean");
  EXPECT_DOUBLE_EQ(*rows[3].kid_mean, 0.02);
  EXPECT_FALSE(e.gan_quality->comparable_with_published);
  ASSERT_EQ(e.gan_quality->warnings.size(), 1u);
  ASSERT_EQ(e.gan_progress.size(), 3u);
}

TEST(Report, MalformedAndMissingInputs) {
  xr_test::TempDir d("xr-report-test");
  EXPECT_EQ(code_of([&] { rep::load_experiment((d / "nope").string()); }), xr::Exit::kNoInput);
  EXPECT_EQ(code_of([&] { xr::read_json_file((d / "nope.json").string()); }), xr::Exit::kNoInput);
  write(d / "bad.json", "{\"results\": ");
  try {
    xr::read_json_file((d / "bad.json").string());
    FAIL() << "no error";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kDataErr);
    EXPECT_EQ(e.path(), (d / "bad.json").string());
  }
  // Valid JSON without the numbers the table needs.
  EXPECT_EQ(code_of([] { rep::parse_eval_metrics(json::parse("{\"results\":{\"accuracy\":1}}"), "m"); }),
            xr::Exit::kDataErr);
  json j = xr::read_json_file(fixture("small") + "/eval/none/metrics.json");
  ASSERT_NO_THROW(rep::parse_eval_metrics(j, "m"));
  j["results"]["confusion"][1] = json::array({1, 2});
  EXPECT_EQ(code_of([&] { rep::parse_eval_metrics(j, "m"); }), xr::Exit::kDataErr);
  j = xr::read_json_file(fixture("small") + "/eval/none/metrics.json");
  j["results"]["bootstrap"]["mcc"] = 0.5;
  EXPECT_EQ(code_of([&] { rep::parse_eval_metrics(j, "m"); }), xr::Exit::kDataErr);
  // A malformed split.csv in an experiment folder.
  fs::copy(fixture("tiny"), d / "tiny", fs::copy_options::recursive);
  write(d / "tiny" / "split" / "split.csv", "path,split,class\n\"a,train,X\n");
  EXPECT_EQ(code_of([&] { rep::load_experiment((d / "tiny").string()); }), xr::Exit::kDataErr);
}

TEST(Report, MetricsTableLongForm) {
  const rep::Experiment e = rep::load_experiment(fixture("micro"));
  const xr::CsvTable t = rep::metrics_table(e);
  ASSERT_EQ(t.rows.size(), 14u);  // 2 pipelines x 7 metrics (the paper's 6, then sklearn's macro F1)
  EXPECT_EQ(t.rows[0][t.column("pipeline")], "none");
  EXPECT_EQ(t.rows[0][t.column("metric")], "accuracy");
  EXPECT_EQ(t.rows[0][t.column("best_run")], "0.5");
  EXPECT_EQ(t.rows[0][t.column("train_per_class")], "4");
  EXPECT_EQ(t.rows[0][t.column("runs")], "5");
  EXPECT_EQ(t.rows[0][t.column("ci_low")], "0.3");
  EXPECT_EQ(t.rows[1][t.column("ci_low")], "");  // precision: no bootstrap interval
  EXPECT_EQ(t.rows[6][t.column("metric")], "f1_sklearn");
  EXPECT_EQ(t.rows[7][t.column("pipeline")], "classical");
}

TEST(Report, NumberFormatting) {
  EXPECT_EQ(rep::fixed(0.123456), "0.1235");
  EXPECT_EQ(rep::fixed(-0.00001), "0.0000");
  EXPECT_EQ(rep::fixed(-0.25), "-0.2500");
  EXPECT_EQ(rep::fixed(std::optional<double>()), "");
  EXPECT_EQ(rep::fixed(12.5, 3), "12.500");
}

TEST(Report, GnuplotQuotingAndScripts) {
  EXPECT_EQ(rep::gp_quote("it's"), "'it''s'");
  const rep::Experiment e = rep::load_experiment(fixture("small"));
  const rep::PlotScript p = rep::confusion_plot(e, e.results.at("none"));
  EXPECT_EQ(p.name, "confusion_small_none");
  EXPECT_NE(p.text.find("set output 'confusion_small_none.png'"), std::string::npos);
  // As the paper's Figures 11-12: data rows are "real predicted count" with real
  // along x: one real COVID image predicted as Normal.
  EXPECT_NE(p.text.find("\n0 1 1\n"), std::string::npos);
  EXPECT_EQ(p.text.find("\n1 0 1\n"), std::string::npos);  // no Normal predicted as COVID
  EXPECT_NE(p.text.find("set xlabel 'Real class'\nset ylabel 'Predicted class'"), std::string::npos);
  EXPECT_NE(p.text.find("'Viral Pneumonia' 2"), std::string::npos);
  EXPECT_EQ(rep::find_program("none"), "");
  EXPECT_EQ(rep::find_program("/nonexistent/gnuplot"), "");
}

TEST(Report, SampleGridLayout) {
  const rep::Experiment e = rep::load_experiment(fixture("small"));
  const rep::SampleGrid g = rep::sample_grid(e, 8, 16);
  ASSERT_EQ(g.rows.size(), 9u);  // 3 classes x (real, classical, GAN)
  EXPECT_EQ(g.rows[0], "COVID: real");
  EXPECT_EQ(g.rows[8], "Viral Pneumonia: GAN");
  ASSERT_FALSE(g.image.empty());
  // The fixture's 16x16 images are copied unscaled at tile 16: the first real COVID
  // image (t0.png) has value 0 outside its centre square, 255 inside.
  EXPECT_GT(g.tiles_x0, 0);  // labels at the left
  EXPECT_GT(g.tiles_y0, 0);  // the class name above
  EXPECT_EQ(g.image.at(g.tiles_x0 + 0, g.tiles_y0), 0);
  EXPECT_EQ(g.image.at(g.tiles_x0 + 8, g.tiles_y0 + 8), 255);
  // The second image of the row (t1.png: 10 outside, 245 inside) two pixels further.
  EXPECT_EQ(g.image.at(g.tiles_x0 + 18, g.tiles_y0), 10);
  const rep::Experiment micro = rep::load_experiment(fixture("micro"));
  EXPECT_TRUE(rep::sample_grid(micro).image.empty());  // no images in that fixture
}

TEST(Report, BitmapFontDrawsKnownGlyph) {
  xr::GrayImage img(12, 7, 255);
  xr::draw_text(img, 0, 0, "l1", 1, 0);  // lower case drawn as upper case: 'L' then '1'
  for (int y = 0; y < 7; ++y) EXPECT_EQ(img.at(0, y), 0) << y;  // L's stem
  for (int x = 0; x < 5; ++x) EXPECT_EQ(img.at(x, 6), 0) << x;  // L's foot
  EXPECT_EQ(img.at(1, 0), 255);
  EXPECT_EQ(img.at(8, 0), 0);  // '1' starts at x 6: its top pixel is column 2
  EXPECT_EQ(xr::text_width("ab", 2), 22);
}

TEST(Report, BothF1sAndTheOlderSchema) {
  // Schema 2 (small): f1 is the paper's, f1_sklearn sklearn's, each with its mean and interval.
  const rep::Experiment small = rep::load_experiment(fixture("small"));
  const auto& v = small.results.at("none").values;
  EXPECT_NEAR(v.at("f1").best, xr::classify::harmonic_f1(v.at("precision").best, v.at("recall").best), 1e-15);
  EXPECT_NE(v.at("f1").best, v.at("f1_sklearn").best);
  EXPECT_TRUE(v.at("f1").mean && v.at("f1").ci_low && v.at("f1_sklearn").mean && v.at("f1_sklearn").ci_low);
  // Schema 1 (tiny): macro.f1 was sklearn's; the paper's F1 of the best run is
  // derived, its mean over runs is not (the mean of P and R does not give it).
  const rep::Experiment tiny = rep::load_experiment(fixture("tiny"));
  const json j = xr::read_json_file(fixture("tiny") + "/eval/none/metrics.json");
  ASSERT_EQ(j["schema"], "xr-cls-eval/1");
  const auto& t = tiny.results.at("none").values;
  EXPECT_DOUBLE_EQ(t.at("f1_sklearn").best, j["results"]["macro"]["f1"].get<double>());
  EXPECT_DOUBLE_EQ(*t.at("f1_sklearn").mean, j["results"]["runs"]["mean_std"]["macro_f1"]["mean"].get<double>());
  EXPECT_NEAR(t.at("f1").best, xr::classify::harmonic_f1(t.at("precision").best, t.at("recall").best), 1e-15);
  EXPECT_FALSE(t.at("f1").mean.has_value());
}

TEST(Report, Table1CountsEverySubset) {
  const rep::Experiment e = rep::load_experiment(fixture("small"));
  const xr::CsvTable t = rep::split_table(e);
  EXPECT_EQ(t.header, (std::vector<std::string>{"experiment", "class", "train", "val", "test", "total"}));
  ASSERT_EQ(t.rows.size(), 3u);
  // make_fixture.py: 8 train, 2 val, 4 test images per class.
  EXPECT_EQ(t.rows[2], (std::vector<std::string>{"small", "Viral Pneumonia", "8", "2", "4", "14"}));
}

TEST(Report, PaperBesideARunOfAnotherSizeAndOtherClasses) {
  rep::Experiment e = rep::load_experiment(fixture("small"));  // 8 per class, 3 classes
  e.name = "eight";  // not one of the paper's names: the table goes by size
  const rep::PaperComparison c = rep::compare_with_paper(e);
  ASSERT_NE(c.table, nullptr);
  EXPECT_EQ(c.table->table, "3");  // 500, the nearest to 8
  EXPECT_FALSE(c.by_name);
  EXPECT_FALSE(c.same_size);
  EXPECT_FALSE(c.same_classes);
  ASSERT_EQ(c.rows.size(), 18u);  // 3 pipelines x the paper's 6 metrics (not sklearn's F1)
  EXPECT_EQ(c.rows[0].pipeline, "none");
  EXPECT_EQ(c.rows[0].metric, "accuracy");
  EXPECT_DOUBLE_EQ(c.rows[0].paper, 0.783);  // Table 3, no augmentation
  EXPECT_DOUBLE_EQ(c.rows[0].run, 0.75);
  EXPECT_DOUBLE_EQ(c.rows[0].difference(), 0.75 - 0.783);
  EXPECT_EQ(c.rows[3].metric, "f1");
  EXPECT_DOUBLE_EQ(c.rows[3].paper, 0.669);
  EXPECT_DOUBLE_EQ(c.rows[3].run, e.results.at("none").values.at("f1").best);  // the paper's F1 definition
  const xr::CsvTable t = rep::paper_comparison_table(e, c);
  EXPECT_EQ(t.rows[0][t.column("paper_table")], "3");
  EXPECT_EQ(t.rows[0][t.column("same_size")], "0");
}

TEST(Report, PaperBesideARunOfTheSameSize) {
  rep::Experiment e = rep::load_experiment(fixture("small"));
  e.name = "sized";  // by size, not by the paper's name "small"
  e.classes = {"Viral Pneumonia", "Normal", "Lung_Opacity", "COVID"};  // any order
  for (double size : {1000.0, 2000.0}) {
    e.train_per_class = size;
    const rep::PaperComparison c = rep::compare_with_paper(e);
    EXPECT_TRUE(c.same_size) << size;
    EXPECT_TRUE(c.same_classes) << size;
    EXPECT_EQ(c.table->table, size == 1000 ? "2" : "4");
    if (size == 2000) {
      ASSERT_EQ(c.rows.size(), 3u);  // Table 4: accuracy only
      EXPECT_EQ(c.rows[2].pipeline, "gan");
      EXPECT_DOUBLE_EQ(c.rows[2].paper, 0.871);
    } else {
      ASSERT_EQ(c.rows.size(), 18u);
      EXPECT_DOUBLE_EQ(c.rows[17].paper, 0.76);  // Table 2, GAN, MCC
    }
  }
}

TEST(Report, EveryPaperTableGetsTheNearestExperiment) {
  const auto exps = all_experiments();  // micro 4, tiny 2, small 8 per class
  std::vector<const rep::Experiment*> all;
  for (const auto& e : exps) all.push_back(&e);
  for (const rep::PaperTable& t : rep::paper_tables()) {
    const rep::Experiment* e = rep::nearest_experiment(t, all);
    ASSERT_NE(e, nullptr) << t.table;
    // small and micro by the paper's names; Table 4 by size (8 is the nearest to 2000).
    EXPECT_EQ(e->name, t.table == "3" ? "micro" : "small") << t.table;
    EXPECT_EQ(rep::paper_table_for(*e)->table, t.table == "4" ? "2" : t.table);
    const rep::PaperComparison c = rep::compare_with_paper(*e, t);
    EXPECT_EQ(c.table, &t);
    EXPECT_FALSE(c.same_size);
    EXPECT_EQ(c.rows.size(), e->results.size() * (t.table == "4" ? 1 : 6));  // the paper's metrics a pipeline
  }
  // A tie on the log scale goes to the larger size: 250 and 1000 are as near to 500.
  rep::Experiment a = exps[2], b = exps[2];
  a.train_per_class = 250;
  b.train_per_class = 1000;
  a.name = "a";
  b.name = "b";
  const rep::PaperTable* t3 = rep::nearest_paper_table(500);
  ASSERT_NE(t3, nullptr);
  EXPECT_EQ(rep::nearest_experiment(*t3, {&a, &b}), &b);
  // A name the paper does not use goes by size; "micro" by name whatever its size.
  EXPECT_EQ(rep::paper_table_for(a)->table, "3");
  EXPECT_EQ(rep::table_named_by("a"), nullptr);
  a.name = "micro";
  a.train_per_class = 5000;
  EXPECT_EQ(rep::paper_table_for(a)->table, "3");
  EXPECT_EQ(rep::nearest_experiment(*t3, {&a, &b}), &a);
  EXPECT_EQ(rep::nearest_experiment(*t3, {}), nullptr);
}

TEST(Report, SelectionOnTheValidationSplitKeepsItsLowestKid) {
  const auto p = rep::parse_gan_progress(
      "{\"snapshot\":\"a\",\"kimg\":4,\"kid\":{\"mean\":0.09},\"fid\":{\"mean\":80},"
      "\"kid_val\":{\"mean\":0.02},\"select_on\":\"val\"}\n"
      "{\"snapshot\":\"b\",\"kimg\":8,\"kid\":{\"mean\":0.03},\"fid\":{\"mean\":40},"
      "\"kid_val\":{\"mean\":0.05},\"select_on\":\"val\"}\n",
      "m.jsonl");
  const rep::GanSnapshot* best = rep::best_snapshot(p);
  ASSERT_NE(best, nullptr);
  EXPECT_EQ(best->snapshot, "a");  // lowest validation KID, not the lowest training KID (b)
  EXPECT_DOUBLE_EQ(best->selection_kid(), 0.02);
  // select_on val without the value it selects by, or an unknown split: bad data.
  EXPECT_EQ(code_of([] {
              rep::parse_gan_progress("{\"kimg\":4,\"kid\":{\"mean\":1},\"fid\":{\"mean\":1},\"select_on\":\"val\"}",
                                      "m");
            }),
            xr::Exit::kDataErr);
  EXPECT_EQ(code_of([] {
              rep::parse_gan_progress("{\"kimg\":4,\"kid\":{\"mean\":1},\"fid\":{\"mean\":1},\"select_on\":\"x\"}",
                                      "m");
            }),
            xr::Exit::kDataErr);
}

TEST(Report, GanFloorsAreReadAndAnUntrainedGanIsFlagged) {
  rep::Experiment e = rep::load_experiment(fixture("small"));
  const auto& mean = e.gan_quality->rows.back();
  EXPECT_DOUBLE_EQ(*mean.kid_floor, 0.004);  // make_fixture.py
  EXPECT_DOUBLE_EQ(*mean.fid_val_floor, 4.5);
  EXPECT_DOUBLE_EQ(*e.gan_quality->rows[0].kid_val_floor, 0.003);
  EXPECT_DOUBLE_EQ(*e.gan_progress[1].kid_floor_mean, 0.004);
  ASSERT_TRUE(rep::comparable_classical_quality(e));
  EXPECT_DOUBLE_EQ(*rep::classical_row(e, "mean")->kid_mean, 0.015);
  EXPECT_DOUBLE_EQ(*rep::classical_row(e, "Normal")->fid, 8.5);
  // Kept: the second snapshot; the samples' KID 0.02 is 1.3 times the classical
  // images' 0.015 (below 2): no warning.
  rep::GanReadiness r = rep::gan_readiness(e);
  EXPECT_FALSE(r.first_snapshot);
  EXPECT_EQ(r.kid_source, "gan-quality.json");
  EXPECT_DOUBLE_EQ(*r.classical_kid, 0.015);
  EXPECT_FALSE(r.warn());
  EXPECT_EQ(r.warning(), "");
  const std::string head =
      "Warning: the generator is barely trained: this row measures noise added to the data, not GAN augmentation (";
  // The first snapshot kept.
  e.gan_progress[0].kid_mean = 0.01;
  r = rep::gan_readiness(e);
  EXPECT_TRUE(r.first_snapshot);
  EXPECT_FALSE(r.far_from_classical());
  EXPECT_EQ(r.warning(), head + "the kept snapshot is the run's first (`network-snapshot-000004000.safetensors`, 4 kimg)).");
  // More than 2 times the classical images' KID: 0.06 against 0.015 is 4 times.
  e.gan_quality->rows.back().kid_mean = 0.06;
  r = rep::gan_readiness(e);
  EXPECT_TRUE(r.far_from_classical());
  EXPECT_EQ(r.warning(), head + "the kept snapshot is the run's first (`network-snapshot-000004000.safetensors`, 4 "
                                "kimg), and its samples' mean KID 0.0600 (gan-quality.json) is 4 times the "
                                "classical-augmentation images' 0.0150 (classical-quality.json)).");
  e.gan_progress[0].kid_mean = 0.09;
  e.gan_quality->rows.back().kid_mean = 0.029;  // 1.93 times: not far
  EXPECT_FALSE(rep::gan_readiness(e).warn());
  // Classical images measured on other features are not a scale: the floor is (0.029
  // against 0.004 is 7 times, below 10).
  e.classical_quality->features_id = "inception:other";
  EXPECT_FALSE(rep::comparable_classical_quality(e));
  EXPECT_EQ(rep::classical_row(e, "mean"), nullptr);
  EXPECT_FALSE(rep::gan_readiness(e).classical_kid.has_value());
  EXPECT_FALSE(rep::gan_readiness(e).warn());
  e.gan_quality->rows.back().kid_mean = 0.06;  // 15 times the floor
  EXPECT_EQ(rep::gan_readiness(e).warning(),
            head + "its samples' mean KID 0.0600 (gan-quality.json) is 15 times the real-vs-real floor 0.0040).");
  // A floor of about 0 is read as kFloorResolution: 0.005 is not far, 0.02 is.
  e.classical_quality.reset();
  e.gan_quality->rows.back().kid_floor = -0.0002;
  e.gan_quality->rows.back().kid_mean = 0.005;
  EXPECT_FALSE(rep::gan_readiness(e).far_from_floor());
  e.gan_quality->rows.back().kid_mean = 0.02;
  EXPECT_TRUE(rep::gan_readiness(e).far_from_floor());
  EXPECT_NE(rep::gan_readiness(e).warning().find("KID 0.0200 (gan-quality.json) is far above the real-vs-real "
                                                 "floor -0.0002"),
            std::string::npos);
  // Without gan-quality.json, the kept snapshot's own KID and floor.
  e.gan_quality.reset();
  r = rep::gan_readiness(e);
  EXPECT_EQ(r.kid_source, "gan-run/metrics.jsonl");
  EXPECT_DOUBLE_EQ(*r.kid, 0.03);  // snapshot b
  EXPECT_FALSE(r.warn());
}

TEST(Report, SweepPlotHasIntervalsAndThePapersPoints) {
  const auto exps = all_experiments();
  const rep::PlotScript p = rep::sweep_plot(rep::by_size(exps));
  // small, none: accuracy 0.75 in [0.55, 0.85], MCC with its interval (make_fixture.py).
  const rep::Experiment& small = exps[2];
  const auto& m = small.results.at("none").values.at("mcc");
  const std::string row = "8 0.75 0.55 0.85 " + xr::format_number(m.best) + " " + xr::format_number(*m.ci_low) +
                          " " + xr::format_number(*m.ci_high) + "\n";
  EXPECT_NE(p.text.find(row), std::string::npos) << p.text;
  EXPECT_NE(p.text.find("with yerrorbars"), std::string::npos);
  // The paper's points: none at 500 (Table 3), 1000 (Table 2) and 2000 (Table 4, no MCC).
  EXPECT_NE(p.text.find("$paper_none << EOD\n500 0.783 0.573\n1000 0.85 0.74\n2000 0.855 NaN\nEOD"),
            std::string::npos);
  EXPECT_NE(p.text.find("title 'GAN (paper)'"), std::string::npos);
  EXPECT_NE(p.text.find("set xtics (2, 4, 8, 500, 1000, 2000)"), std::string::npos);
}
