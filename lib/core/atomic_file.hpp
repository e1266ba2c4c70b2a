// No partial output: every file a tool writes goes to a temporary name in the same
// folder and is renamed into place only when complete. An interrupted tool (SIGINT,
// SIGTERM) removes its temporary files and staged folders on the way out; a kill -9
// leaves at most a hidden ".NAME.tmp-PID-N" file or folder, never a half-written
// output under the real name, and the next run that writes NAME there removes it.
#pragma once
#include <string>

namespace xr {

class AtomicFile {
 public:
  explicit AtomicFile(std::string final_path);
  ~AtomicFile();  // removes the temporary unless commit() ran
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& temp_path() const { return temp_; }
  const std::string& final_path() const { return final_; }
  void commit();  // fsync-free rename; throws xr::Error(kIoErr) on failure

 private:
  std::string final_;
  std::string temp_;
  int slot_ = -1;
  bool committed_ = false;
};

// A whole output folder built under a hidden temporary name beside its final place
// and swapped in by commit(): a failed or interrupted tool leaves the old folder (or
// none), never a half-filled one. Without commit() the temporary is deleted. The
// folder carries the toolkit's marker (output_folder.hpp); tools call
// check_replaceable_output before building one.
class StagedDir {
 public:
  explicit StagedDir(std::string final_path);
  ~StagedDir();
  StagedDir(const StagedDir&) = delete;
  StagedDir& operator=(const StagedDir&) = delete;

  const std::string& path() const { return temp_; }  // write here
  const std::string& final_path() const { return final_; }
  void commit();  // replaces final_path (an existing folder there is removed)

 private:
  std::string final_;
  std::string temp_;
  int slot_ = -1;
  bool committed_ = false;
};

// Removes the hidden temporaries ".NAME.tmp-PID-N" in DIR (any NAME when `name` is
// empty) whose process PID has ended: what a kill -9 left. StagedDir calls it for its
// own name; a tool that writes many files into one folder calls it once for that folder.
void remove_stale_temporaries(const std::string& dir, const std::string& name = "");

// Writes `contents` to `path` atomically.
void write_file_atomic(const std::string& path, const std::string& contents);

// Reads a whole file; throws kNoInput if missing, kIoErr if unreadable.
std::string read_file(const std::string& path);

// mkdir -p; throws xr::Error(kCantCreate) naming the path on failure.
void ensure_directory(const std::string& path);

// True when `inner` is `outer` or lies below it, after making both absolute and
// resolving ".", ".." and links of the parts that exist. The check behind every
// tool whose output folder replaces what is there: it must not take its input with it.
bool path_within(const std::string& inner, const std::string& outer);

// Installs SIGINT/SIGTERM handlers that unlink live temporaries, then re-raise.
void install_interrupt_cleanup();

}  // namespace xr
