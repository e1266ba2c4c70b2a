#include "core/folder_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/errors.hpp"

namespace xr {

FolderLock::FolderLock(const std::string& dir, const std::string& holder) {
  const std::string file = (std::filesystem::path(dir) / kFileName).string();
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) fail_create(dir, std::string("cannot create its lock file (") + std::strerror(errno) + ")");
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK) {
      fail_create(dir, "another " + holder + " is writing to this folder; wait for it to end, or stop it");
    }
    fail_create(dir, std::string("cannot lock the folder (") + std::strerror(err) + ")");
  }
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);  // closing drops the lock
}

}  // namespace xr
