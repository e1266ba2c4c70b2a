// The exclusion list of xr-crop: the images to leave out (the paper removed images
// with text or marks by hand). One entry a line, naming an image of a raw dataset as
// "<name>", "<class>/<name>" or "<class>/images/<name>"; blank lines and lines
// starting with '#' are ignored, surrounding blanks and a '\r' are trimmed.
#pragma once
#include <set>
#include <string>
#include <vector>

#include "core/dataset.hpp"

namespace xr::preprocess {

class ExclusionList {
 public:
  ExclusionList() = default;
  static ExclusionList parse(const std::string& text);
  // Throws kNoInput when the file is missing.
  static ExclusionList read(const std::string& path);

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  bool excludes(const std::string& class_name, const std::string& file_name) const;
  // Entries that name no image of `raw`, in file order (worth a warning: a typo).
  std::vector<std::string> unmatched(const RawDataset& raw) const;

 private:
  std::vector<std::string> entries_;  // in file order, without duplicates
  std::set<std::string> lookup_;
};

}  // namespace xr::preprocess
