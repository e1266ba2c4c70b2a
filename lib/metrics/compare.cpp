#include "metrics/compare.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>
#include <sstream>
#include <vector>

#include "core/errors.hpp"
#include "core/image_batch.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "core/parallel.hpp"
#include "core/image_io.hpp"
#include "metrics/class_distance.hpp"
#include "metrics/feature_cache.hpp"
#include "metrics/image_quality.hpp"

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

// The warnings of a comparison, logged as they are found and listed in its results.
class Warnings {
 public:
  void operator()(const std::string& msg) {
    log::warn(msg);
    list_.push_back(msg);
  }
  const nlohmann::json& list() const { return list_; }

 private:
  nlohmann::json list_ = nlohmann::json::array();
};

struct ClassPair {
  std::string name;
  int real_label, fake_label;
};

// The classes with images in both folders, in the real folder's order; the others
// are listed in `skipped` with the reason. kDataErr when no class is left, or a kept
// class has a single image in either folder.
std::vector<ClassPair> pair_classes(const ImageFolder& real, const ImageFolder& fake, nlohmann::json& skipped,
                                    Warnings& warn) {
  const std::vector<int> real_counts = real.counts(), fake_counts = fake.counts();
  std::vector<ClassPair> pairs;
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
  return pairs;
}

// One folder's images and features.
struct LoadedFolder {
  ImageFolder folder;
  ImageBatch px;
  at::Tensor features;
};

// The images of every folder are read before any features are computed: a bad image
// fails the run before the long part.
void compute_features(FeatureExtractor& fx, LoadedFolder& f, const CompareOptions& o, const std::string& what) {
  log::info(f.folder.root + ": " + std::to_string(f.folder.images.size()) + " images" + what);
  f.features = folder_features(fx, f.folder, o.cache_dir, f.px.pixels, o.resize_to);
}

// The floors of one class beside its FID and KID: {"halves", "val"} as asked, each
// floor_json or null (with a warning) when the class has too few images for it.
nlohmann::json class_floors(const ClassPair& p, const at::Tensor& rf, const LoadedFolder* val,
                            const CompareOptions& o, std::ostringstream& floor_line, Warnings& warn) {
  const KidSettings k{o.kid_subsets, o.kid_subset_size, o.seed};
  nlohmann::json fl = nlohmann::json::object();
  if (o.floor_halves) {
    if (const auto f = class_halves_floor(rf, k)) {
      fl["halves"] = floor_json(*f);
      floor_line << "; floor (halves) FID " << text(fl["halves"]["fid"]) << ", KID "
                 << text(fl["halves"]["kid_mean"]);
    } else {
      fl["halves"] = nullptr;
      warn("class '" + p.name + "': " + std::to_string(rf.size(0)) + " real images, no halves floor (it needs " +
           std::to_string(kFloorMinImages) + ", 2 a half)");
    }
  }
  if (val != nullptr) {
    const int vc = val->folder.class_index(p.name);
    const std::vector<int64_t> rows = vc < 0 ? std::vector<int64_t>() : rows_of(val->px.labels, vc);
    if (rows.size() < 2) {
      fl["val"] = nullptr;
      warn("class '" + p.name + "': " + std::to_string(rows.size()) + " images in " + val->folder.root +
           ", no validation floor (it needs 2)");
    } else {
      fl["val"] = floor_json(class_real_floor(rf, take(val->features, rows), k));
      floor_line << "; floor (val) FID " << text(fl["val"]["fid"]) << ", KID " << text(fl["val"]["kid_mean"]);
    }
  }
  return fl;
}

// The pixel scores of one class's generated images against their nearest real ones.
nlohmann::json class_pixel_scores(const ClassPair& p, const LoadedFolder& real, const LoadedFolder& fake,
                                  const std::vector<int64_t>& rr, const std::vector<int64_t>& fr, bool with_ssim,
                                  Warnings& warn) {
  const PixelScores s = pixel_scores(take(fake.px.pixels, fr), take(real.px.pixels, rr), with_ssim);
  if (s.exact_copies > 0) {
    warn("class '" + p.name + "': " + std::to_string(s.exact_copies) +
         " generated images are exact copies of real images");
  }
  return {{"rmse", number(s.rmse)},
          {"sre_db", number(s.sre_db)},
          {"sre_infinite", s.sre_infinite},
          {"ssim", number(s.ssim)},
          {"nn_distance_mean", number(s.nn_mean)},
          {"nn_distance_min", number(s.nn_min)},
          {"nn_exact_copies", s.exact_copies},
          {"nn_closest",
           {{"fake", fake.px.rel[fr[s.closest_fake]]},
            {"real", real.px.rel[rr[s.closest_real]]},
            {"distance", s.nn_min}}}};
}

