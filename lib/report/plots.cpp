#include "report/plots.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "core/csv.hpp"
#include "report/published.hpp"
#include "report/tables.hpp"

namespace fs = std::filesystem;

namespace xr::report {

std::string gp_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "''";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out + "'";
}

namespace {

// Common preamble: a PNG at a fixed size, plain (not "enhanced") text so
// underscores in names stay underscores.
std::string preamble(const std::string& name, int w, int h) {
  std::ostringstream s;
  s << "# Written by xr-report; edit and run `gnuplot " << name << ".gp` in this folder.\n"
    << "set terminal pngcairo size " << w << "," << h << " font 'sans,10' noenhanced\n"
    << "set output " << gp_quote(name + ".png") << "\n";
  return s.str();
}

std::string pipeline_title(const std::string& p) {
  if (p == "none") return "no augmentation";
  if (p == "classical") return "classical";
  if (p == "gan") return "GAN";
  return p;
}

}  // namespace

PlotScript confusion_plot(const Experiment& e, const PipelineResult& r) {
  PlotScript ps;
  ps.name = "confusion_" + e.name + "_" + r.name;
  ps.title = "Confusion matrix, " + e.name + ", " + pipeline_title(r.name);
  const size_t k = r.classes.size();
  int64_t max_count = 1;
  for (const auto& row : r.confusion)
    for (int64_t v : row) max_count = std::max(max_count, v);
  std::ostringstream s;
  s << preamble(ps.name, 520, 460);
  s << "set title " << gp_quote(ps.title) << "\n";
  // As the paper's Figures 11-12: real class along x, predicted class along y.
  s << "# real predicted count\n$cm << EOD\n";
  for (size_t t = 0; t < k; ++t)
    for (size_t p = 0; p < k; ++p) s << t << " " << p << " " << r.confusion[t][p] << "\n";
  s << "EOD\n";
  s << "set xrange [-0.5:" << k - 0.5 << "]\nset yrange [" << k - 0.5 << ":-0.5]\n";
  auto tics = [&](const char* axis) {
    s << "set " << axis << " (";
    for (size_t c = 0; c < k; ++c) s << (c ? ", " : "") << gp_quote(r.classes[c]) << " " << c;
    s << ")\n";
  };
  tics("xtics");
  tics("ytics");
  s << "set xtics rotate by -20 scale 0\nset ytics scale 0\n"
    << "set xlabel 'Real class'\nset ylabel 'Predicted class'\n"
    << "set palette defined (0 '#ffffff', 1 '#6baed6')\nset cbrange [0:" << max_count << "]\n"
    << "set cblabel 'Test images'\nunset key\nset size ratio -1\n"
    << "plot $cm using 1:2:3 with image, $cm using 1:2:(sprintf('%d', $3)) with labels font ',12'\n";
  ps.text = s.str();
  return ps;
}

PlotScript gan_progress_plot(const Experiment& e) {
  PlotScript ps;
  ps.name = "gan_progress_" + e.name;
  ps.title = "GAN KID and FID (mean over classes) against training progress, " + e.name;
  std::ostringstream s;
  s << preamble(ps.name, 900, 380);
  // The real-vs-real floors as a third curve where every line has them (gan-train
  // writes the same floor on every line; older runs have none).
  bool floors = true;
  for (const auto& g : e.gan_progress) floors &= g.kid_floor_mean && g.fid_floor_mean;
  s << "# kimg kid_mean fid_mean" << (floors ? " kid_floor fid_floor" : "") << "\n$g << EOD\n";
  for (const auto& g : e.gan_progress) {
    s << format_number(g.kimg) << " " << format_number(g.kid_mean) << " " << format_number(g.fid_mean);
    if (floors) s << " " << format_number(*g.kid_floor_mean) << " " << format_number(*g.fid_floor_mean);
    s << "\n";
  }
  s << "EOD\n";
  const std::string kid_floor = floors ? ", $g using 1:4 with lines dt 2 lw 2 lc rgb 'gray40' title 'real-vs-real floor'" : "";
  const std::string fid_floor = floors ? ", $g using 1:5 with lines dt 2 lw 2 lc rgb 'gray40' title 'real-vs-real floor'" : "";
  const GanSnapshot* best = best_snapshot(e.gan_progress);
  s << "set multiplot layout 1,2 title " << gp_quote(ps.title) << "\n"
    << "set grid\nset xlabel 'Training progress (kimg)'\nset key top right\n"
    << "set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05\n"
    << "set xtics rotate by -30\n"
    << "set ylabel 'KID'\n";
  if (best) {
    s << "$best << EOD\n" << format_number(best->kimg) << " " << format_number(best->kid_mean) << "\nEOD\n";
    s << "plot $g using 1:2 with linespoints lw 2 pt 7 ps 0.6 title 'KID', "
         "$best using 1:2 with points pt 6 ps 2.5 lc rgb 'red' title 'kept'"
      << kid_floor << "\n";
  } else {
    s << "plot $g using 1:2 with linespoints lw 2 pt 7 ps 0.6 title 'KID'" << kid_floor << "\n";
  }
  s << "set ylabel 'FID'\nplot $g using 1:3 with linespoints lw 2 pt 7 ps 0.6 lc 2 title 'FID'" << fid_floor
    << "\nunset multiplot\n";
  ps.text = s.str();
  return ps;
}

