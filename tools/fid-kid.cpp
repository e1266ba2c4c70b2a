// fid-kid: how close generated images are to real ones. FID and KID per class in an
// Inception-v3 feature space, and pixel scores (RMSE, SRE, SSIM, nearest-neighbour
// distance) of each generated image against its nearest real image; one JSON object.
#include <filesystem>
#include <iostream>

#include "core/device.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/option_checks.hpp"
#include "core/tool_main.hpp"
#include "metrics/compare.hpp"
#include "metrics/feature_cache.hpp"
#include "metrics/feature_extractor.hpp"
#include "nn/safetensors.hpp"

namespace fs = std::filesystem;

namespace {

const xr::ToolInfo kInfo{
    "fid-kid",
    "FID, KID, RMSE, SRE and SSIM between a real and a generated class folder",
    "Prints one JSON object on stdout. Classes present in both folders are compared;\n"
    "pixel scores pair each generated image with its nearest real image of the same\n"
    "class. Beside every FID and KID stands its real-vs-real floor: the same metric\n"
    "between two halves of REAL_DIR (alternate files of each class), and REAL_DIR\n"
    "against --floor-val DIR. --features random needs no weights but its numbers are\n"
    "comparable only with themselves (and their floor). See fid-kid(1).",
    xr::Takes::kSeed | xr::Takes::kDevice,
};

struct Options {
  std::string real_dir;
  std::string fake_dir;
  std::string features = "inception";
  std::string weights;
  int input_size = 0;
  int kid_subsets = 100;
  int kid_subset_size = 1000;
  int batch = 32;
  int resize = 0;
  std::string cache_dir = xr::metrics::default_cache_dir();
  bool no_cache = false;
  bool no_pixel_metrics = false;
  bool no_floor = false;
  std::string floor_val;
  std::string save_features;
};


void add_options(CLI::App& app, Options& o) {
  app.add_option("REAL_DIR", o.real_dir, "Real images: REAL_DIR/<class>/*.png")->required();
  app.add_option("FAKE_DIR", o.fake_dir, "Generated images: FAKE_DIR/<class>/*.png")->required();
  app.add_option("--features", o.features,
                 "Feature space: inception (the FID network), torchvision (ImageNet Inception-v3), random "
                 "(seeded random init, always available), or a classifier folder written by inc3-train");
  app.add_option("--weights", o.weights,
                 "Weights for inception (NVIDIA's .pt or converted pytorch-fid .safetensors) or torchvision");
  app.add_option("--input-size", o.input_size,
                 "Network input side for torchvision and random (0: 299; inception is always 299)")
      ->check(xr::in_range(0, 4096));
  app.add_option("--kid-subsets", o.kid_subsets, "KID: number of random subsets")->check(xr::in_range(1, 1000000));
  app.add_option("--kid-subset-size", o.kid_subset_size,
                 "KID: subset size (shrinks to the smaller set of a class)")
      ->check(xr::in_range(2, 100000000));
  app.add_option("--batch", o.batch, "Images per network batch")->check(xr::in_range(1, 65536));
  app.add_option("--resize", o.resize, "Resize every image to NxN first (0: all images must share one size)")
      ->check(xr::in_range(0, 4096));
  app.add_option("--cache-dir", o.cache_dir, "Feature cache folder (features/<hash>.safetensors)");
  app.add_flag("--no-cache", o.no_cache, "Neither read nor write the feature cache");
  app.add_flag("--no-pixel-metrics", o.no_pixel_metrics, "Skip RMSE, SRE, SSIM and the nearest-neighbour search");
  app.add_flag("--no-floor", o.no_floor,
               "Skip the real-vs-real floor of REAL_DIR's two halves (alternate files of each class)");
  app.add_option("--floor-val", o.floor_val,
                 "Also the floor of REAL_DIR against this real folder (a validation split: DIR/<class>/*.png)");
  app.add_option("--save-features", o.save_features,
                 "Also write both folders' features (safetensors, file names in the metadata) to FILE");
}

nlohmann::json list_of(const std::vector<std::string>& v) { return nlohmann::json(v); }

void save_features(const std::string& path, const xr::metrics::FolderComparison& cmp, const xr::ImageFolder& real,
                   const xr::ImageFolder& fake, const xr::metrics::FeatureExtractor& fx) {
  std::vector<std::string> real_files, fake_files;
  std::vector<int64_t> real_labels, fake_labels;
  for (const auto& e : real.images) {
    real_files.push_back(e.rel);
    real_labels.push_back(e.label);
  }
  for (const auto& e : fake.images) {
    fake_files.push_back(e.rel);
    fake_labels.push_back(e.label);
  }
  auto labels = [](const std::vector<int64_t>& v) {
    return torch::tensor(v, torch::TensorOptions().dtype(torch::kLong));
  };
  xr::nn::write_safetensors(path,
                            {{"real", cmp.real_features},
                             {"fake", cmp.fake_features},
                             {"real_labels", labels(real_labels)},
                             {"fake_labels", labels(fake_labels)}},
                            {{"format", "xr-fid-kid-features"},
                             {"real_dir", real.root},
                             {"fake_dir", fake.root},
                             {"real_files", list_of(real_files).dump()},
                             {"fake_files", list_of(fake_files).dump()},
                             {"real_classes", list_of(real.classes).dump()},
                             {"fake_classes", list_of(fake.classes).dump()},
                             {"extractor", fx.id()},
                             {"description", fx.description()}});
}

int run(const Options& o, const xr::RunContext& context) {
  const xr::CommonOptions& common = context.common();
  const xr::ImageFolder real = xr::scan_image_folder(o.real_dir);
  const xr::ImageFolder fake = xr::scan_image_folder(o.fake_dir);
  if (!o.save_features.empty()) {
    const fs::path parent = fs::absolute(o.save_features).parent_path();
    if (!fs::is_directory(parent)) xr::fail_create(o.save_features, "no such folder (" + parent.string() + ")");
  }
  const c10::Device device = xr::resolve_device(common.device);
  auto fx = xr::metrics::make_feature_extractor(o.features, o.weights, device, common.seed, o.batch, o.input_size);
  if (!fx->comparable_with_published()) {
    xr::log::warn("features not comparable with published FID/KID: " + fx->description());
  }
  xr::log::debug("device: " + xr::describe_device(device) + "; features: " + fx->id());

  xr::metrics::CompareOptions co;
  co.kid_subsets = o.kid_subsets;
  co.kid_subset_size = o.kid_subset_size;
  co.seed = common.seed;
  co.resize_to = o.resize;
  co.pixel_metrics = !o.no_pixel_metrics;
  co.cache_dir = o.no_cache ? "" : o.cache_dir;
  co.floor_halves = !o.no_floor;
  co.floor_val_dir = o.floor_val;
  const auto cmp = xr::metrics::compare_folders(*fx, real, fake, co);
  if (!o.save_features.empty()) save_features(o.save_features, cmp, real, fake, *fx);

  nlohmann::json results = cmp.results;
  results["device"] = xr::describe_device(device);
  results["features"]["spec"] = o.features;
  results["features"]["weights"] = o.weights.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.weights);
  std::cout << context.result_document(1, context.effective_options(), results).dump(2) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return xr::run_tool<Options>(argc, argv, kInfo, add_options, run); }