// Everything fid-kid reports for one class.
nlohmann::json compare_class(const ClassPair& p, const LoadedFolder& real, const LoadedFolder& fake,
                             const LoadedFolder* val, const CompareOptions& o, bool with_ssim, Warnings& warn) {
  const auto rr = rows_of(real.px.labels, p.real_label), fr = rows_of(fake.px.labels, p.fake_label);
  const at::Tensor rf = take(real.features, rr), ff = take(fake.features, fr);
  // The plain seed for every class, as gan-train's snapshot KID: the same features
  // give the same numbers in both tools.
  const ClassDistance d = class_distance(rf, ff, {o.kid_subsets, o.kid_subset_size, o.seed});
  nlohmann::json c = {{"n_real", rr.size()},
                      {"n_fake", fr.size()},
                      {"fid", number(d.fid.fid)},
                      {"fid_singular", d.fid.singular}};
  if (d.fid.singular) {
    warn("class '" + p.name + "': " + std::to_string(std::min(rr.size(), fr.size())) + " images, not more than " +
         std::to_string(rf.size(1)) + " feature dimensions: the covariance is singular and FID is biased high");
  }
  c["kid_mean"] = number(d.kid.mean);
  c["kid_std"] = number(d.kid.std);
  c["kid_subsets"] = d.kid.subsets;
  c["kid_subset_size"] = d.kid.subset_size;
  c["kid_subset_shrunk"] = d.kid.subset_shrunk;
  if (d.kid.subset_shrunk) {
    warn("class '" + p.name + "': KID subsets of " + std::to_string(d.kid.subset_size) +
         " images (fewer images than --kid-subset-size " + std::to_string(o.kid_subset_size) + ")");
  }
  std::ostringstream floor_line;
  if (o.floor_halves || val != nullptr) c["floor"] = class_floors(p, rf, val, o, floor_line, warn);
  if (o.pixel_metrics) c.update(class_pixel_scores(p, real, fake, rr, fr, with_ssim, warn));
  std::ostringstream line;
  line << "class '" << p.name << "': FID " << d.fid.fid << ", KID " << d.kid.mean << " +- " << d.kid.std
       << floor_line.str();
  log::info(line.str());
  return c;
}

// The mean of a floor ({"fid", "kid_mean", "kid_std"}) over the classes; null when a
// class has none (a mean over fewer classes would not sit beside the generated set's).
nlohmann::json mean_floor(const nlohmann::json& classes, const nlohmann::json& order, const char* which) {
  double fid_sum = 0, kid_sum = 0, kid_std_sum = 0;
  for (const auto& name : order) {
    const nlohmann::json& f = classes[name.get<std::string>()]["floor"][which];
    if (f.is_null() || !f["fid"].is_number() || !f["kid_mean"].is_number()) return nullptr;
    fid_sum += f["fid"].get<double>();
    kid_sum += f["kid_mean"].get<double>();
    kid_std_sum += f["kid_std"].get<double>();
  }
  const double n = static_cast<double>(order.size());
  return {{"fid", number(fid_sum / n)}, {"kid_mean", number(kid_sum / n)}, {"kid_std", number(kid_std_sum / n)}};
}

// The mean over the compared classes (sre_db over the finite ones; the smallest
// nearest-neighbour distance and the total of exact copies over all).
nlohmann::json mean_over_classes(const nlohmann::json& classes, const nlohmann::json& order, const CompareOptions& o,
                                 bool with_val, bool with_ssim) {
  const double n = static_cast<double>(order.size());
  auto sum = [&](const char* key) {
    double total = 0;
    for (const auto& name : order) {
      const nlohmann::json& v = classes[name.get<std::string>()][key];
      total += v.is_number() ? v.get<double>() : NAN;
    }
    return total;
  };
  nlohmann::json mean = {{"classes", order.size()},
                         {"fid", number(sum("fid") / n)},
                         {"kid_mean", number(sum("kid_mean") / n)},
                         {"kid_std", number(sum("kid_std") / n)}};
  if (o.floor_halves || with_val) {
    nlohmann::json fl = nlohmann::json::object();
    if (o.floor_halves) fl["halves"] = mean_floor(classes, order, "halves");
    if (with_val) fl["val"] = mean_floor(classes, order, "val");
    mean["floor"] = fl;
  }
  if (!o.pixel_metrics) return mean;
  double sre_sum = 0, nn_min = std::numeric_limits<double>::infinity();
  int n_sre = 0;
  int64_t copies = 0;
  for (const auto& name : order) {
    const nlohmann::json& c = classes[name.get<std::string>()];
    if (c["sre_db"].is_number()) {
      sre_sum += c["sre_db"].get<double>();
      ++n_sre;
    }
    nn_min = std::min(nn_min, c["nn_distance_min"].is_number() ? c["nn_distance_min"].get<double>() : NAN);
    copies += c["nn_exact_copies"].get<int64_t>();
  }
  mean["rmse"] = number(sum("rmse") / n);
  mean["sre_db"] = number(n_sre > 0 ? sre_sum / n_sre : NAN);
  mean["ssim"] = number(with_ssim ? sum("ssim") / n : NAN);
  mean["nn_distance_mean"] = number(sum("nn_distance_mean") / n);
  mean["nn_distance_min"] = number(nn_min);  // the smallest over all classes
  mean["nn_exact_copies"] = copies;          // the total over all classes
  return mean;
}

}  // namespace