PlotScript sweep_plot(const std::vector<const Experiment*>& ordered) {
  PlotScript ps;
  ps.name = "sweep";
  ps.title = "Accuracy and MCC (best run, 95% bootstrap intervals) against training images per class, with the "
             "paper's values";
  std::ostringstream s;
  s << preamble(ps.name, 1000, 440);
  // An interval that is absent (cls-eval --bootstrap 0) is drawn as a point without a bar.
  auto lo = [](const MetricValue& v) { return format_number(v.ci_low.value_or(v.best)); };
  auto hi = [](const MetricValue& v) { return format_number(v.ci_high.value_or(v.best)); };
  std::vector<std::string> blocks;
  for (const auto& p : pipelines()) {
    std::ostringstream d;
    int rows = 0;
    // Smallest size first so the lines run left to right.
    for (auto it = ordered.rbegin(); it != ordered.rend(); ++it) {
      const Experiment* e = *it;
      auto r = e->results.find(p);
      if (r == e->results.end() || !e->train_per_class) continue;
      const MetricValue& a = r->second.values.at("accuracy");
      const MetricValue& m = r->second.values.at("mcc");
      d << format_number(*e->train_per_class) << " " << format_number(a.best) << " " << lo(a) << " " << hi(a) << " "
        << format_number(m.best) << " " << lo(m) << " " << hi(m) << "\n";
      ++rows;
    }
    if (rows == 0) continue;
    s << "# train_per_class accuracy acc_low acc_high mcc mcc_low mcc_high\n$" << p << " << EOD\n"
      << d.str() << "EOD\n";
    blocks.push_back(p);
  }
  // The paper's points (data/paper/published.csv): accuracy from Tables 2-4, MCC
  // from Tables 2-3 ("NaN": Table 4 has no MCC, gnuplot leaves the point out).
  std::vector<std::string> paper_blocks;
  for (size_t i = 0; i < pipelines().size(); ++i) {
    const std::string& p = pipelines()[i];
    std::vector<const PaperTable*> tables;
    for (const auto& t : paper_tables()) tables.push_back(&t);
    std::sort(tables.begin(), tables.end(), [](const PaperTable* a, const PaperTable* b) { return a->per_class < b->per_class; });
    std::ostringstream d;
    int rows = 0;
    for (const PaperTable* t : tables) {
      const auto a = t->value(p, "accuracy"), m = t->value(p, "mcc");
      if (!a && !m) continue;
      d << format_number(t->per_class) << " " << (a ? format_number(*a) : "NaN") << " "
        << (m ? format_number(*m) : "NaN") << "\n";
      ++rows;
    }
    if (rows == 0) continue;
    s << "# paper: train_per_class accuracy mcc\n$paper_" << p << " << EOD\n" << d.str() << "EOD\n";
    paper_blocks.push_back(p);
  }
  s << "set multiplot layout 1,2 title " << gp_quote(ps.title) << "\n"
    << "set grid\nset logscale x 2\nset xlabel 'Training images per class'\nset key bottom right\n"
    << "set offsets 0, 0, graph 0.08, graph 0.08\nset datafile missing 'NaN'\n";
  // Tics at the sizes that were run and the paper's, not at powers of 2; a margin on the log axis.
  std::vector<double> sizes;
  for (const Experiment* e : ordered) {
    if (e->train_per_class && std::find(sizes.begin(), sizes.end(), *e->train_per_class) == sizes.end()) {
      sizes.push_back(*e->train_per_class);
    }
  }
  for (const auto& t : paper_tables()) {
    if (std::find(sizes.begin(), sizes.end(), t.per_class) == sizes.end()) sizes.push_back(t.per_class);
  }
  std::sort(sizes.begin(), sizes.end());
  s << "set xtics (";
  for (size_t i = 0; i < sizes.size(); ++i) s << (i ? ", " : "") << format_number(sizes[i]);
  s << ")\n";
  if (!sizes.empty()) {
    s << "set xrange [" << format_number(sizes.front() / 1.2) << ":" << format_number(sizes.back() * 1.2) << "]\n";
  }
  for (int panel = 0; panel < 2; ++panel) {
    const int c = panel == 0 ? 2 : 5;  // value column; the interval follows it
    s << "set ylabel " << (panel == 0 ? "'Accuracy'" : "'MCC'") << "\nplot ";
    bool first = true;
    for (size_t i = 0; i < blocks.size(); ++i) {
      const size_t lc = std::find(pipelines().begin(), pipelines().end(), blocks[i]) - pipelines().begin() + 1;
      s << (first ? "" : ", \\\n  ") << "$" << blocks[i] << " using 1:" << c << " with lines lw 2 lc " << lc
        << " notitle, $" << blocks[i] << " using 1:" << c << ":" << c + 1 << ":" << c + 2
        << " with yerrorbars pt 7 lc " << lc << " title " << gp_quote(pipeline_title(blocks[i]) + " (this run)");
      first = false;
    }
    for (const auto& p : paper_blocks) {
      const size_t lc = std::find(pipelines().begin(), pipelines().end(), p) - pipelines().begin() + 1;
      s << (first ? "" : ", \\\n  ") << "$paper_" << p << " using 1:" << (panel == 0 ? 2 : 3)
        << " with points pt 4 ps 1.6 lw 2 lc " << lc << " title " << gp_quote(pipeline_title(p) + " (paper)");
      first = false;
    }
    s << "\n";
  }
  s << "unset multiplot\n";
  ps.text = s.str();
  return ps;
}

