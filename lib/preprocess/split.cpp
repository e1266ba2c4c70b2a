#include "preprocess/split.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <tuple>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/rng.hpp"

namespace fs = std::filesystem;

namespace xr::preprocess {

namespace {

// Byte-identical files of one class, grouped (singletons for unique files), in file
// order. The real database holds some copies; letting them fall into both train and
// test would score memorisation as accuracy.
std::vector<std::vector<std::string>> duplicate_groups(const std::string& root,
                                                       const std::vector<std::string>& files, bool group) {
  std::vector<std::vector<std::string>> groups;
  if (!group) {
    for (const auto& f : files) groups.push_back({f});
    return groups;
  }
  std::map<std::string, size_t> group_of_content;
  for (const auto& f : files) {
    auto [it, fresh] = group_of_content.emplace(read_file((fs::path(root) / f).string()), groups.size());
    if (fresh) groups.push_back({});
    groups[it->second].push_back(f);
  }
  return groups;
}

int split_index(const std::string& split) { return split == "train" ? 0 : split == "val" ? 1 : 2; }

}  // namespace

std::vector<SplitAssignment> split_fresh(const ImageFolder& in, int train_per_class, bool keep_copies_together,
                                         uint64_t seed) {
  std::vector<std::vector<std::string>> by_class(in.classes.size());
  for (const auto& e : in.images) by_class[e.label].push_back(e.rel);
  std::vector<SplitAssignment> out;
  for (size_t c = 0; c < by_class.size(); ++c) {
    const auto& files = by_class[c];
    const size_t n_train = static_cast<size_t>(train_per_class);
    if (files.size() < n_train) {
      fail_data((fs::path(in.root) / in.classes[c]).string(),
                "class '" + in.classes[c] + "' has " + std::to_string(files.size()) +
                    " images, fewer than --train-per-class " + std::to_string(train_per_class));
    }
    auto groups = duplicate_groups(in.root, files, keep_copies_together);
    if (groups.size() < files.size()) {
      log::warn("class '" + in.classes[c] + "': " + std::to_string(files.size() - groups.size()) +
                " byte-identical copies kept in the split of their original");
    }
    Rng rng(derive_seed(seed, c));
    rng.shuffle(groups);
    // A group that would overshoot N waits for val/test, so train gets exactly N
    // whenever the group sizes allow it.
    std::vector<const std::vector<std::string>*> rest;
    size_t taken = 0;
    for (const auto& g : groups) {
      if (taken + g.size() <= n_train) {
        for (const auto& f : g) out.push_back({"train", static_cast<int>(c), f});
        taken += g.size();
      } else {
        rest.push_back(&g);
      }
    }
    if (taken < n_train) {
      log::warn("class '" + in.classes[c] + "': train holds " + std::to_string(taken) + " images, not " +
                std::to_string(n_train) + ", to keep copies together");
    }
    const size_t n_val = (files.size() - taken) / 2;
    size_t in_val = 0;
    for (const auto* g : rest) {
      const bool val = in_val < n_val;
      for (const auto& f : *g) out.push_back({val ? "val" : "test", static_cast<int>(c), f});
      if (val) in_val += g->size();
    }
  }
  return out;
}

std::vector<SplitAssignment> split_subset(const ImageFolder& in, const std::string& parent_csv,
                                          int train_per_class, uint64_t seed) {
  const CsvTable parent = read_csv(parent_csv);
  const int col_split = parent.column("split", parent_csv);
  const int col_class = parent.column("class", parent_csv);
  const int col_source = parent.column("source", parent_csv);
  std::map<std::string, bool> present;
  for (const auto& e : in.images) present[e.rel] = true;

  std::vector<std::vector<std::string>> train_by_class(in.classes.size());
  std::vector<SplitAssignment> out;
  std::map<std::string, size_t> first_row;  // source -> its row (1: the first after the header)
  for (size_t r = 0; r < parent.rows.size(); ++r) {
    const auto& row = parent.rows[r];
    const auto [it, fresh] = first_row.emplace(row[col_source], r + 1);
    if (!fresh) {
      fail_data(parent_csv, "row " + std::to_string(r + 1) + " lists " + row[col_source] + " again (first in row " +
                                std::to_string(it->second) + ")");
    }
    const int label = in.class_index(row[col_class]);
    if (label < 0) fail_data(parent_csv, "class '" + row[col_class] + "' is not in " + in.root);
    if (!present.count(row[col_source])) {
      fail_data(parent_csv, "lists an image that is not in " + in.root + " (" + row[col_source] + ")");
    }
    const std::string& split = row[col_split];
    if (split == "train") {
      train_by_class[label].push_back(row[col_source]);
    } else if (split == "val" || split == "test") {
      out.push_back({split, label, row[col_source]});
    } else {
      fail_data(parent_csv, "unknown split '" + split + "'");
    }
  }
  for (size_t c = 0; c < train_by_class.size(); ++c) {
    auto& files = train_by_class[c];
    if (static_cast<int>(files.size()) < train_per_class) {
      fail_data(parent_csv, "class '" + in.classes[c] + "' has " + std::to_string(files.size()) +
                                " training images there, fewer than --train-per-class " +
                                std::to_string(train_per_class));
    }
    std::sort(files.begin(), files.end());
    Rng rng(derive_seed(seed, c));
    rng.shuffle(files);
    for (int i = 0; i < train_per_class; ++i) out.push_back({"train", static_cast<int>(c), files[i]});
  }
  return out;
}

void sort_split_plan(std::vector<SplitAssignment>& plan) {
  std::sort(plan.begin(), plan.end(), [](const SplitAssignment& a, const SplitAssignment& b) {
    return std::tie(a.split, a.label, a.source) < std::tie(b.split, b.label, b.source);
  });
}

std::vector<std::vector<int>> count_per_split(const ImageFolder& in, const std::vector<SplitAssignment>& plan) {
  std::vector<std::vector<int>> counts(3, std::vector<int>(in.classes.size(), 0));
  for (const auto& a : plan) counts[split_index(a.split)][a.label]++;
  return counts;
}

void check_empty_subsets(const ImageFolder& in, const std::vector<std::vector<int>>& counts, bool allow) {
  std::vector<std::string> empty;
  for (size_t c = 0; c < in.classes.size(); ++c) {
    for (int s : {1, 2}) {
      if (counts[s][c] > 0) continue;
      empty.push_back("class '" + in.classes[c] + "': " + kSplitNames[s] + " would hold no images (" +
                      std::to_string(counts[0][c] + counts[1][c] + counts[2][c]) + " in all, " +
                      std::to_string(counts[0][c]) + " in train)");
    }
  }
  if (empty.empty()) return;
  if (!allow) {
    const std::string more = empty.size() > 1 ? " and " + std::to_string(empty.size() - 1) + " more" : "";
    fail_data(in.root, empty.front() + more + ": lower --train-per-class, or pass --allow-empty");
  }
  for (const auto& line : empty) log::warn(line);
}

}  // namespace xr::preprocess
