// An exclusive lock on a folder one process writes over a long time (a training run),
// so that a second writer is refused at once instead of interleaving its snapshots and
// statistics with the first's. The lock is flock(2) on a hidden file in the folder:
// the kernel drops it when the holder exits, so a killed run leaves no stale lock.
#pragma once
#include <string>

namespace xr {

class FolderLock {
 public:
  // Locks DIR (which must exist). kCantCreate (73) naming DIR when another process
  // holds the lock; `holder` names that process in the message ("gan-train").
  FolderLock(const std::string& dir, const std::string& holder);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

  static constexpr const char* kFileName = ".xr-lock";

 private:
  int fd_ = -1;
};

}  // namespace xr
