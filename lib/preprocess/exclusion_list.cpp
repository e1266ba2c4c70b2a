#include "preprocess/exclusion_list.hpp"

#include <sstream>

#include "core/atomic_file.hpp"

namespace xr::preprocess {
namespace {

std::string trim(const std::string& s) {
  const char* blanks = " \t\r\n";
  const size_t b = s.find_first_not_of(blanks);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(blanks) - b + 1);
}

}  // namespace

ExclusionList ExclusionList::parse(const std::string& text) {
  ExclusionList list;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (list.lookup_.insert(line).second) list.entries_.push_back(line);
  }
  return list;
}

ExclusionList ExclusionList::read(const std::string& path) { return parse(read_file(path)); }

bool ExclusionList::excludes(const std::string& class_name, const std::string& file_name) const {
  if (lookup_.empty()) return false;
  return lookup_.count(file_name) || lookup_.count(class_name + "/" + file_name) ||
         lookup_.count(class_name + "/images/" + file_name);
}

std::vector<std::string> ExclusionList::unmatched(const RawDataset& raw) const {
  std::set<std::string> used;
  for (const auto& e : raw.entries) {
    const std::string& cls = raw.classes[e.label];
    for (const std::string& key : {e.name, cls + "/" + e.name, cls + "/images/" + e.name}) {
      if (lookup_.count(key)) used.insert(key);
    }
  }
  std::vector<std::string> out;
  for (const auto& entry : entries_) {
    if (!used.count(entry)) out.push_back(entry);
  }
  return out;
}

}  // namespace xr::preprocess
