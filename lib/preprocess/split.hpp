// The paper's split rules (xr-split): per class, N training images drawn by seed, the
// rest halved into validation and test; a smaller experiment's training set drawn from
// a larger one's, with the same validation and test images. Only the plan: which
// image goes where. Writing the folders is the tool's.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/dataset.hpp"

namespace xr::preprocess {

struct SplitAssignment {
  std::string split;   // train|val|test
  int label;           // class index in the folder's class order
  std::string source;  // relative to the folder: <class>/<file>
};

// The split names, in the order of count_per_split's rows.
inline constexpr const char* kSplitNames[] = {"train", "val", "test"};

// Fresh split: per class, the groups of byte-identical files (each file its own group
// when keep_copies_together is false) are shuffled with a per-class stream (adding a
// class changes no other class's split), train takes exactly train_per_class images
// (a group that would overshoot waits for val/test; a warning where that leaves train
// short), and the rest is halved into val and test, test getting the odd one. A class
// with fewer images than train_per_class is a kDataErr naming it.
std::vector<SplitAssignment> split_fresh(const ImageFolder& in, int train_per_class, bool keep_copies_together,
                                         uint64_t seed);

// Subset split: val and test as in the parent's split.csv (columns split, class,
// source), train drawn (by seed, per class) from the parent's train. kDataErr naming
// parent_csv for a row listed twice, a class or an image not in `in`, an unknown
// split, or too few training images.
std::vector<SplitAssignment> split_subset(const ImageFolder& in, const std::string& parent_csv,
                                          int train_per_class, uint64_t seed);

// Sorts a plan by split name, class and source: the order of the files and rows.
void sort_split_plan(std::vector<SplitAssignment>& plan);

// Images per split (index of kSplitNames) per class.
std::vector<std::vector<int>> count_per_split(const ImageFolder& in, const std::vector<SplitAssignment>& plan);

// A class whose val or test subset would be empty makes every later score on it
// undefined: a kDataErr naming the folder, the first such class and the count of the
// others, or, with allow, one warning for each.
void check_empty_subsets(const ImageFolder& in, const std::vector<std::vector<int>>& counts, bool allow);

}  // namespace xr::preprocess
