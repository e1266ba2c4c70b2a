#include "metrics/compare.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>
#include <vector>

#include "core/errors.hpp"
#include "core/image_batch.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "core/parallel.hpp"
#include "core/image_io.hpp"
#include "metrics/feature_cache.hpp"
#include "metrics/fid.hpp"
#include "metrics/floor.hpp"
#include "metrics/image_quality.hpp"
#include "metrics/kid.hpp"

namespace fs = std::filesystem;

namespace xr::metrics {
namespace {

nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

// A JSON number as the log lines print numbers (ostream's 6 significant digits).
std::string text(const nlohmann::json& v) {
  if (!v.is_number()) return "null";
  std::ostringstream s;
  s << v.get<double>();
  return s.str();
}

std::string size_text(int w, int h) { return std::to_string(w) + "x" + std::to_string(h); }

std::string class_list(const std::vector<std::string>& classes) {
  return classes.empty() ? "none" : join(classes, ", ");
}

void require_some_image(const ImageFolder& f) {
  if (f.images.empty()) {
    fail_data(f.root, "no images in any class folder (classes: " + class_list(f.classes) + ")");
  }
}

// All images of the folders must share one size unless they are resized: the pixel
// scores compare images pixel by pixel (and a floor's folder is held to the same rule,
// so that its features see what the real folder's see). Only the headers are read here.
void require_one_size(const ImageFolder& real, const std::vector<const ImageFolder*>& others) {
  const ImageSize first = read_image_size(real.images[0].path);
  std::vector<const ImageFolder*> all = {&real};
  all.insert(all.end(), others.begin(), others.end());
  for (const ImageFolder* f : all) {
    for (const auto& e : f->images) {
      const ImageSize s = read_image_size(e.path);
      if (s.width != first.width || s.height != first.height) {
        fail_data(e.path, "image size " + size_text(s.width, s.height) + " differs from " +
                              size_text(first.width, first.height) + " of " + real.images[0].path +
                              " (fid-kid --resize N resizes every image to NxN)");
      }
    }
  }
}

std::vector<int64_t> rows_of(const std::vector<int64_t>& labels, int label) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] == label) out.push_back(static_cast<int64_t>(i));
  }
  return out;
}

at::Tensor take(const at::Tensor& t, const std::vector<int64_t>& rows) {
  return t.index_select(0, at::tensor(rows, at::TensorOptions().dtype(at::kLong)));
}

GrayImage image_at(const at::Tensor& pixels, int64_t i) { return to_gray_image(pixels[i]); }

struct PixelScores {
  double rmse = NAN, sre_db = NAN, ssim = NAN;
  double nn_mean = NAN, nn_min = NAN;
  int64_t exact_copies = 0, sre_infinite = 0;
  int64_t closest_fake = -1, closest_real = -1;
};

PixelScores pixel_scores(const at::Tensor& fake_px, const at::Tensor& real_px, bool with_ssim) {
  const NearestMatch nn = nearest_neighbours(fake_px, real_px);
  const int64_t n = fake_px.size(0);
  std::vector<double> rmse(n), sre(n), ssim_v(n, NAN);
  parallel_for(n, [&](int64_t i) {
    const GrayImage y = image_at(fake_px, i), x = image_at(real_px, nn.index[i]);
    rmse[i] = metrics::rmse(x, y);
    sre[i] = sre_db(x, y);
    if (with_ssim) ssim_v[i] = ssim(x, y);
  });
  PixelScores s;
  double sum_rmse = 0, sum_sre = 0, sum_ssim = 0, sum_nn = 0;
  int64_t n_sre = 0;
  s.nn_min = std::numeric_limits<double>::infinity();
  for (int64_t i = 0; i < n; ++i) {
    sum_rmse += rmse[i];
    sum_ssim += ssim_v[i];
    sum_nn += nn.distance[i];
    if (std::isfinite(sre[i])) {
      sum_sre += sre[i];
      ++n_sre;
    } else {
      ++s.sre_infinite;
    }
    if (nn.distance[i] == 0) ++s.exact_copies;
    if (nn.distance[i] < s.nn_min) {
      s.nn_min = nn.distance[i];
      s.closest_fake = i;
      s.closest_real = nn.index[i];
    }
  }
  s.rmse = sum_rmse / n;
  s.sre_db = n_sre > 0 ? sum_sre / n_sre : NAN;
  s.ssim = with_ssim ? sum_ssim / n : NAN;
  s.nn_mean = sum_nn / n;
  return s;
}

}  // namespace

