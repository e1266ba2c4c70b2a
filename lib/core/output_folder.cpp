#include "core/output_folder.hpp"

#include <filesystem>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "core/tool_main.hpp"

namespace fs = std::filesystem;

namespace xr {

bool written_by_toolkit(const std::string& dir) {
  std::error_code ec;
  return fs::is_regular_file(fs::path(dir) / kOutputMarker, ec);
}

void check_replaceable_output(const std::string& out, const std::string& what,
                              const std::vector<std::string>& inputs, bool may_lie_inside_inputs) {
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
  if (common_options().force) return;
  fail_create(out, std::string("holds files the xr toolkit did not write (no ") + kOutputMarker +
                       " marker): not replacing it (--force replaces it)");
}

}  // namespace xr
