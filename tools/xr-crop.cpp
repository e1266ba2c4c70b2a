// xr-crop: the paper's preprocessing of a raw dataset (<class>/images, <class>/masks):
// crop each image to the bounding box of its lung mask, resize, keep 8-bit gray;
// every image's fate goes to manifest.csv. The rules are in xr-crop(1).
#include <filesystem>
#include <iostream>

#include "core/option_checks.hpp"
#include "core/output_folder.hpp"
#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/dataset.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/tool_main.hpp"
#include "preprocess/exclusion_list.hpp"
#include "preprocess/lung_crop.hpp"

namespace fs = std::filesystem;

namespace {

const xr::ToolInfo kInfo{
    "xr-crop",
    "crop raw chest X-rays to the lung box of their masks, resize, 8-bit gray",
    "Reads RAW_DIR/<class>/images/*.png and RAW_DIR/<class>/masks/<same name>; writes\n"
    "OUT_DIR/<class>/<name>.png, classes.txt and manifest.csv (one row an image, with\n"
    "its box and status: ok, whole_image, excluded, no_mask, empty_mask,\n"
    "aspect_mismatch, bad_image, bad_mask, name_clash). Skipped images are warned\n"
    "about; --strict makes them an error. See xr-crop(1).",
    xr::Takes::kSeed | xr::Takes::kForce,
};

struct Options {
  std::string raw_dir;
  std::string out_dir;
  int size = 128;
  std::string exclude;
  bool no_mask = false;
  bool ignore_masks = false;
  bool report_only = false;
  bool strict = false;
  xr::preprocess::MaskRules mask;
};

void add_options(CLI::App& app, Options& o) {
  app.add_option("RAW_DIR", o.raw_dir, "Raw dataset: RAW_DIR/<class>/images/*.png, optional masks/")
      ->required();
  app.add_option("OUT_DIR", o.out_dir,
                 "Output folder: OUT_DIR/<class>/*.png, classes.txt, manifest.csv "
                 "(not needed with --report-only)");
  app.add_option("-s,--size", o.size, "Output width and height in pixels")->check(xr::in_range(1, 8192));
  app.add_option("-x,--exclude", o.exclude,
                 "Exclusion list: one image a line (<name>, <class>/<name>); '#' starts a comment");
  app.add_flag("--no-mask", o.no_mask,
               "Use images that have no mask whole (default: skip them); masked images are still cropped");
  app.add_flag("--ignore-masks", o.ignore_masks,
               "Use every image whole, masks or not, so that classes with and without masks are "
               "preprocessed alike");
  app.add_flag("-n,--report-only", o.report_only, "Print the manifest (boxes, statuses) on stdout; write nothing");
  app.add_flag("--strict", o.strict, "Fail on the first image that would be skipped (other than excluded)");
  app.add_option("--min-mask-area", o.mask.min_area,
                 "A mask whose lung pixels cover less than this fraction of the image is empty")
      ->check(xr::in_range(0.0, 1.0));
  app.add_option("--aspect-tolerance", o.mask.aspect_tolerance,
                 "Largest relative difference between the mask's and the image's aspect ratios")
      ->check(xr::in_range(0.0, 10.0));
  app.add_option("--mask-threshold", o.mask.threshold,
                 "A pixel of the resized mask (first channel, 8-bit) at or above this is lung")
      ->check(xr::in_range(1, 255));
}

void check_out_dir(const Options& o, bool force) {
  if (o.out_dir.empty()) xr::fail_usage("OUT_DIR is required unless --report-only is given");
  xr::check_replaceable_output(o.out_dir, "OUT_DIR", {o.raw_dir, o.exclude}, force);
}

std::string class_dir(const xr::RawDataset& raw, int c) {
  return (fs::path(raw.root) / raw.classes[c]).string();
}

// Before any decoding: a class that cannot yield an image is an error now, not
// after minutes of work.
void check_classes_can_yield(const xr::RawDataset& raw, const xr::preprocess::ExclusionList& exclude,
                             const Options& o) {
  const size_t nc = raw.classes.size();
  std::vector<int> total(nc, 0), excluded(nc, 0), no_mask(nc, 0), usable(nc, 0);
  for (const auto& e : raw.entries) {
    ++total[e.label];
    if (exclude.excludes(raw.classes[e.label], e.name)) {
      ++excluded[e.label];
    } else if (e.mask_path.empty() && !o.no_mask && !o.ignore_masks) {
      ++no_mask[e.label];
    } else {
      ++usable[e.label];
    }
  }
  for (size_t c = 0; c < nc; ++c) {
    if (usable[c] > 0) continue;
    std::string why = "class '" + raw.classes[c] + "' has no image to crop (" + std::to_string(total[c]) +
                      " images";
    if (excluded[c]) why += ", " + std::to_string(excluded[c]) + " excluded";
    if (no_mask[c]) why += ", " + std::to_string(no_mask[c]) + " without a mask: --no-mask uses them whole";
    xr::fail_data(class_dir(raw, static_cast<int>(c)), why + ")");
  }
}

// Messages about skipped images, in entry order (so the same whatever the threads);
// with --strict the first of them is the error.
void report_problems(const xr::RawDataset& raw, const std::vector<xr::preprocess::CropOutcome>& out, const Options& o) {
  std::vector<int> no_mask(raw.classes.size(), 0);
  int n_no_mask = 0, n_excluded = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    const xr::RawEntry& e = raw.entries[i];
    const xr::preprocess::CropOutcome& r = out[i];
    if (r.status == xr::preprocess::CropStatus::kExcluded) ++n_excluded;
    if (!xr::preprocess::crop_problem(r.status)) continue;
    const std::string& path = r.status == xr::preprocess::CropStatus::kBadMask ? e.mask_path : e.image_path;
    if (o.strict) throw xr::Error(r.error_code, path, r.detail + " (--strict)");
    if (r.status == xr::preprocess::CropStatus::kNoMask) {
      ++no_mask[e.label];
      ++n_no_mask;
    } else {
      xr::log::warn(path + ": " + r.detail + "; skipped");
    }
  }
  if (n_no_mask > 0) {
    std::string per_class;
    for (size_t c = 0; c < no_mask.size(); ++c) {
      if (no_mask[c]) per_class += (per_class.empty() ? "" : ", ") + raw.classes[c] + " " + std::to_string(no_mask[c]);
    }
    xr::log::warn(std::to_string(n_no_mask) + " images without a mask skipped (" + per_class +
                  "); --no-mask uses them whole");
  }
  if (n_excluded > 0) xr::log::info(std::to_string(n_excluded) + " images excluded by " + o.exclude);
}

