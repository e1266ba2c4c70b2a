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
