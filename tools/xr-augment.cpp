// xr-augment: classical augmentation of a class folder with the paper's parameters
// and Keras ImageDataGenerator semantics: N new images per class, each a random
// rotation, shift, shear and zoom about the centre (one bilinear resampling, edge
// pixels repeated into the border) and a random brightness factor.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <vector>

#include "augment/keras_transform.hpp"
#include "augment/plan.hpp"
#include "core/option_checks.hpp"
#include "core/output_folder.hpp"
#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/dataset.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/parallel.hpp"
#include "core/image_io.hpp"
#include "core/rng.hpp"
#include "core/tool_main.hpp"

namespace fs = std::filesystem;

namespace {

const xr::ToolInfo kInfo{
    "xr-augment",
    "write N classically augmented images per class (Keras ImageDataGenerator semantics)",
    "Each new image: rotation ~ U(-r, r) degrees, shift ~ U(-s, s) x size per axis,\n"
    "shear with factor up to --shear (angle asin(f)), zoom per axis ~ U(--zoom-range),\n"
    "one bilinear resampling about the centre with edge replication, then brightness\n"
    "~ U(--brightness-range), clipped. Writes OUT_DIR/<class>/<stem>_aug<k>_s<seed>.png,\n"
    "OUT_DIR/classes.txt and OUT_DIR/augment.csv (the parameters of every image).\n"
    "See xr-augment(1).",
    xr::Takes::kSeed | xr::Takes::kForce,
};

struct Options {
  std::string in_dir;
  std::string out_dir;
  int per_class = 1000;
  std::string pick = "round-robin";
  xr::augment::AugmentRanges ranges;
  std::vector<double> zoom_range{0.85, 1.15};
  std::vector<double> brightness_range{0.6, 1.4};
};

void add_options(CLI::App& app, Options& o) {
  app.add_option("IN_DIR", o.in_dir, "Class folder: IN_DIR/<class>/*.png (classes.txt order kept)")->required();
  app.add_option("OUT_DIR", o.out_dir, "Output folder: OUT_DIR/<class>/*.png, classes.txt, augment.csv")
      ->required();
  app.add_option("-n,--per-class", o.per_class, "New images per class")->check(xr::in_range(1, 1e7));
  app.add_option("--pick", o.pick, "Source of each new image: round-robin (file order) or random (by seed)")
      ->check(CLI::IsMember({"round-robin", "random"}));
  auto* g = app.add_option_group("Augmentation (defaults: the paper's)");
  g->add_option("--rotation", o.ranges.rotation_deg, "Rotation range, degrees: angle ~ U(-r, r)")
      ->check(xr::in_range(0.0, 180.0));
  g->add_option("--width-shift", o.ranges.width_shift, "Horizontal shift range, fraction of the width")
      ->check(xr::in_range(0.0, 0.999));
  g->add_option("--height-shift", o.ranges.height_shift, "Vertical shift range, fraction of the height")
      ->check(xr::in_range(0.0, 0.999));
  g->add_option("--shear", o.ranges.shear,
                "Shear (stretch) range as a factor: angle ~ U(-asin(f), asin(f)), see xr-augment(1)")
      ->check(xr::in_range(0.0, 0.999));
  g->add_option("--zoom-range", o.zoom_range, "Zoom range LO HI: each axis scale ~ U(LO, HI)")
      ->expected(2)
      ->check(xr::in_range(0.01, 100.0));
  g->add_option("--brightness-range", o.brightness_range, "Brightness range LO HI: factor ~ U(LO, HI)")
      ->expected(2)
      ->check(xr::in_range(0.0, 100.0));
}


std::vector<std::string> csv_row(const xr::augment::AugmentJob& job, const std::string& source,
                                 const xr::augment::AugmentParams& p, const xr::augment::AffineMap& m) {
  using xr::format_number;
  return {job.rel,
          source,
          format_number(p.rotation_deg),
          format_number(p.shift_rows),
          format_number(p.shift_cols),
          format_number(p.shear_deg),
          format_number(p.zoom_rows),
          format_number(p.zoom_cols),
          format_number(p.brightness),
          format_number(m.matrix[0][0]),
          format_number(m.matrix[0][1]),
          format_number(m.matrix[1][0]),
          format_number(m.matrix[1][1]),
          format_number(m.offset[0]),
          format_number(m.offset[1])};
}

int run(Options o, const xr::RunContext& context) {
  const xr::CommonOptions& common = context.common();
  o.ranges.zoom_lo = o.zoom_range[0];
  o.ranges.zoom_hi = o.zoom_range[1];
  o.ranges.brightness_lo = o.brightness_range[0];
  o.ranges.brightness_hi = o.brightness_range[1];
  xr::augment::validate_ranges(o.ranges);
  const xr::augment::SourcePick pick = xr::augment::parse_source_pick(o.pick);

  const xr::ImageFolder in = xr::scan_image_folder(o.in_dir);
  xr::require_images_in_every_class(in);
  xr::check_replaceable_output(o.out_dir, "OUT_DIR", {o.in_dir}, common.force);
  const std::vector<xr::augment::AugmentJob> jobs = xr::augment::plan_augmentation(in, o.per_class, common.seed, pick);
  xr::log::debug("shear factor " + xr::format_number(o.ranges.shear) + " = angle up to " +
                 xr::format_number(xr::augment::shear_degrees_for(o.ranges.shear)) + " degrees");

  xr::StagedDir out(o.out_dir);
  for (const auto& cls : in.classes) xr::ensure_directory((fs::path(out.path()) / cls).string());

  std::vector<std::vector<std::string>> rows(jobs.size());
  xr::log::Progress progress("augment", static_cast<int64_t>(jobs.size()));
  xr::parallel_for(static_cast<int64_t>(jobs.size()), [&](int64_t i) {
    const xr::augment::AugmentJob& job = jobs[i];
    const xr::ImageEntry& source = in.images[job.source];
    const xr::GrayImage img = xr::read_gray8(source.path);
    xr::Rng rng(job.param_seed);
    const xr::augment::AugmentParams params = xr::augment::draw_params(o.ranges, img.width, img.height, rng);
    const xr::augment::AffineMap map = xr::augment::keras_affine(params, img.width, img.height);
    xr::write_png_gray8((fs::path(out.path()) / job.rel).string(),
                        xr::augment::warp_affine_bilinear(img, map, params.brightness));
    rows[i] = csv_row(job, source.rel, params, map);
    progress.advance();
  });
  progress.finish();

  xr::CsvTable table;
  table.header = {"path",       "source",     "rotation_deg", "shift_rows", "shift_cols",
                  "shear_deg",  "zoom_rows",  "zoom_cols",    "brightness", "matrix_00",
                  "matrix_01",  "matrix_10",  "matrix_11",    "offset_0",   "offset_1"};
  table.rows = std::move(rows);
  std::sort(table.rows.begin(), table.rows.end());
  xr::write_csv((fs::path(out.path()) / "augment.csv").string(), table);
  xr::write_class_list(out.path(), in.classes);
  out.commit();

  xr::log::info("wrote " + std::to_string(o.per_class) + " images for each of " +
                std::to_string(in.classes.size()) + " classes");
  std::cout << o.out_dir << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return xr::run_tool<Options>(argc, argv, kInfo, add_options, run); }