// After the work: every class must still have an image (all of one may be unreadable).
void check_classes_yielded(const xr::RawDataset& raw, const std::vector<xr::preprocess::CropOutcome>& out) {
  const size_t nc = raw.classes.size();
  std::vector<int> written(nc, 0), whole(nc, 0), skipped(nc, 0), excluded(nc, 0);
  for (size_t i = 0; i < out.size(); ++i) {
    const int c = raw.entries[i].label;
    if (out[i].status == xr::preprocess::CropStatus::kWholeImage) ++whole[c];
    if (xr::preprocess::crop_written(out[i].status)) ++written[c];
    if (out[i].status == xr::preprocess::CropStatus::kExcluded) ++excluded[c];
    if (xr::preprocess::crop_problem(out[i].status)) ++skipped[c];
  }
  // Cropped images in one class and whole ones in another (the real database's
  // classes without masks) differ in framing: a classifier can learn that instead
  // of the disease.
  std::string cropped_classes, whole_classes;
  for (size_t c = 0; c < nc; ++c) {
    if (written[c] - whole[c] > 0) cropped_classes += (cropped_classes.empty() ? "" : ", ") + raw.classes[c];
    if (whole[c] > 0) whole_classes += (whole_classes.empty() ? "" : ", ") + raw.classes[c];
  }
  if (!cropped_classes.empty() && !whole_classes.empty() && cropped_classes != whole_classes) {
    xr::log::warn("classes are preprocessed differently (lung crops in " + cropped_classes + "; whole images in " +
                  whole_classes + "): a classifier can tell them apart by that alone; --ignore-masks treats all alike");
  }
  for (size_t c = 0; c < nc; ++c) {
    if (written[c] == 0) {
      xr::fail_data(class_dir(raw, static_cast<int>(c)),
                    "class '" + raw.classes[c] + "' has no usable image (" + std::to_string(skipped[c]) +
                        " skipped, " + std::to_string(excluded[c]) + " excluded)");
    }
    xr::log::info(raw.classes[c] + ": " + std::to_string(written[c] - whole[c]) + " cropped, " +
                  std::to_string(whole[c]) + " whole, " + std::to_string(skipped[c]) + " skipped, " +
                  std::to_string(excluded[c]) + " excluded");
  }
}

int run(const Options& o, const xr::RunContext& context) {
  const xr::CommonOptions& common = context.common();
  if (!o.report_only) check_out_dir(o, common.force);
  xr::RawDataset raw = xr::scan_raw_dataset(o.raw_dir);
  if (o.ignore_masks) {
    for (auto& e : raw.entries) e.mask_path.clear();
  }
  xr::preprocess::ExclusionList exclude;
  if (!o.exclude.empty()) {
    exclude = xr::preprocess::ExclusionList::read(o.exclude);
    const auto unmatched = exclude.unmatched(raw);
    if (!unmatched.empty()) {
      xr::log::warn(o.exclude + ": " + std::to_string(unmatched.size()) + " of " + std::to_string(exclude.size()) +
                    " entries name no image (first: " + unmatched.front() + ")");
    }
  }
  check_classes_can_yield(raw, exclude, o);

  xr::preprocess::CropSettings settings;
  settings.size = o.size;
  settings.whole_without_mask = o.no_mask || o.ignore_masks;
  settings.mask = o.mask;

  if (o.report_only) {
    const auto outcomes = xr::preprocess::crop_dataset(raw, exclude, settings, "");
    report_problems(raw, outcomes, o);
    check_classes_yielded(raw, outcomes);
    std::cout << xr::format_csv(xr::preprocess::crop_manifest(raw, outcomes));
    return 0;
  }

  xr::StagedDir out(o.out_dir);
  for (const auto& cls : raw.classes) xr::ensure_directory((fs::path(out.path()) / cls).string());
  const auto outcomes = xr::preprocess::crop_dataset(raw, exclude, settings, out.path());
  report_problems(raw, outcomes, o);
  check_classes_yielded(raw, outcomes);
  xr::write_class_list(out.path(), raw.classes);
  xr::write_csv((fs::path(out.path()) / "manifest.csv").string(), xr::preprocess::crop_manifest(raw, outcomes));
  out.commit();
  std::cout << (fs::path(o.out_dir) / "manifest.csv").string() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return xr::run_tool<Options>(argc, argv, kInfo, add_options, run); }
