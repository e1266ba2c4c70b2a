// xr-split: divides a class folder into train/val/test per class, by seed. The
// micro train set is drawn from the small one (--subset-of) with the same val/test.
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/dataset.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/option_checks.hpp"
#include "core/output_folder.hpp"
#include "core/image_io.hpp"
#include "core/tool_main.hpp"
#include "preprocess/split.hpp"

namespace fs = std::filesystem;

namespace {

const xr::ToolInfo kInfo{
    "xr-split",
    "split a class folder into train/val/test folders per class",
    "Each class: --train-per-class images (by seed) go to train/, the rest is halved\n"
    "into val/ and test/ (test gets the odd one). Files are hard-linked where\n"
    "possible, copied otherwise. See xr-split(1).",
    xr::Takes::kSeed | xr::Takes::kForce,
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
void check_images(const xr::ImageFolder& in, const std::vector<xr::preprocess::SplitAssignment>& plan) {
  for (const auto& a : plan) xr::read_image_size((fs::path(in.root) / a.source).string());
}

int run(const Options& o, const xr::RunContext& context) {
  const xr::CommonOptions& common = context.common();
  xr::check_replaceable_output(o.out_dir, "OUT_DIR", {o.in_dir, o.subset_of}, common.force);
  const xr::ImageFolder in = xr::scan_image_folder(o.in_dir);
  if (!o.subset_of.empty() && !fs::exists(o.subset_of)) xr::fail_missing(o.subset_of, "no such file");

  std::vector<xr::preprocess::SplitAssignment> plan =
      o.subset_of.empty() ? xr::preprocess::split_fresh(in, o.train_per_class, !o.allow_duplicates_across, common.seed)
                          : xr::preprocess::split_subset(in, o.subset_of, o.train_per_class, common.seed);
  xr::preprocess::sort_split_plan(plan);
  const auto counts = xr::preprocess::count_per_split(in, plan);
  xr::preprocess::check_empty_subsets(in, counts, o.allow_empty);
  check_images(in, plan);

  xr::StagedDir out(o.out_dir);
  xr::CsvTable table;
  table.header = {"path", "split", "class", "source"};
  for (const char* split : xr::preprocess::kSplitNames) {
    for (const auto& cls : in.classes) xr::ensure_directory((fs::path(out.path()) / split / cls).string());
  }
  for (const auto& a : plan) {
    const std::string file = fs::path(a.source).filename().string();
    const std::string rel = a.split + "/" + in.classes[a.label] + "/" + file;
    link_or_copy(fs::path(in.root) / a.source, fs::path(out.path()) / rel, fs::path(o.out_dir) / rel);
    table.rows.push_back({rel, a.split, in.classes[a.label], a.source});
  }
  // classes.txt keeps the class order of IN_DIR in every split, even a custom one.
  for (const char* split : xr::preprocess::kSplitNames) {
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

int main(int argc, char** argv) { return xr::run_tool<Options>(argc, argv, kInfo, add_options, run); }
