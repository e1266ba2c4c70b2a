// xr-split: divides a class folder into train/val/test per class, by seed. The
// micro train set is drawn from the small one (--subset-of) with the same val/test.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/dataset.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/option_checks.hpp"
#include "core/output_folder.hpp"
#include "core/png_io.hpp"
#include "core/rng.hpp"
#include "core/tool_main.hpp"

namespace fs = std::filesystem;

namespace {

const xr::ToolInfo kInfo{
    "xr-split",
    "split a class folder into train/val/test folders per class",
    "Each class: --train-per-class images (by seed) go to train/, the rest is halved\n"
    "into val/ and test/ (test gets the odd one). Files are hard-linked where\n"
    "possible, copied otherwise. See xr-split(1).",
    /*takes_seed=*/true,
    /*takes_device=*/false,
    /*replaces_output=*/true,
};

struct Options {
  std::string in_dir;
  std::string out_dir;
  int train_per_class = 1000;
  std::string subset_of;  // split.csv of a larger split to draw train from
  bool allow_duplicates_across = false;
  bool allow_empty = false;
};

void add_options(CLI::App& app, Options& o) {
  app.add_option("IN_DIR", o.in_dir, "Class folder: IN_DIR/<class>/*.png")->required();
  app.add_option("OUT_DIR", o.out_dir, "Output folder: OUT_DIR/{train,val,test}/<class>/ and split.csv")
      ->required();
  app.add_option("-n,--train-per-class", o.train_per_class, "Training images per class")
      ->check(xr::in_range(1, 1e7));
  app.add_option("--subset-of", o.subset_of,
                 "split.csv of an earlier split of IN_DIR: train is drawn from its train set, "
                 "val and test are kept");
  app.add_flag("--allow-duplicates-across", o.allow_duplicates_across,
               "Split byte-identical images independently (by default copies of one image stay "
               "in one split, so no test image is a copy of a training image)");
  app.add_flag("--allow-empty", o.allow_empty,
               "Write a split even where a class's val or test subset is empty (a warning instead of an error)");
}

struct Assignment {
  std::string split;   // train|val|test
  int label;
  std::string source;  // relative to IN_DIR: <class>/<file>
};

// Byte-identical files of one class, grouped (singletons for unique files), in file
// order. The real database holds some copies; letting them fall into both train and
// test would score memorisation as accuracy.
std::vector<std::vector<std::string>> duplicate_groups(const std::string& root,
                                                       const std::vector<std::string>& files, bool group) {
  std::vector<std::vector<std::string>> groups;
  if (!group) {
    for (const auto& f : files) groups.push_back({f});
    return groups;
  }
  std::map<std::string, size_t> group_of_content;
  for (const auto& f : files) {
    auto [it, fresh] = group_of_content.emplace(xr::read_file((fs::path(root) / f).string()), groups.size());
    if (fresh) groups.push_back({});
    groups[it->second].push_back(f);
  }
  return groups;
}

// Fresh split: per class, shuffle the groups of copies with a per-class stream (so
// adding a class does not change the others), fill train with exactly N images,
// then halve the rest into val and test.
std::vector<Assignment> split_fresh(const xr::ImageFolder& in, const Options& o, uint64_t seed) {
  std::vector<std::vector<std::string>> by_class(in.classes.size());
  for (const auto& e : in.images) by_class[e.label].push_back(e.rel);
  std::vector<Assignment> out;
  for (size_t c = 0; c < by_class.size(); ++c) {
    const auto& files = by_class[c];
    const size_t n_train = o.train_per_class;
    if (files.size() < n_train) {
      xr::fail_data((fs::path(in.root) / in.classes[c]).string(),
                    "class '" + in.classes[c] + "' has " + std::to_string(files.size()) +
                        " images, fewer than --train-per-class " + std::to_string(o.train_per_class));
    }
    auto groups = duplicate_groups(in.root, files, !o.allow_duplicates_across);
    if (groups.size() < files.size()) {
      xr::log::warn("class '" + in.classes[c] + "': " + std::to_string(files.size() - groups.size()) +
                    " byte-identical copies kept in the split of their original");
    }
    xr::Rng rng(xr::derive_seed(seed, c));
    rng.shuffle(groups);
    // A group that would overshoot N waits for val/test, so train gets exactly N
    // whenever the group sizes allow it.
    std::vector<const std::vector<std::string>*> rest;
    size_t taken = 0;
    for (const auto& g : groups) {
      if (taken + g.size() <= n_train) {
        for (const auto& f : g) out.push_back({"train", static_cast<int>(c), f});
        taken += g.size();
      } else {
        rest.push_back(&g);
      }
    }
    if (taken < n_train) {
      xr::log::warn("class '" + in.classes[c] + "': train holds " + std::to_string(taken) +
                    " images, not " + std::to_string(n_train) + ", to keep copies together");
    }
    const size_t n_val = (files.size() - taken) / 2;
    size_t in_val = 0;
    for (const auto* g : rest) {
      const bool val = in_val < n_val;
      for (const auto& f : *g) out.push_back({val ? "val" : "test", static_cast<int>(c), f});
      if (val) in_val += g->size();
    }
  }
  return out;
}

// Subset split: val/test copied from the larger split, train drawn from its train.
std::vector<Assignment> split_subset(const xr::ImageFolder& in, const Options& o, uint64_t seed) {
  const xr::CsvTable parent = xr::read_csv(o.subset_of);
  const int col_split = parent.column("split", o.subset_of);
  const int col_class = parent.column("class", o.subset_of);
  const int col_source = parent.column("source", o.subset_of);
  std::map<std::string, bool> present;
  for (const auto& e : in.images) present[e.rel] = true;

  std::vector<std::vector<std::string>> train_by_class(in.classes.size());
  std::vector<Assignment> out;
  std::map<std::string, size_t> first_row;  // source -> its row (1: the first after the header)
  for (size_t r = 0; r < parent.rows.size(); ++r) {
    const auto& row = parent.rows[r];
    const auto [it, fresh] = first_row.emplace(row[col_source], r + 1);
    if (!fresh) {
      xr::fail_data(o.subset_of, "row " + std::to_string(r + 1) + " lists " + row[col_source] +
                                     " again (first in row " + std::to_string(it->second) + ")");
    }
    const int label = in.class_index(row[col_class]);
    if (label < 0) xr::fail_data(o.subset_of, "class '" + row[col_class] + "' is not in " + in.root);
    if (!present.count(row[col_source])) {
      xr::fail_data(o.subset_of, "lists an image that is not in " + in.root + " (" + row[col_source] + ")");
    }
    const std::string& split = row[col_split];
    if (split == "train") {
      train_by_class[label].push_back(row[col_source]);
    } else if (split == "val" || split == "test") {
      out.push_back({split, label, row[col_source]});
    } else {
      xr::fail_data(o.subset_of, "unknown split '" + split + "'");
    }
  }
  for (size_t c = 0; c < train_by_class.size(); ++c) {
    auto& files = train_by_class[c];
    if (static_cast<int>(files.size()) < o.train_per_class) {
      xr::fail_data(o.subset_of, "class '" + in.classes[c] + "' has " + std::to_string(files.size()) +
                                     " training images there, fewer than --train-per-class " +
                                     std::to_string(o.train_per_class));
    }
    std::sort(files.begin(), files.end());
    xr::Rng rng(xr::derive_seed(seed, c));
    rng.shuffle(files);
    for (int i = 0; i < o.train_per_class; ++i) out.push_back({"train", static_cast<int>(c), files[i]});
  }
  return out;
}

// `shown` is the file's path once the output is in place: the staged folder's hidden
// name means nothing to the user.
void link_or_copy(const fs::path& from, const fs::path& to, const fs::path& shown) {
  std::error_code ec;
  fs::create_hard_link(from, to, ec);
  if (!ec) return;
  fs::copy_file(from, to, ec);
  if (ec) xr::fail_io(shown.string(), "cannot link or copy " + from.string() + " there (" + ec.message() + ")");
}

// The files are linked or copied, never decoded: a file that is not an image, or is
// one whose header is corrupt, is refused here (65, naming it) rather than by the
// first tool that reads the split.
void check_images(const xr::ImageFolder& in, const std::vector<Assignment>& plan) {
  for (const auto& a : plan) xr::read_image_size((fs::path(in.root) / a.source).string());
}

// A class whose validation or test subset would be empty (too few images beyond
// --train-per-class) makes every later score on it undefined: refused before
// anything is written (65, naming the class), or a warning with --allow-empty.
std::vector<std::vector<int>> count_per_split(const xr::ImageFolder& in, const std::vector<Assignment>& plan) {
  std::vector<std::vector<int>> counts(3, std::vector<int>(in.classes.size(), 0));
  for (const auto& a : plan) counts[a.split == "train" ? 0 : a.split == "val" ? 1 : 2][a.label]++;
  return counts;
}

void check_empty_subsets(const xr::ImageFolder& in, const std::vector<std::vector<int>>& counts, bool allow) {
  std::vector<std::string> empty;
  for (size_t c = 0; c < in.classes.size(); ++c) {
    for (int s : {1, 2}) {
      if (counts[s][c] > 0) continue;
      empty.push_back("class '" + in.classes[c] + "': " + (s == 1 ? "val" : "test") + " would hold no images (" +
                      std::to_string(counts[0][c] + counts[1][c] + counts[2][c]) + " in all, " +
                      std::to_string(counts[0][c]) + " in train)");
    }
  }
  if (empty.empty()) return;
  if (!allow) {
    const std::string more = empty.size() > 1 ? " and " + std::to_string(empty.size() - 1) + " more" : "";
    xr::fail_data(in.root, empty.front() + more + ": lower --train-per-class, or pass --allow-empty");
  }
  for (const auto& line : empty) xr::log::warn(line);
}

int run(const Options& o, const xr::CommonOptions& common) {
  xr::check_replaceable_output(o.out_dir, "OUT_DIR", {o.in_dir, o.subset_of});
  const xr::ImageFolder in = xr::scan_image_folder(o.in_dir);
  if (!o.subset_of.empty() && !fs::exists(o.subset_of)) xr::fail_missing(o.subset_of, "no such file");

  std::vector<Assignment> plan =
      o.subset_of.empty() ? split_fresh(in, o, common.seed) : split_subset(in, o, common.seed);
  std::sort(plan.begin(), plan.end(), [](const Assignment& a, const Assignment& b) {
    return std::tie(a.split, a.label, a.source) < std::tie(b.split, b.label, b.source);
  });
  const auto counts = count_per_split(in, plan);
  check_empty_subsets(in, counts, o.allow_empty);
  check_images(in, plan);

  xr::StagedDir out(o.out_dir);
  xr::CsvTable table;
  table.header = {"path", "split", "class", "source"};
  for (const char* split : {"train", "val", "test"}) {
    for (const auto& cls : in.classes) xr::ensure_directory((fs::path(out.path()) / split / cls).string());
  }
  for (const auto& a : plan) {
    const std::string file = fs::path(a.source).filename().string();
    const std::string rel = a.split + "/" + in.classes[a.label] + "/" + file;
    link_or_copy(fs::path(in.root) / a.source, fs::path(out.path()) / rel, fs::path(o.out_dir) / rel);
    table.rows.push_back({rel, a.split, in.classes[a.label], a.source});
  }
  // classes.txt keeps the class order of IN_DIR in every split, even a custom one.
  for (const char* split : {"train", "val", "test"}) {
    xr::write_class_list((fs::path(out.path()) / split).string(), in.classes);
  }
  std::sort(table.rows.begin(), table.rows.end());
  xr::write_csv((fs::path(out.path()) / "split.csv").string(), table);
  out.commit();

  for (size_t c = 0; c < in.classes.size(); ++c) {
    xr::log::info(in.classes[c] + ": train " + std::to_string(counts[0][c]) + ", val " +
                  std::to_string(counts[1][c]) + ", test " + std::to_string(counts[2][c]));
  }
  std::cout << (fs::path(o.out_dir) / "split.csv").string() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  return xr::tool_main(
      argc, argv, kInfo, [&](CLI::App& app) { add_options(app, o); },
      [&](const xr::CommonOptions& c) { return run(o, c); });
}
