// The one rule for an output folder that a tool replaces as a whole (xr::StagedDir):
// nothing of the user's is deleted. Checked before any work, by every such tool
// (xr-crop, xr-split, xr-augment, gan-sample, xr-phantom, xr-report):
//
// - the output must not be, contain, or lie inside any input (exit 64): replacing it
//   would delete the input, and an output inside an input folder would be read back
//   as part of that input by the next run;
// - an existing output is replaced only when it is an empty folder or one this
//   toolkit wrote (StagedDir leaves a marker file in every folder it commits);
//   anything else is refused (exit 73) unless the tool was given --force;
// - an existing file where the folder should go is refused (exit 73), --force or not.
#pragma once
#include <string>
#include <vector>

namespace xr {

// The marker StagedDir writes into every output folder it builds.
inline constexpr const char* kOutputMarker = ".xr-output";

// `what` names the output in messages as the user gave it ("OUT_DIR", "--out").
// `inputs` are the tool's input files and folders (any may be absent). `force`: the
// tool's --force, which lets a folder the toolkit did not write be replaced.
// `may_lie_inside_inputs`: the tool reads named files of its input folders, not every
// folder in them (xr-report and its experiment folders), so an output inside one is
// never read back as input.
void check_replaceable_output(const std::string& out, const std::string& what,
                              const std::vector<std::string>& inputs, bool force,
                              bool may_lie_inside_inputs = false);

// True when `dir` holds the toolkit's marker.
bool written_by_toolkit(const std::string& dir);

// The other kind of output folder: one a tool fills file by file and never replaces
// as a whole (cls-eval's evaluation folder, gan-train's and inc3-train's run folders).
// Made (mkdir -p) and checked to be a writable folder when constructed, before the
// tool's work, so that a wrong path fails at once and not after an hour of it
// (kCantCreate naming it). If the tool then fails before anything is written there,
// the destructor removes the folders it made (a folder holding only hidden files, a
// lock, counts as empty): no empty folder is left behind.
class FilledOutputDir {
 public:
  explicit FilledOutputDir(const std::string& path);
  ~FilledOutputDir();
  FilledOutputDir(const FilledOutputDir&) = delete;
  FilledOutputDir& operator=(const FilledOutputDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string abs_;   // path_, absolute, without a trailing separator
  std::string made_;  // the topmost folder this object created (absolute), or empty
};

}  // namespace xr
