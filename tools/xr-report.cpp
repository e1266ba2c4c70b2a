// xr-report: reads the stage outputs of one or more experiment folders and writes a
// report folder: report.md (Table 1, the paper's Tables 2/3 and its published values
// beside them, McNemar's tests, GAN quality, the change between sizes), CSVs of
// every table, gnuplot scripts and PNG figures, a grid of sample images.
#include <filesystem>
#include <iostream>

#include "core/output_folder.hpp"
#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "core/option_checks.hpp"
#include "core/log.hpp"
#include "core/tool_main.hpp"
#include "report/experiment.hpp"
#include "report/plots.hpp"
#include "report/report.hpp"

namespace fs = std::filesystem;
namespace rep = xr::report;

namespace {

const xr::ToolInfo kInfo{
    "xr-report",
    "write report.md, tables (CSV) and plots (PNG) from experiment folders",
    "Each EXP_DIR is one data size (split/, classical/, gan/, gan-run/, gan-quality.json,\n"
    "cls/<pipeline>/, eval/<pipeline>/). Missing stages are reported, not fatal. Per\n"
    "experiment: Table 1 (images per subset), Table 2/3 (F1 = 2PR/(P+R) of macro P and\n"
    "R, the paper's; sklearn's macro F1 beside it), the paper's published Table 2 (1000\n"
    "per class), 3 (500) or 4 (2000, accuracy) beside the run with differences (the\n"
    "nearest when the sizes differ), confusion matrices with predicted classes as rows\n"
    "(the paper's Figures 11-12). With several EXP_DIRs: the change between sizes, the\n"
    "accuracy/MCC plot with bootstrap error bars and the paper's points; with 3+ the\n"
    "sweep table. Plots need gnuplot; without it the scripts are written and the plots\n"
    "listed as skipped. Prints the path of report.md. See xr-report(1).",
    xr::Takes::kForce,
};

struct Options {
  std::vector<std::string> exp_dirs;
  std::string out_dir;
  std::string gnuplot = "gnuplot";
  int grid_per_row = 8;
  int grid_tile = 64;
};

void add_options(CLI::App& app, Options& o) {
  app.add_option("EXP_DIR", o.exp_dirs, "Experiment folders (one per data size)")->required();
  app.add_option("-o,--out", o.out_dir, "Report folder to write (replaced as a whole)")->required();
  app.add_option("--gnuplot", o.gnuplot, "gnuplot program (name on PATH or path; none: no plots)");
  app.add_option("--grid-per-row", o.grid_per_row, "Images per row in the sample grid")
      ->check(xr::in_range(1, 64));
  app.add_option("--grid-tile", o.grid_tile, "Side of each image in the sample grid (pixels)")
      ->check(xr::in_range(8, 512));
}

int run(const Options& o, const xr::RunContext& context) {
  const xr::CommonOptions& common = context.common();
  xr::check_replaceable_output(o.out_dir, "--out", o.exp_dirs, common.force, /*may_lie_inside_inputs=*/true);
  std::vector<rep::Experiment> exps;
  for (const auto& dir : o.exp_dirs) exps.push_back(rep::load_experiment(dir));
  bool usable = false;
  for (const auto& e : exps) {
    if (!e.usable()) xr::log::warn(e.dir + ": no evaluation or GAN results yet");
    usable |= e.usable();
  }
  if (!usable) {
    xr::fail_missing(o.exp_dirs.front(), "nothing to report: no eval/<pipeline>/metrics.json, gan-quality.json "
                                          "or gan-run/metrics.jsonl in any experiment folder");
  }
  rep::assign_names(exps);

  rep::ReportOptions ro;
  ro.gnuplot_spec = o.gnuplot;
  ro.gnuplot = rep::find_program(o.gnuplot);
  if (ro.gnuplot.empty() && o.gnuplot != "none") xr::log::warn("gnuplot not found (" + o.gnuplot + "): plots skipped");
  ro.grid_per_row = o.grid_per_row;
  ro.grid_tile = o.grid_tile;
  ro.version = XR_VERSION;

  xr::StagedDir out(o.out_dir);
  const rep::ReportSummary s = rep::write_report(exps, out.path(), ro);
  out.commit();
  xr::log::info("wrote " + std::to_string(s.files.size()) + " files to " + o.out_dir +
                (s.skipped_plots.empty() ? "" : ", " + std::to_string(s.skipped_plots.size()) + " plots skipped"));
  std::cout << (fs::path(o.out_dir) / "report.md").string() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return xr::run_tool<Options>(argc, argv, kInfo, add_options, run); }