FolderComparison compare_folders(FeatureExtractor& fx, const ImageFolder& real, const ImageFolder& fake,
                                 const CompareOptions& o) {
  require_some_image(real);
  require_some_image(fake);
  Warnings warn;
  nlohmann::json skipped = nlohmann::json::array();
  const std::vector<ClassPair> pairs = pair_classes(real, fake, skipped, warn);
  const bool with_val = !o.floor_val_dir.empty();
  ImageFolder val_folder;
  if (with_val) {
    val_folder = scan_image_folder(o.floor_val_dir);
    require_some_image(val_folder);
  }
  if (o.resize_to <= 0) {
    std::vector<const ImageFolder*> others = {&fake};
    if (with_val) others.push_back(&val_folder);
    require_one_size(real, others);
  }

  LoadedFolder r{real, load_image_folder(real, o.resize_to), {}};
  LoadedFolder f{fake, load_image_folder(fake, o.resize_to), {}};
  std::optional<LoadedFolder> val;
  if (with_val) val = LoadedFolder{val_folder, load_image_folder(val_folder, o.resize_to), {}};
  const int width = static_cast<int>(r.px.pixels.size(3)), height = static_cast<int>(r.px.pixels.size(2));
  const bool with_ssim = o.pixel_metrics && width >= 2 * kSsimRadius + 1 && height >= 2 * kSsimRadius + 1;
  if (o.pixel_metrics && !with_ssim) {
    warn("images of " + size_text(width, height) + " are smaller than SSIM's 11x11 window: no SSIM");
  }
  compute_features(fx, r, o, "");
  compute_features(fx, f, o, "");
  if (val) compute_features(fx, *val, o, " (floor)");

  nlohmann::json classes = nlohmann::json::object(), order = nlohmann::json::array();
  for (const auto& p : pairs) {
    classes[p.name] = compare_class(p, r, f, val ? &*val : nullptr, o, with_ssim, warn);
    order.push_back(p.name);
  }

  FolderComparison out;
  out.real_features = r.features;
  out.fake_features = f.features;
  nlohmann::json& res = out.results;
  res["real_dir"] = real.root;
  res["fake_dir"] = fake.root;
  res["n_real"] = real.images.size();
  res["n_fake"] = fake.images.size();
  res["image_size"] = {width, height};
  res["features"] = {{"id", fx.id()},
                     {"description", fx.description()},
                     {"dim", r.features.size(1)},
                     {"comparable_with_published", fx.comparable_with_published()}};
  res["pixel_pairing"] = o.pixel_metrics ? nlohmann::json(
                                               "each generated image with its nearest real image of the same "
                                               "class by L2 pixel distance")
                                         : nlohmann::json(nullptr);
  if (o.floor_halves || with_val) {
    res["floor"] = {{"halves_rule", o.floor_halves ? nlohmann::json(kHalvesRule) : nlohmann::json(nullptr)},
                    {"val_dir", with_val ? nlohmann::json(val_folder.root) : nlohmann::json(nullptr)},
                    {"n_val", with_val ? nlohmann::json(val_folder.images.size()) : nlohmann::json(nullptr)},
                    {"val_rule", with_val ? nlohmann::json("the real folder's images of each class are the "
                                                           "reference, val_dir's stand where the generated "
                                                           "images were")
                                          : nlohmann::json(nullptr)}};
  }
  res["class_order"] = order;
  res["classes"] = classes;
  res["mean"] = mean_over_classes(classes, order, o, with_val, with_ssim);
  res["skipped_classes"] = skipped;
  res["warnings"] = warn.list();
  return out;
}

}  // namespace xr::metrics
