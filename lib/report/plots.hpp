// The report's figures as gnuplot scripts (data inline, so a user can restyle and
// re-run one script alone) and the runner that turns them into PNGs when gnuplot is
// installed. Without gnuplot the scripts are still written and the report says
// which plots were skipped.
#pragma once
#include <string>
#include <vector>

#include "report/experiment.hpp"

namespace xr::report {

struct PlotScript {
  std::string name;   // file stem: <name>.gp writes <name>.png
  std::string title;  // what the figure shows, for report.md
  std::string text;   // the gnuplot script
};

PlotScript confusion_plot(const Experiment& e, const PipelineResult& r);
PlotScript gan_progress_plot(const Experiment& e);  // KID and FID against kimg
// Accuracy and MCC (best run) against training images per class, a line per
// pipeline with the 95% bootstrap intervals as error bars, and the paper's points.
PlotScript sweep_plot(const std::vector<const Experiment*>& ordered);

// The gnuplot executable: `spec` "none" -> "", a path with '/' -> itself if
// executable, else a name searched on PATH ("" if not found).
std::string find_program(const std::string& spec);

// Runs `gnuplot NAME.gp` inside `dir` (stdout and stderr to NAME.log there).
// Returns true when NAME.png exists afterwards and gnuplot exited 0.
bool run_gnuplot(const std::string& gnuplot, const std::string& dir, const std::string& name);

// A string as a gnuplot single-quoted literal ('' escapes a quote).
std::string gp_quote(const std::string& s);

}  // namespace xr::report
