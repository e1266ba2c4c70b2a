// Assembles the whole report folder from loaded experiments: report.md, the CSVs,
// the gnuplot scripts and (with gnuplot) their PNGs, and the sample grid PNG.
#pragma once
#include <string>
#include <vector>

#include "report/experiment.hpp"

namespace xr::report {

struct ReportOptions {
  std::string gnuplot;  // executable path; "" skips the plots (scripts still written)
  std::string gnuplot_spec = "gnuplot";  // what the user asked for, for the message
  int grid_per_row = 8;
  int grid_tile = 64;
  std::string version;  // xr-report's version, named in report.md
};

struct ReportSummary {
  std::vector<std::string> files;          // written, relative to the folder
  std::vector<std::string> skipped_plots;  // names of plots not rendered
};

// Writes everything into `dir` (an existing, empty folder: the caller's StagedDir).
ReportSummary write_report(const std::vector<Experiment>& exps, const std::string& dir, const ReportOptions& o);

// Makes experiment names unique ("small", "small-2", ...) and CSV/file-name safe.
void assign_names(std::vector<Experiment>& exps);

}  // namespace xr::report
