// xr-phantom: writes a synthetic chest X-ray dataset in the raw COVID-19 Radiography
// Database layout (images and lung masks per class), so that every pipeline runs
// without downloading anything.
#include <filesystem>
#include <iostream>

#include "core/option_checks.hpp"
#include "core/output_folder.hpp"
#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/tool_main.hpp"
#include "phantom/dataset_writer.hpp"

namespace fs = std::filesystem;

namespace {

const xr::ToolInfo kInfo{
    "xr-phantom",
    "write a synthetic chest X-ray dataset with lung masks (raw database layout)",
    "Writes OUT_DIR/<class>/images/<class>-<i>.png and OUT_DIR/<class>/masks/<class>-<i>.png\n"
    "(8-bit gray; masks 0/255), OUT_DIR/annotated.txt (images with burnt-in text) and\n"
    "OUT_DIR/phantom.json, then prints OUT_DIR. Classes: COVID, Lung_Opacity, Normal,\n"
    "'Viral Pneumonia'. An existing OUT_DIR is replaced only if it is empty or an earlier\n"
    "output of this toolkit (--force replaces any folder). See xr-phantom(1).",
    xr::Takes::kSeed | xr::Takes::kForce,
};

struct Options {
  std::string out_dir;
  xr::phantom::DatasetOptions data;
};


void add_options(CLI::App& app, Options& o) {
  app.add_option("OUT_DIR", o.out_dir, "Output folder (replaced as a whole)")->required();
  app.add_option("-n,--per-class", o.data.per_class, "Images per class")->required()->check(xr::in_range(1, 1e7));
  app.add_option("--size", o.data.render.size, "Image width and height in pixels")->check(xr::in_range(32, 4096));
  app.add_option("--mask-size", o.data.render.mask_size,
                 "Mask width and height (0: as --size; the real database has 256 masks for 299 images)")
      ->check(xr::in_range(0, 4096));
  app.add_option("--classes", o.data.classes, "Classes to write, comma-separated (default: all four)")
      ->delimiter(',')
      ->default_str("");  // not "[]": the effective options list no class then
  app.add_option("--no-masks-for", o.data.no_masks_for,
                 "Classes written without a masks/ folder (repeat or comma-separate)")
      ->delimiter(',')
      ->default_str("");
  app.add_option("--difficulty", o.data.render.difficulty,
                 "How faint the findings are: 0 obvious .. 1 subtle")
      ->check(xr::in_range(0.0, 1.0));
  app.add_option("--marker-fraction", o.data.render.marker_fraction,
                 "Share of images with burnt-in text or markers (listed in annotated.txt)")
      ->check(xr::in_range(0.0, 1.0));
}

nlohmann::json describe(const Options& o, const xr::phantom::DatasetSummary& s, const xr::RunContext& context) {
  nlohmann::json options = context.effective_options();
  // Settings that cannot change the output stay out, so the folder's bytes do not
  // depend on them either.
  for (const char* key : {"threads", "quiet", "verbose", "OUT_DIR"}) options.erase(key);
  options["classes"] = nlohmann::json::array();
  for (const auto& c : s.classes) options["classes"].push_back(c.name);
  options["no-masks-for"] = o.data.no_masks_for;
  options["seed"] = o.data.seed;  // a common option, outside the tool's own list

  nlohmann::json classes = nlohmann::json::array();
  for (const auto& c : s.classes) classes.push_back({{"name", c.name}, {"images", c.images}, {"masks", c.masks}});
  const int mask_size = o.data.render.mask_size > 0 ? o.data.render.mask_size : o.data.render.size;
  return context.result_document(1, options,
                                 {{"classes", classes},
                                  {"images", s.images},
                                  {"image_size", o.data.render.size},
                                  {"mask_size", mask_size},
                                  {"annotated", s.marked.size()},
                                  {"annotated_list", "annotated.txt"}});
}

int run(Options& o, const xr::RunContext& context) {
  const xr::CommonOptions& common = context.common();
  o.data.seed = common.seed;
  xr::phantom::validate(o.data);
  xr::check_replaceable_output(o.out_dir, "OUT_DIR", {}, common.force);

  xr::StagedDir out(o.out_dir);
  const int n_classes = static_cast<int>(o.data.classes.empty() ? 4 : o.data.classes.size());
  xr::log::Progress progress("images", static_cast<int64_t>(n_classes) * o.data.per_class);
  const xr::phantom::DatasetSummary summary =
      xr::phantom::write_dataset(out.path(), o.data, [&] { progress.advance(); });
  progress.finish();

  std::string annotated;
  for (const auto& name : summary.marked) annotated += name + "\n";
  xr::write_file_atomic((fs::path(out.path()) / "annotated.txt").string(), annotated);
  xr::write_file_atomic((fs::path(out.path()) / "phantom.json").string(), describe(o, summary, context).dump(2) + "\n");
  out.commit();

  for (const auto& c : summary.classes) {
    xr::log::info(c.name + ": " + std::to_string(c.images) + " images, " + std::to_string(c.masks) + " masks");
  }
  std::cout << o.out_dir << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return xr::run_tool<Options>(argc, argv, kInfo, add_options, run); }