std::string find_program(const std::string& spec) {
  if (spec.empty() || spec == "none") return "";
  auto executable = [](const fs::path& p) { return fs::is_regular_file(p) && access(p.c_str(), X_OK) == 0; };
  // Absolute, because gnuplot runs inside the report folder.
  if (spec.find('/') != std::string::npos) return executable(spec) ? fs::absolute(spec).string() : "";
  const char* path = std::getenv("PATH");
  if (!path) return "";
  std::istringstream in(path);
  std::string dir;
  while (std::getline(in, dir, ':')) {
    if (dir.empty()) continue;
    const fs::path p = fs::path(dir) / spec;
    if (executable(p)) return p.string();
  }
  return "";
}

bool run_gnuplot(const std::string& gnuplot, const std::string& dir, const std::string& name) {
  const std::string script = name + ".gp";
  const std::string log = (fs::path(dir) / (name + ".log")).string();
  // Opened before the fork: `dir` may be relative, and the child changes into it.
  const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const pid_t pid = fork();
  if (pid < 0) {
    if (fd >= 0) close(fd);
    return false;
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    if (chdir(dir.c_str()) != 0) _exit(127);
    const int devnull = open("/dev/null", O_RDONLY);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    if (devnull >= 0) dup2(devnull, 0);
    execl(gnuplot.c_str(), gnuplot.c_str(), script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  if (fd >= 0) close(fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return false;
  }
  const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && fs::exists(fs::path(dir) / (name + ".png"));
  // On success the log holds at most gnuplot's warnings (e.g. a flat line's empty
  // range), nothing a reader of the report needs; on failure it says why.
  std::error_code ec;
  if (ok) fs::remove(log, ec);
  return ok;
}

}  // namespace xr::report