FolderComparison compare_folders(FeatureExtractor& fx, const ImageFolder& real, const ImageFolder& fake,
                                 const CompareOptions& o) {
  require_some_image(real);
  require_some_image(fake);

  nlohmann::json warnings = nlohmann::json::array(), skipped = nlohmann::json::array();
  auto warn = [&](const std::string& msg) {
    log::warn(msg);
    warnings.push_back(msg);
  };
  const std::vector<int> real_counts = real.counts(), fake_counts = fake.counts();
  struct Pair {
    std::string name;
    int real_label, fake_label;
  };
  std::vector<Pair> pairs;
  for (size_t c = 0; c < real.classes.size(); ++c) {
    const std::string& name = real.classes[c];
    const int fc = fake.class_index(name);
    std::string reason;
    if (fc < 0) {
      reason = "not in " + fake.root;
    } else if (real_counts[c] == 0) {
      reason = "no images in " + real.root;
    } else if (fake_counts[fc] == 0) {
      reason = "no images in " + fake.root;
    }
    if (!reason.empty()) {
      skipped.push_back({{"class", name}, {"reason", reason}});
      warn("class '" + name + "' skipped: " + reason);
      continue;
    }
    pairs.push_back({name, static_cast<int>(c), fc});
  }
  for (const auto& name : fake.classes) {
    if (real.class_index(name) < 0) {
      skipped.push_back({{"class", name}, {"reason", "not in " + real.root}});
      warn("class '" + name + "' skipped: not in " + real.root);
    }
  }
  if (pairs.empty()) {
    fail_data(fake.root, "no class has images in both folders (" + real.root + ": " + class_list(real.classes) + "; " +
                             fake.root + ": " + class_list(fake.classes) + ")");
  }
  for (const auto& p : pairs) {
    for (const auto& [folder, count] : {std::make_pair(&real, real_counts[p.real_label]),
                                        std::make_pair(&fake, fake_counts[p.fake_label])}) {
      if (count < 2) {
        fail_data((fs::path(folder->root) / p.name).string(),
                  "class '" + p.name + "' has 1 image: FID and KID are undefined for fewer than 2 images a class");
      }
    }
  }
  const bool with_val = !o.floor_val_dir.empty();
  ImageFolder val;
  if (with_val) {
    val = scan_image_folder(o.floor_val_dir);
    require_some_image(val);
  }
  if (o.resize_to <= 0) {
    std::vector<const ImageFolder*> others = {&fake};
    if (with_val) others.push_back(&val);
    require_one_size(real, others);
  }

  const ImageBatch real_px = load_image_folder(real, o.resize_to);
  const ImageBatch fake_px = load_image_folder(fake, o.resize_to);
  ImageBatch val_px;
  if (with_val) val_px = load_image_folder(val, o.resize_to);
  const int width = static_cast<int>(real_px.pixels.size(3)), height = static_cast<int>(real_px.pixels.size(2));
  const bool with_ssim = o.pixel_metrics && width >= 2 * kSsimRadius + 1 && height >= 2 * kSsimRadius + 1;
  if (o.pixel_metrics && !with_ssim) {
    warn("images of " + size_text(width, height) + " are smaller than SSIM's 11x11 window: no SSIM");
  }

  FolderComparison out;
  log::info(real.root + ": " + std::to_string(real.images.size()) + " images");
  out.real_features = folder_features(fx, real, o.cache_dir, real_px.pixels, o.resize_to);
  log::info(fake.root + ": " + std::to_string(fake.images.size()) + " images");
  out.fake_features = folder_features(fx, fake, o.cache_dir, fake_px.pixels, o.resize_to);
  at::Tensor val_features;
  if (with_val) {
    log::info(val.root + ": " + std::to_string(val.images.size()) + " images (floor)");
    val_features = folder_features(fx, val, o.cache_dir, val_px.pixels, o.resize_to);
  }
  const int64_t dim = out.real_features.size(1);
  const std::vector<int> val_counts = with_val ? val.counts() : std::vector<int>();
  // Sums of the floors over the classes; a class without a floor makes the mean null
  // (a mean over fewer classes would not sit beside the generated set's mean).
  struct FloorSum {
    double fid = 0, kid = 0, kid_std = 0;
    bool complete = true;
    void add(const nlohmann::json& f) {
      if (f.is_null() || !f["fid"].is_number() || !f["kid_mean"].is_number()) {
        complete = false;
        return;
      }
      fid += f["fid"].get<double>();
      kid += f["kid_mean"].get<double>();
      kid_std += f["kid_std"].get<double>();
    }
    nlohmann::json mean(double n) const {
      if (!complete) return nullptr;
      return {{"fid", number(fid / n)}, {"kid_mean", number(kid / n)}, {"kid_std", number(kid_std / n)}};
    }
  } halves_sum, val_sum;

  nlohmann::json classes = nlohmann::json::object();
  nlohmann::json order = nlohmann::json::array();
  double sum_fid = 0, sum_kid = 0, sum_kid_std = 0, sum_rmse = 0, sum_sre = 0, sum_ssim = 0, sum_nn = 0;
  int n_sre = 0;
  double nn_min = std::numeric_limits<double>::infinity();
  int64_t copies = 0;
  for (const auto& p : pairs) {
    const auto rr = rows_of(real_px.labels, p.real_label), fr = rows_of(fake_px.labels, p.fake_label);
    const at::Tensor rf = take(out.real_features, rr), ff = take(out.fake_features, fr);
    nlohmann::json c;
    c["n_real"] = rr.size();
    c["n_fake"] = fr.size();
    const FidResult f = fid(rf, ff);
    c["fid"] = number(f.fid);
    c["fid_singular"] = f.singular;
    if (f.singular) {
      warn("class '" + p.name + "': " + std::to_string(std::min(rr.size(), fr.size())) + " images, not more than " +
           std::to_string(dim) + " feature dimensions: the covariance is singular and FID is biased high");
    }
    // The plain seed for every class, as gan-train's snapshot KID: the same features
    // give the same numbers in both tools.
    const KidResult k = kid(rf, ff, o.kid_subsets, o.kid_subset_size, o.seed);
    c["kid_mean"] = number(k.mean);
    c["kid_std"] = number(k.std);
    c["kid_subsets"] = k.subsets;
    c["kid_subset_size"] = k.subset_size;
    c["kid_subset_shrunk"] = k.subset_shrunk;
    if (k.subset_shrunk) {
      warn("class '" + p.name + "': KID subsets of " + std::to_string(k.subset_size) +
           " images (fewer images than --kid-subset-size " + std::to_string(o.kid_subset_size) + ")");
    }
    sum_fid += f.fid;
    sum_kid += k.mean;
    sum_kid_std += k.std;
    std::ostringstream floor_line;
    if (o.floor_halves || with_val) {
      nlohmann::json fl = nlohmann::json::object();
      if (o.floor_halves) {
        if (static_cast<int64_t>(rr.size()) < kFloorMinImages) {
          fl["halves"] = nullptr;
          warn("class '" + p.name + "': " + std::to_string(rr.size()) + " real images, no halves floor (it needs " +
               std::to_string(kFloorMinImages) + ", 2 a half)");
        } else {
          fl["halves"] = floor_json(halves_floor(rf, o.kid_subsets, o.kid_subset_size, o.seed));
          floor_line << "; floor (halves) FID " << text(fl["halves"]["fid"]) << ", KID "
                     << text(fl["halves"]["kid_mean"]);
        }
        halves_sum.add(fl["halves"]);
      }
      if (with_val) {
        const int vc = val.class_index(p.name);
        const int n_val = vc < 0 ? 0 : val_counts[vc];
        if (n_val < 2) {
          fl["val"] = nullptr;
          warn("class '" + p.name + "': " + std::to_string(n_val) + " images in " + val.root +
               ", no validation floor (it needs 2)");
        } else {
          const at::Tensor vf = take(val_features, rows_of(val_px.labels, vc));
          fl["val"] = floor_json(real_floor(rf, vf, o.kid_subsets, o.kid_subset_size, o.seed));
          floor_line << "; floor (val) FID " << text(fl["val"]["fid"]) << ", KID " << text(fl["val"]["kid_mean"]);
        }
        val_sum.add(fl["val"]);
      }
      c["floor"] = fl;
    }
    if (o.pixel_metrics) {
      const PixelScores s = pixel_scores(take(fake_px.pixels, fr), take(real_px.pixels, rr), with_ssim);
      c["rmse"] = number(s.rmse);
      c["sre_db"] = number(s.sre_db);
      c["sre_infinite"] = s.sre_infinite;
      c["ssim"] = number(s.ssim);
      c["nn_distance_mean"] = number(s.nn_mean);
      c["nn_distance_min"] = number(s.nn_min);
      c["nn_exact_copies"] = s.exact_copies;
      c["nn_closest"] = {{"fake", fake_px.rel[fr[s.closest_fake]]},
                         {"real", real_px.rel[rr[s.closest_real]]},
                         {"distance", s.nn_min}};
      if (s.exact_copies > 0) {
        warn("class '" + p.name + "': " + std::to_string(s.exact_copies) +
             " generated images are exact copies of real images");
      }
      sum_rmse += s.rmse;
      sum_ssim += s.ssim;
      sum_nn += s.nn_mean;
      if (std::isfinite(s.sre_db)) {
        sum_sre += s.sre_db;
        ++n_sre;
      }
      nn_min = std::min(nn_min, s.nn_min);
      copies += s.exact_copies;
    }
    std::ostringstream line;
    line << "class '" << p.name << "': FID " << f.fid << ", KID " << k.mean << " +- " << k.std << floor_line.str();
    log::info(line.str());
    classes[p.name] = c;
    order.push_back(p.name);
  }

  const double n = static_cast<double>(pairs.size());
  nlohmann::json mean;
  mean["classes"] = pairs.size();
  mean["fid"] = number(sum_fid / n);
  mean["kid_mean"] = number(sum_kid / n);
  mean["kid_std"] = number(sum_kid_std / n);
  if (o.floor_halves || with_val) {
    nlohmann::json fl = nlohmann::json::object();
    if (o.floor_halves) fl["halves"] = halves_sum.mean(n);
    if (with_val) fl["val"] = val_sum.mean(n);
    mean["floor"] = fl;
  }
  if (o.pixel_metrics) {
    mean["rmse"] = number(sum_rmse / n);
    mean["sre_db"] = number(n_sre > 0 ? sum_sre / n_sre : NAN);
    mean["ssim"] = number(with_ssim ? sum_ssim / n : NAN);
    mean["nn_distance_mean"] = number(sum_nn / n);
    mean["nn_distance_min"] = number(nn_min);  // the smallest over all classes
    mean["nn_exact_copies"] = copies;          // the total over all classes
  }

  nlohmann::json& r = out.results;
  r["real_dir"] = real.root;
  r["fake_dir"] = fake.root;
  r["n_real"] = real.images.size();
  r["n_fake"] = fake.images.size();
  r["image_size"] = {width, height};
  r["features"] = {{"id", fx.id()},
                   {"description", fx.description()},
                   {"dim", dim},
                   {"comparable_with_published", fx.comparable_with_published()}};
  r["pixel_pairing"] = o.pixel_metrics ? nlohmann::json(
                                             "each generated image with its nearest real image of the same "
                                             "class by L2 pixel distance")
                                       : nlohmann::json(nullptr);
  if (o.floor_halves || with_val) {
    r["floor"] = {{"halves_rule", o.floor_halves ? nlohmann::json(kHalvesRule) : nlohmann::json(nullptr)},
                  {"val_dir", with_val ? nlohmann::json(val.root) : nlohmann::json(nullptr)},
                  {"n_val", with_val ? nlohmann::json(val.images.size()) : nlohmann::json(nullptr)},
                  {"val_rule", with_val ? nlohmann::json("the real folder's images of each class are the reference, "
                                                         "val_dir's stand where the generated images were")
                                        : nlohmann::json(nullptr)}};
  }
  r["class_order"] = order;
  r["classes"] = classes;
  r["mean"] = mean;
  r["skipped_classes"] = skipped;
  r["warnings"] = warnings;
  return out;
}

}  // namespace xr::metrics
