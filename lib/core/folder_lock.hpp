// An exclusive lock on a folder one process writes over a long time (a training run),
// so that a second writer is refused at once instead of interleaving its snapshots and
// statistics with the first's. The lock is flock(2) on a hidden file in the folder:
// the kernel drops it when the holder exits, so a killed run leaves no stale lock.
// The holder writes its pid and tool into the file, so that the refusal can name it.
#pragma once
#include <string>

namespace xr {

class FolderLock {
 public:
  // Locks DIR (which must exist) for the tool `holder` ("gan-train"). kCantCreate (73)
  // naming DIR when another process holds the lock: "another inc3-train (pid 4242) is
  // writing to this folder" (`holder` where the file names no tool).
  FolderLock(const std::string& dir, const std::string& holder);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

  static constexpr const char* kFileName = ".xr-lock";

 private:
  int fd_ = -1;
};

}  // namespace xr
