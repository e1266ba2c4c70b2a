#include "core/folder_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>

#include "core/errors.hpp"
#include "core/log.hpp"

namespace xr {

namespace {

// What the holder wrote into the lock file: its pid and tool ("" each when it wrote
// none, as flock(1) does).
struct Holder {
  std::string pid, tool;
};

Holder read_holder(int fd) {
  char buf[128] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::istringstream in(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0));
  Holder h;
  in >> h.pid >> h.tool;
  if (h.pid.empty() || h.pid.find_first_not_of("0123456789") != std::string::npos) return {};
  return h;
}

}  // namespace

FolderLock::FolderLock(const std::string& dir, const std::string& holder) {
  const std::string file = (std::filesystem::path(dir) / kFileName).string();
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) fail_create(dir, std::string("cannot create its lock file (") + std::strerror(errno) + ")");
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    const Holder h = read_holder(fd_);
    ::close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK) {
      const std::string pid = h.pid.empty() ? "" : " (pid " + h.pid + ")";
      const std::string who = (h.tool.empty() ? holder : h.tool) + pid;
      fail_create(dir, "another " + who + " is writing to this folder; wait for it to end, or stop it");
    }
    fail_create(dir, std::string("cannot lock the folder (") + std::strerror(err) + ")");
  }
  // Our pid and tool, for the message of a second writer; the lock itself is the flock.
  const std::string pid = std::to_string(::getpid()) + " " + holder + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    log::debug(file + ": could not write the pid into the lock file");  // the lock holds all the same
  }
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);  // closing drops the lock
}

}  // namespace xr
