#include "gan/snapshot_metrics.hpp"

#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>

#include "core/dataset.hpp"
#include "core/log.hpp"
#include "gan/generate.hpp"
#include "gan/streams.hpp"
#include "metrics/class_distance.hpp"
#include "metrics/feature_cache.hpp"

namespace xr::gan {

MetricSetup metric_setup(const RunSettings& s, const std::string& cache_dir, const RunData& data,
                         const c10::Device& device, uint64_t seed) {
  MetricSetup m;
  if (s.metric_features == "none") return m;
  m.extractor = metrics::make_feature_extractor(s.metric_features, s.metric_weights, device, seed, 32, s.metric_size);
  const std::string cache = cache_dir == "auto" ? metrics::default_cache_dir()
                            : cache_dir == "none" ? std::string()
                                                  : cache_dir;
  m.real_features = metrics::folder_features(*m.extractor, scan_image_folder(data.train.root), cache,
                                            data.train.pixels, 0);
  if (data.val) {
    m.val_features =
        metrics::folder_features(*m.extractor, scan_image_folder(data.val->root), cache, data.val->pixels, 0);
    m.val_labels = data.val->labels;
  }
  metrics::FeatureExtractor* raw = m.extractor.get();
  m.features = [raw](const torch::Tensor& u8) { return raw->extract(u8); };
  m.name = m.extractor->description();
  return m;
}

SnapshotMetrics::SnapshotMetrics(const MetricSetup& setup, const TrainData& data, const TrainOptions& o)
    : setup_(setup), data_(data), o_(o) {}

namespace {

std::vector<torch::Tensor> rows_by_class(const torch::Tensor& all, const std::vector<int64_t>& labels, int n_classes) {
  std::vector<torch::Tensor> out;
  for (int c = 0; c < n_classes; ++c) {
    std::vector<int64_t> idx;
    for (size_t i = 0; i < labels.size(); ++i)
      if (labels[i] == c) idx.push_back(static_cast<int64_t>(i));
    out.push_back(all.index_select(0, torch::tensor(idx, torch::kLong)));
  }
  return out;
}

// Per class and "mean" (null when a class has no value: a mean over fewer classes
// would not sit beside the snapshot's mean).
struct ClassValues {
  nlohmann::json j = nlohmann::json::object();
  double sum = 0;
  bool complete = true;
  void set(const std::string& name, double v) {
    j[name] = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
    sum += v;
    complete = complete && std::isfinite(v);
  }
  void missing(const std::string& name) {
    j[name] = nullptr;
    complete = false;
  }
  nlohmann::json done(int n) {
    j["mean"] = complete ? nlohmann::json(sum / n) : nlohmann::json(nullptr);
    return j;
  }
};

}  // namespace

// Real features per class and the floors, once a process (the floors follow
// --kid-subsets, which a resume may change, so they are not kept in the resume state).
void SnapshotMetrics::prepare() {
  const int n_classes = static_cast<int>(data_.classes.size());
  const torch::Tensor real_all =
      setup_.real_features.defined() ? setup_.real_features : setup_.features(data_.pixels);
  real_features_ = rows_by_class(real_all, data_.labels, n_classes);
  if (setup_.val_features.defined()) {
    val_features_ = rows_by_class(setup_.val_features, setup_.val_labels, n_classes);
  }
  ClassValues kid_f, fid_f, kid_vf, fid_vf;
  for (int c = 0; c < n_classes; ++c) {
    const std::string& name = data_.classes[c];
    if (const auto f = metrics::class_halves_floor(real_features_[c], kid_settings())) {
      kid_f.set(name, f->kid.mean);
      fid_f.set(name, f->fid.fid);
    } else {
      log::warn("class '" + name + "': " + std::to_string(real_features_[c].size(0)) +
                " training images, no halves floor (it needs " + std::to_string(metrics::kFloorMinImages) + ")");
      kid_f.missing(name);
      fid_f.missing(name);
    }
    if (!val_features_.empty()) {
      // The training images stand where the generated ones will: the validation split
      // is the reference of both.
      const auto f = metrics::class_real_floor(val_features_[c], real_features_[c], kid_settings());
      kid_vf.set(name, f.kid.mean);
      fid_vf.set(name, f.fid.fid);
    }
  }
  kid_floor_ = kid_f.done(n_classes);
  fid_floor_ = fid_f.done(n_classes);
  std::ostringstream msg;
  auto text = [](const nlohmann::json& v) {
    std::ostringstream s;
    if (v.is_number()) s << v.get<double>(); else s << "null";
    return s.str();
  };
  msg << "real-vs-real floor (training halves): KID " << text(kid_floor_["mean"]) << ", FID "
      << text(fid_floor_["mean"]);
  if (!val_features_.empty()) {
    kid_val_floor_ = kid_vf.done(n_classes);
    fid_val_floor_ = fid_vf.done(n_classes);
    msg << "; training vs validation: KID " << text(kid_val_floor_["mean"]) << ", FID "
        << text(fid_val_floor_["mean"]);
  }
  log::info(msg.str());
}

nlohmann::json SnapshotMetrics::evaluate(Generator& g_ema, const std::string& snapshot, int64_t cur_nimg) {
  const int n_classes = static_cast<int>(data_.classes.size());
  if (real_features_.empty()) prepare();
  const bool with_val = !val_features_.empty();
  ClassValues kid_j, fid_j, kid_v, fid_v;
  for (int c = 0; c < n_classes; ++c) {
    const int64_t n_real = real_features_[c].size(0);
    const int64_t n_fake = o_.metric_samples > 0 ? o_.metric_samples : n_real;
    std::vector<uint64_t> seeds(n_fake);
    for (int64_t k = 0; k < n_fake; ++k) {
      seeds[k] = stream_seed(o_.seed, Stream::kEvalLatents, static_cast<uint64_t>(c) << 32 | static_cast<uint64_t>(k));
    }
    torch::manual_seed(stream_seed(o_.seed, Stream::kEvalNoise, static_cast<uint64_t>(cur_nimg)));
    const torch::Tensor imgs = generate_u8(g_ema, latents_from_seeds(seeds, o_.net.z_dim),
                                           std::vector<int64_t>(n_fake, c), 1.0, NoiseMode::kRandom, o_.batch);
    const torch::Tensor fake = setup_.features(imgs);
    const std::string& name = data_.classes[c];
    const metrics::ClassDistance d = metrics::class_distance(real_features_[c], fake, kid_settings());
    kid_j.set(name, d.kid.mean);
    fid_j.set(name, d.fid.fid);
    if (with_val) {  // the same generated images against the validation split
      const metrics::ClassDistance v = metrics::class_distance(val_features_[c], fake, kid_settings());
      kid_v.set(name, v.kid.mean);
      fid_v.set(name, v.fid.fid);
    }
  }
  nlohmann::json line = {{"snapshot", snapshot},
                         {"nimg", cur_nimg},
                         {"kimg", cur_nimg / 1000.0},
                         {"kid", kid_j.done(n_classes)},
                         {"fid", fid_j.done(n_classes)},
                         {"kid_floor", kid_floor_},
                         {"fid_floor", fid_floor_}};
  if (with_val) {
    line["kid_val"] = kid_v.done(n_classes);
    line["fid_val"] = fid_v.done(n_classes);
    line["kid_val_floor"] = kid_val_floor_;
    line["fid_val_floor"] = fid_val_floor_;
  }
  line["select_on"] = o_.select_on;
  line["features"] = setup_.name;
  line["timestamp"] = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  return line;
}

double snapshot_mean(const nlohmann::json& line, const char* key) {
  const nlohmann::json& v = line[key]["mean"];
  return v.is_number() ? v.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

std::string describe_snapshot_metrics(const nlohmann::json& m) {
  auto value = [&](const char* key) { return snapshot_mean(m, key); };
  std::ostringstream msg;
  msg << "snapshot " << m["snapshot"].get<std::string>() << ": KID " << value("kid") << " (floor "
      << value("kid_floor") << "), FID " << value("fid") << " (floor " << value("fid_floor") << ")";
  if (m.contains("kid_val")) {
    msg << "; validation KID " << value("kid_val") << " (floor " << value("kid_val_floor") << "), FID "
        << value("fid_val") << " (floor " << value("fid_val_floor") << ")";
  }
  return msg.str();
}

}  // namespace xr::gan
