#include "gan/snapshot_metrics.hpp"

#include "core/dataset.hpp"
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

}  // namespace xr::gan
