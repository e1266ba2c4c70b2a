#include "core/output_folder.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"

namespace fs = std::filesystem;

namespace xr {

bool written_by_toolkit(const std::string& dir) {
  std::error_code ec;
  return fs::is_regular_file(fs::path(dir) / kOutputMarker, ec);
}

void check_replaceable_output(const std::string& out, const std::string& what,
                              const std::vector<std::string>& inputs, bool force, bool may_lie_inside_inputs) {
  for (const auto& in : inputs) {
    if (in.empty()) continue;
    if (path_within(in, out)) {
      fail_usage(what + " " + out + " is or contains the input " + in + ": replacing it would delete the input");
    }
    if (!may_lie_inside_inputs && path_within(out, in)) {
      fail_usage(what + " " + out + " is inside the input folder " + in +
                 ": the next run would read it as part of the input");
    }
  }
  std::error_code ec;
  const auto st = fs::symlink_status(out, ec);
  if (!fs::exists(st)) return;
  // A link to a folder is judged by the folder it names: that is what the user means.
  if (!fs::is_directory(out, ec)) fail_create(out, "exists and is not a folder");
  if (fs::is_empty(out, ec) || written_by_toolkit(out)) return;
  if (force) return;
  fail_create(out, std::string("holds files the xr toolkit did not write (no ") + kOutputMarker +
                       " marker): not replacing it (--force replaces it)");
}

namespace {

// Whether `dir` holds nothing but hidden files (and hidden folders).
bool holds_only_hidden(const std::string& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().filename().string().front() != '.') return false;
  }
  return !ec;
}

}  // namespace

FilledOutputDir::FilledOutputDir(const std::string& path) : path_(path) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(path_, ec)) && !fs::is_directory(path_, ec)) {
    fail_create(path_, "exists and is not a folder");
  }
  // The topmost missing ancestor is what this object makes (mkdir -p).
  fs::path abs = fs::absolute(path_, ec).lexically_normal();
  if (!abs.has_filename()) abs = abs.parent_path();  // "out/"
  fs::path topmost;
  for (fs::path q = abs; !q.empty() && !fs::exists(q, ec); q = q.parent_path()) {
    topmost = q;
    if (q == q.parent_path()) break;
  }
  ensure_directory(path_);
  abs_ = abs.string();
  made_ = topmost.string();
  if (::access(path_.c_str(), W_OK | X_OK) != 0) {
    const int err = errno;
    fail_create(path_, std::string("cannot write into this folder (") + std::strerror(err) + ")");
  }
}

FilledOutputDir::~FilledOutputDir() {
  if (made_.empty() || !holds_only_hidden(path_)) return;
  // Remove the folders made, from the output up to the topmost, while each is empty.
  std::error_code ec;
  fs::remove_all(abs_, ec);
  if (abs_ == made_) return;
  for (fs::path q = fs::path(abs_).parent_path(); fs::is_empty(q, ec); q = q.parent_path()) {
    fs::remove(q, ec);
    if (q.string() == made_ || ec) break;
  }
}

}  // namespace xr
