// gan-sample: writes images of every class from a gan-train snapshot, named by seed
// (<out>/<class>/seedNNNNNN.png: image k of each class uses seed S + k, so any image
// can be regenerated alone), or one grid image (--grid) for looking at a model.
#include <filesystem>
#include <iostream>

#include "core/option_checks.hpp"
#include "core/output_folder.hpp"
#include "core/atomic_file.hpp"
#include "core/device.hpp"
#include "core/errors.hpp"
#include "core/image_batch.hpp"
#include "core/log.hpp"
#include "core/image_io.hpp"
#include "core/tool_main.hpp"
#include "gan/generate.hpp"
#include "gan/snapshot.hpp"

namespace fs = std::filesystem;

namespace {

const xr::ToolInfo kInfo{
    "gan-sample",
    "generate class-labelled images from a gan-train snapshot",
    "Writes OUT/<class>/seedNNNNNN.png (8-bit gray) for seeds S .. S+N-1 in every\n"
    "class, and OUT/classes.txt; the folder appears whole or not at all. --grid FILE\n"
    "writes one image instead: a row a class, a column a seed. See gan-sample(1).",
    xr::Takes::kSeed | xr::Takes::kDevice | xr::Takes::kForce,
};

struct Options {
  std::string model;
  int per_class = 0;
  std::string out;
  double truncation = 1.0;
  int batch = 32;
  std::string grid;
  int grid_cols = 8;
  std::string noise = "const";
  std::string network = "G_ema";
};

void add_options(CLI::App& app, Options& o) {
  app.add_option("--model", o.model, "Snapshot: RUN_DIR/best.safetensors or any network-snapshot-*.safetensors")
      ->required();
  auto* per_class = app.add_option("--per-class", o.per_class, "Images per class")->check(xr::in_range(1, 1e7));
  auto* out = app.add_option("--out", o.out, "Output folder: OUT/<class>/seedNNNNNN.png");
  app.add_option("--truncation", o.truncation, "Truncation psi (1: none; smaller: closer to the average)")
      ->check(xr::in_range(0, 2));
  app.add_option("--batch", o.batch, "Images generated at once")->check(xr::in_range(1, 65536));
  // A grid instead of the folder: --out or --per-class beside it would be silently unused.
  app.add_option("--grid", o.grid, "Write one grid PNG here instead (a row a class)")
      ->excludes(per_class)
      ->excludes(out);
  app.add_option("--grid-cols", o.grid_cols, "Columns (seeds) of the grid")
      ->check(xr::in_range(1, 1024));
  app.add_option("--noise", o.noise, "Per-pixel noise: const (repeatable), random (seeded per batch), none")
      ->check(CLI::IsMember({"const", "random", "none"}));
  app.add_option("--network", o.network, "Which generator of the snapshot: G_ema (averaged) or G")
      ->check(CLI::IsMember({"G_ema", "G"}));
}

std::string seed_name(uint64_t seed) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "seed%06llu.png", static_cast<unsigned long long>(seed));
  return buf;
}

int run(const Options& o, const xr::RunContext& context) {
  const xr::CommonOptions& common = context.common();
  if (o.grid.empty()) {
    if (o.out.empty()) xr::fail_usage("--out is required (or --grid FILE)");
    if (!context.given("--per-class")) xr::fail_usage("--per-class is required (or --grid FILE)");
    xr::check_replaceable_output(o.out, "--out", {o.model}, common.force);
  }
  if (!fs::exists(o.model)) xr::fail_missing(o.model, "no such file");
  const c10::Device device = xr::resolve_device(common.device);
  xr::gan::LoadedGenerator lg = xr::gan::load_generator(o.model, device, o.network + ".");
  const auto noise = o.noise == "const" ? xr::gan::NoiseMode::kConst
                     : o.noise == "random" ? xr::gan::NoiseMode::kRandom
                                           : xr::gan::NoiseMode::kNone;
  const auto& classes = lg.info.classes;
  const int z_dim = lg.info.net.z_dim;
  xr::log::info(o.model + ": " + std::to_string(lg.info.net.resolution) + "x" +
                std::to_string(lg.info.net.resolution) + ", " + std::to_string(classes.size()) + " classes, " +
                std::to_string(lg.info.nimg) + " images seen");
  torch::manual_seed(common.seed);

  nlohmann::json results = {{"model", o.model}, {"classes", classes}, {"nimg", lg.info.nimg},
                            {"truncation", o.truncation}};
  if (!o.grid.empty()) {
    std::vector<uint64_t> seeds;
    std::vector<int64_t> labels;
    for (size_t c = 0; c < classes.size(); ++c) {
      for (int k = 0; k < o.grid_cols; ++k) {
        seeds.push_back(common.seed + static_cast<uint64_t>(k));
        labels.push_back(static_cast<int64_t>(c));
      }
    }
    const torch::Tensor imgs = xr::gan::generate_u8(lg.g, xr::gan::latents_from_seeds(seeds, z_dim), labels,
                                                    o.truncation, noise, o.batch);
    xr::write_png_gray8(o.grid, xr::gan::make_grid(imgs, static_cast<int>(classes.size()), o.grid_cols));
    results["grid"] = o.grid;
  } else {
    xr::StagedDir out(o.out);
    xr::log::Progress progress("generating", static_cast<int64_t>(classes.size()) * o.per_class);
    for (size_t c = 0; c < classes.size(); ++c) {
      const fs::path dir = fs::path(out.path()) / classes[c];
      xr::ensure_directory(dir.string());
      for (int k0 = 0; k0 < o.per_class; k0 += o.batch) {
        const int m = std::min(o.batch, o.per_class - k0);
        std::vector<uint64_t> seeds(m);
        for (int i = 0; i < m; ++i) seeds[i] = common.seed + static_cast<uint64_t>(k0 + i);
        const torch::Tensor imgs = xr::gan::generate_u8(lg.g, xr::gan::latents_from_seeds(seeds, z_dim),
                                                        std::vector<int64_t>(m, static_cast<int64_t>(c)),
                                                        o.truncation, noise, o.batch);
        for (int i = 0; i < m; ++i) {
          xr::write_png_gray8((dir / seed_name(seeds[i])).string(), xr::to_gray_image(imgs[i]));
        }
        progress.advance(m);
      }
    }
    xr::write_class_list(out.path(), classes);
    out.commit();
    progress.finish();
    results["out"] = o.out;
    results["per_class"] = o.per_class;
    results["first_seed"] = common.seed;
  }
  const nlohmann::json doc = context.result_document(1, context.effective_options(), results);
  std::cout << doc.dump(2) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return xr::run_tool<Options>(argc, argv, kInfo, add_options, run); }
