// What cls-eval does with a trained model and a test folder: class lists matched by
// name, probabilities from the network, and the two CSV files it writes
// (predictions.csv, confusion.csv) plus the reader --compare needs.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <map>
#include <string>
#include <vector>

#include "classify/classifier.hpp"
#include "classify/scores.hpp"
#include "core/image_batch.hpp"
#include "core/dataset.hpp"

namespace xr::classify {

// For each test class, its index among the model's classes. kDataErr when a test
// class is not a model class, or a model class has no test folder, naming it.
std::vector<int> match_classes(const std::vector<std::string>& model_classes, const ImageFolder& test,
                               const std::string& model_path);

// Softmax of head(features) in eval mode, `batch` rows at a time: [N, K] on the CPU.
at::Tensor head_probabilities(ClassifierHeadImpl& head, const at::Tensor& features, const c10::Device& device,
                              int batch);

std::vector<int> argmax_rows(const at::Tensor& probs);

// The kept model's predictions on a test folder whose classes match its own by name
// (match_classes); every class must have images.
struct TestPredictions {
  ImageBatch images;         // at the model's input size, labels in the folder's class order
  std::vector<int> y_true;   // the model's class indices
  at::Tensor base_features;  // the frozen base's features of the images, [N, F]
  at::Tensor probs;          // [N, K]
  std::vector<int> y_pred;
};
TestPredictions predict_test_folder(LoadedModel& loaded, const std::string& model_path, const std::string& test_dir,
                                    const c10::Device& device, int batch);

// The test set as cls-eval scores it: the images at the model's input size and the
// kept model's frozen-base features of them, which a head-only run reuses.
struct TestInputs {
  const at::Tensor& pixels;
  const at::Tensor& base_features;
  c10::Device device;
  int batch;
};

// Class probabilities of one run<k>.safetensors of a model folder on the test set:
// a whole model computes its own base features (progress under `label`), a head-only
// run uses test.base_features. kDataErr when the run's class list differs from
// `classes`, those of model_path.
at::Tensor run_probabilities(const std::string& run_file, const std::vector<std::string>& classes,
                             const std::string& model_path, const TestInputs& test, const std::string& label);

// The scores of every run<k>.safetensors of model_dir (run 1 first) against y_true.
// kNoInput when the folder has no run1.safetensors.
std::vector<Metrics> score_runs(const std::string& model_dir, const std::vector<std::string>& classes,
                                const std::string& model_path, const TestInputs& test,
                                const std::vector<int>& y_true);

// predictions.csv: path (relative to the test folder), true_class, predicted_class,
// prob_<class> per class; rows sorted by path.
void write_predictions(const std::string& path, const std::vector<std::string>& rel,
                       const std::vector<int>& y_true, const at::Tensor& probs,
                       const std::vector<std::string>& classes);

// confusion.csv: true_class, then one count column per predicted class
// (predicted_<class>), rows in class order.
void write_confusion(const std::string& path, const std::vector<std::vector<int64_t>>& confusion,
                     const std::vector<std::string>& classes);

struct PredictionRow {
  std::string true_class, predicted_class;
};
// path -> row; kDataErr for missing columns or a path listed twice.
std::map<std::string, PredictionRow> read_predictions(const std::string& path);

}  // namespace xr::classify
