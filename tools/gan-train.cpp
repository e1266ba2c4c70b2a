// gan-train: trains a class-conditional StyleGAN2-ADA on an image folder (one class a
// subfolder) into a run folder: options.json, stats.jsonl, metrics.jsonl, image grids,
// safetensors snapshots, best.safetensors (lowest mean KID on the training split, or
// on the validation split with --select-on val) and the resume state.
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/cpu_runtime.hpp"
#include "core/csv.hpp"
#include "core/device.hpp"
#include "core/errors.hpp"
#include "core/folder_lock.hpp"
#include "core/log.hpp"
#include "core/option_checks.hpp"
#include "core/output_folder.hpp"
#include "core/tool_main.hpp"
#include "gan/run_options.hpp"
#include "gan/training.hpp"

namespace fs = std::filesystem;

namespace {

const xr::ToolInfo kInfo{
    "gan-train",
    "train a class-conditional StyleGAN2-ADA on an image folder",
    "TRAIN_DIR/<class>/*.png: gray, square, one power-of-two size, >= 2 classes.\n"
    "Resolution and classes come from the data. --dry-run validates and writes\n"
    "RUN_DIR/options.json only. --resume RUN_DIR continues a run exactly where its\n"
    "last snapshot left it (only --kimg, --snap, --tick, the --metric-* options,\n"
    "--precision, --allow-tf32 and --val may change; after a NaN/Inf stop also --glr,\n"
    "--dlr and --gamma). Every snapshot's KID/FID is\n"
    "written beside its real-vs-real floor (two halves of TRAIN_DIR; TRAIN_DIR against\n"
    "--val DIR). See gan-train(1).",
    xr::Takes::kSeed | xr::Takes::kDevice,
};

struct Options {
  std::string resume;
  bool dry_run = false;
  xr::gan::TrainOptions t;
  xr::gan::RunSettings s;
  std::string aug = "ada";
  std::string cache_dir = "auto";
};

void add_options(CLI::App& app, Options& o) {
  auto& t = o.t;
  app.add_option("--data", o.s.data, "Training image folder: TRAIN_DIR/<class>/*.png");
  app.add_option("--out", o.s.out, "Run folder to create (or an empty one)");
  app.add_option("--resume", o.resume, "Continue the run in this folder from its last snapshot");
  app.add_flag("--dry-run", o.dry_run, "Validate the options and data, write options.json, stop");
  app.add_option("--kimg", t.kimg, "Training length in thousands of real images shown")
      ->check(xr::positive(1e6));
  app.add_option("--tick", t.tick_kimg, "Thousands of images between progress lines (stats.jsonl)")
      ->check(xr::positive(1e6));
  app.add_option("--snap", t.snap, "Ticks between snapshots (and one at the end)")
      ->check(xr::in_range(1, 1e6));
  app.add_option("--batch", t.batch, "Minibatch size")->check(xr::in_range(1, 65536));
  app.add_option("--gamma", t.gamma, "R1 regularisation weight (paper: 1.024)")
      ->check(xr::non_negative(1e6));
  app.add_option("--glr", t.glr, "Generator learning rate")->check(xr::positive(1));
  app.add_option("--dlr", t.dlr, "Discriminator learning rate")->check(xr::positive(1));
  app.add_option("--cbase", t.net.cbase, "Channel base: channels at resolution r = min(cbase / r, cmax)")
      ->check(xr::in_range(1, 1 << 20));
  app.add_option("--cmax", t.net.cmax, "Maximum channels per layer")
      ->check(xr::in_range(1, 8192));
  app.add_option("--map-depth", t.net.map_depth, "Mapping network layers")
      ->check(xr::in_range(1, 64));
  app.add_option("--mbstd-group", t.net.mbstd_group, "Minibatch standard deviation group size")
      ->check(xr::in_range(1, 1024));
  app.add_option("--z-dim", t.net.z_dim, "Latent size (512 in the reference)")
      ->check(xr::in_range(1, 8192));
  app.add_option("--w-dim", t.net.w_dim, "Intermediate latent size (512 in the reference)")
      ->check(xr::in_range(1, 8192));
  app.add_option("--fp16-res", t.net.num_fp16_res, "Highest-resolution blocks in reduced precision (CUDA)")
      ->check(xr::in_range(0, 16));
  app.add_option("--aug", o.aug, "Augmentation: ada (adaptive), noaug, fixed (probability --p)")
      ->check(CLI::IsMember({"ada", "noaug", "fixed"}));
  app.add_option("--p", t.p, "Augmentation probability: constant (fixed) or initial (ada)")
      ->check(xr::in_range(0, 1));
  app.add_option("--target", t.target, "ADA target for E[sign(D(real))]")
      ->check(xr::in_range(0.01, 0.99));
  app.add_option("--ema", t.ema_kimg, "Generator EMA half-life in thousands of images")
      ->check(xr::non_negative(1e6));
  app.add_option("--precision", t.precision,
                 "Precision of the --fp16-res blocks: auto (fp16 on CUDA, fp32 on the CPU), fp16, bf16, fp32")
      ->check(CLI::IsMember({"auto", "fp16", "bf16", "fp32"}));
  app.add_flag("--allow-tf32", t.tf32, "Allow TF32 matrix products and convolutions on CUDA (the reference: off)");
  app.add_flag("--pl-detach-mean", t.pl_detach_mean,
               "Detach the path-length mean from the penalty's gradient (the reference lets it through)");
  app.add_option("--metric-features", o.s.metric_features,
                 "Feature space for KID/FID per snapshot: random, inception, torchvision, a classifier "
                 "folder, or none");
  app.add_option("--metric-weights", o.s.metric_weights, "Weights file for --metric-features inception|torchvision");
  app.add_option("--metric-size", o.s.metric_size, "Feature network input side (0: 299)")
      ->check(xr::in_range(0, 4096));
  app.add_option("--metric-samples", t.metric_samples,
                 "Generated images per class for the metrics (0: as many as real ones)")
      ->check(xr::in_range(0, 1e7));
  app.add_option("--kid-subsets", t.kid_subsets, "KID subsets")->check(xr::in_range(1, 1e6));
  app.add_option("--cache-dir", o.cache_dir, "Feature cache folder (auto: ~/.cache/xr-toolkit; none: off)");
  app.add_option("--val", o.s.val,
                 "Validation images VAL_DIR/<class>/*.png: each snapshot's KID/FID also against them "
                 "(kid_val, fid_val in metrics.jsonl)");
  app.add_option("--select-on", t.select_on,
                 "The split whose mean KID picks best.safetensors: train (the paper's) or val (needs --val)")
      ->check(CLI::IsMember({"train", "val"}));
}

int run(Options& o, const xr::RunContext& context) {
  const xr::CommonOptions& common = context.common();
  const bool resume = !o.resume.empty();
  o.t.seed = common.seed;
  o.t.aug = xr::gan::parse_aug_mode(o.aug);
  std::optional<xr::gan::ResumedOptions> resumed;
  if (resume) {
    resumed = xr::gan::resume_options(o.resume, o.t, o.s, context.given_options());
    if (resumed->threads) xr::set_worker_threads(*resumed->threads);
    o.t = resumed->training;
    o.s = resumed->settings;
  } else {
    if (o.s.data.empty()) xr::fail_usage("--data is required (or --resume RUN_DIR)");
    if (o.s.out.empty()) xr::fail_usage("--out is required (or --resume RUN_DIR)");
  }
  const c10::Device device = xr::resolve_device(common.device);
  o.t.precision = xr::gan::resolve_precision(o.t.precision, device);  // options.json records the one used
  const xr::gan::RunData data = xr::gan::load_run_data(o.t, o.s);
  if (!resume) xr::gan::refuse_fresh_start(o.s.out);
  nlohmann::json options = context.effective_options();
  if (resumed) options = xr::gan::resumed_effective_options(std::move(options), o.t, o.s);
  const nlohmann::json doc = xr::gan::options_document(kInfo.name, options, o.t, o.s, data,
                                                       xr::describe_device(device), at::get_num_threads());
  const xr::FilledOutputDir out_folder(o.s.out);  // removed again if nothing gets written
  const xr::FolderLock lock(o.s.out, "gan-train");
  xr::remove_stale_temporaries(o.s.out);  // a half-written snapshot of a run killed with -9
  if (resumed && !resumed->changed.empty()) xr::gan::record_changes_after_non_finite(o.s.out, resumed->changed);
  // A resumed run keeps the original options.json (the record of how it started);
  // its changes go to options-resume.json.
  const std::string written = (fs::path(o.s.out) / (resume ? "options-resume.json" : "options.json")).string();
  xr::write_file_atomic(written, doc.dump(2) + "\n");
  xr::log::info(std::to_string(data.train.labels.size()) + " images, " + std::to_string(data.train.classes.size()) +
                " classes, " + std::to_string(o.t.net.resolution) + "x" + std::to_string(o.t.net.resolution) +
                ", R1 gamma " + xr::format_number(o.t.gamma) + ", precision " + o.t.precision +
                (o.t.tf32 ? " (TF32 allowed)" : "") + ", on " + xr::describe_device(device));
  if (o.dry_run) {
    std::cout << written << "\n";
    return 0;
  }
  const xr::gan::MetricSetup metrics =
      xr::gan::metric_setup(o.s, o.cache_dir, data, device, o.t.seed);
  const xr::gan::TrainResult r = xr::gan::train(o.t, data.train, device, o.s.out, resume, metrics);
  const nlohmann::json out = context.result_document(1, options, xr::gan::result_json(r, o.t, o.s.out));
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return xr::run_tool<Options>(argc, argv, kInfo, add_options, run); }
