#include "classify/evaluate.hpp"

#include <ATen/ATen.h>
#include <torch/utils.h>

#include <algorithm>
#include <numeric>

#include "classify/features.hpp"
#include "classify/runs.hpp"
#include "core/csv.hpp"
#include "core/errors.hpp"
#include "nn/safetensors.hpp"

namespace xr::classify {

std::vector<int> match_classes(const std::vector<std::string>& model_classes, const ImageFolder& test,
                               const std::string& model_path) {
  std::vector<int> map;
  for (const auto& c : test.classes) {
    auto it = std::find(model_classes.begin(), model_classes.end(), c);
    if (it == model_classes.end()) {
      fail_data(test.root, "class '" + c + "' is not one of the model's classes (" + model_path + ")");
    }
    map.push_back(static_cast<int>(it - model_classes.begin()));
  }
  for (const auto& c : model_classes) {
    if (std::find(test.classes.begin(), test.classes.end(), c) == test.classes.end()) {
      fail_data(test.root, "has no folder for the model's class '" + c + "' (" + model_path + ")");
    }
  }
  return map;
}

at::Tensor head_probabilities(ClassifierHeadImpl& head, const at::Tensor& features, const c10::Device& device,
                              int batch) {
  torch::NoGradGuard no_grad;
  head.eval();
  std::vector<at::Tensor> parts;
  for (int64_t i = 0; i < features.size(0); i += batch) {
    const at::Tensor x = features.slice(0, i, std::min(features.size(0), i + batch)).to(device);
    parts.push_back(at::softmax(head.forward(x), 1).to(at::kCPU));
  }
  if (parts.empty()) return at::empty({0, head.num_classes}, at::kFloat);
  return at::cat(parts, 0);
}

std::vector<int> argmax_rows(const at::Tensor& probs) {
  const at::Tensor a = probs.argmax(1).to(at::kLong).contiguous();
  std::vector<int> out(a.size(0));
  for (int64_t i = 0; i < a.size(0); ++i) out[i] = static_cast<int>(a.data_ptr<int64_t>()[i]);
  return out;
}

TestPredictions predict_test_folder(LoadedModel& loaded, const std::string& model_path, const std::string& test_dir,
                                    const c10::Device& device, int batch) {
  const ImageFolder test = scan_image_folder(test_dir);
  const std::vector<int> class_map = match_classes(loaded.info.classes, test, model_path);
  require_images_in_every_class(test);
  TestPredictions out;
  out.images = load_image_folder(test, static_cast<int>(loaded.info.input_size));
  for (int64_t y : out.images.labels) out.y_true.push_back(class_map[y]);
  loaded.model->to(device);
  out.base_features = compute_base_features(*loaded.model->base, out.images.pixels, loaded.info.input_size, device,
                                            batch, "test features");
  out.probs = head_probabilities(*loaded.model->head, out.base_features, device, batch);
  out.y_pred = argmax_rows(out.probs);
  return out;
}

at::Tensor run_probabilities(const std::string& run_file, const std::vector<std::string>& classes,
                             const std::string& model_path, const TestInputs& test, const std::string& label) {
  const auto file = nn::read_safetensors(run_file);
  const ModelInfo info = parse_model_metadata(file.metadata, run_file);
  if (info.classes != classes) fail_data(run_file, "class list differs from " + model_path);
  if (run_contents(info) == RunContents::kWholeModel) {
    LoadedModel run = load_model(run_file);
    run.model->to(test.device);
    const at::Tensor features =
        compute_base_features(*run.model->base, test.pixels, info.input_size, test.device, test.batch, label);
    return head_probabilities(*run.model->head, features, test.device, test.batch);
  }
  // Head only: the frozen base of model.safetensors.
  ClassifierHead head(test.base_features.size(1), static_cast<int64_t>(classes.size()));
  load_head(*head, file, run_file);
  head->to(test.device);
  return head_probabilities(*head, test.base_features, test.device, test.batch);
}

std::vector<Metrics> score_runs(const std::string& model_dir, const std::vector<std::string>& classes,
                                const std::string& model_path, const TestInputs& test,
                                const std::vector<int>& y_true) {
  const auto files = run_files(model_dir);
  if (files.empty()) fail_missing(model_dir, "--all-runs: no run1.safetensors in the model folder");
  std::vector<Metrics> scores;
  for (size_t r = 0; r < files.size(); ++r) {
    const at::Tensor probs =
        run_probabilities(files[r], classes, model_path, test, "run " + std::to_string(r + 1) + " features");
    scores.push_back(compute_metrics(y_true, argmax_rows(probs), static_cast<int>(classes.size())));
  }
  return scores;
}

void write_predictions(const std::string& path, const std::vector<std::string>& rel,
                       const std::vector<int>& y_true, const at::Tensor& probs,
                       const std::vector<std::string>& classes) {
  CsvTable t;
  t.header = {"path", "true_class", "predicted_class"};
  for (const auto& c : classes) t.header.push_back("prob_" + c);
  const at::Tensor p = probs.to(at::kDouble).contiguous();
  const std::vector<int> pred = argmax_rows(probs);
  std::vector<size_t> order(rel.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return rel[a] < rel[b]; });
  for (size_t i : order) {
    std::vector<std::string> row = {rel[i], classes[y_true[i]], classes[pred[i]]};
    for (size_t c = 0; c < classes.size(); ++c) {
      row.push_back(format_number(static_cast<float>(p[i][c].item<double>())));
    }
    t.rows.push_back(std::move(row));
  }
  write_csv(path, t);
}

void write_confusion(const std::string& path, const std::vector<std::vector<int64_t>>& confusion,
                     const std::vector<std::string>& classes) {
  CsvTable t;
  t.header = {"true_class"};
  for (const auto& c : classes) t.header.push_back("predicted_" + c);
  for (size_t i = 0; i < classes.size(); ++i) {
    std::vector<std::string> row = {classes[i]};
    for (int64_t v : confusion[i]) row.push_back(std::to_string(v));
    t.rows.push_back(std::move(row));
  }
  write_csv(path, t);
}

std::map<std::string, PredictionRow> read_predictions(const std::string& path) {
  const CsvTable t = read_csv(path);
  const int cp = t.column("path", path), ct = t.column("true_class", path), cq = t.column("predicted_class", path);
  std::map<std::string, PredictionRow> out;
  for (const auto& row : t.rows) {
    if (!out.emplace(row[cp], PredictionRow{row[ct], row[cq]}).second) {
      fail_data(path, "lists an image twice (" + row[cp] + ")");
    }
  }
  return out;
}

}  // namespace xr::classify
