#include "core/atomic_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/output_folder.hpp"

namespace fs = std::filesystem;

namespace xr {
namespace {

// Fixed slots so the signal handler can read them without locks or allocation.
constexpr int kSlots = 256;
constexpr int kPathMax = 4096;
// A slot is free (0), being filled (1: the handler must not read its half-copied
// path), a live temporary file (2) or a live staged folder (3).
constexpr int kFree = 0, kFilling = 1, kLiveFile = 2, kLiveDir = 3;
char g_temp_paths[kSlots][kPathMax];
std::atomic<int> g_slot_state[kSlots];
std::atomic<unsigned> g_counter{0};

int claim_slot(const std::string& path, int kind) {
  if (path.size() >= kPathMax) return -1;
  for (int i = 0; i < kSlots; ++i) {
    int expected = kFree;
    if (g_slot_state[i].compare_exchange_strong(expected, kFilling)) {
      std::memcpy(g_temp_paths[i], path.c_str(), path.size() + 1);
      g_slot_state[i].store(kind);
      return i;
    }
  }
  return -1;  // more live temporaries than slots: still correct, just not cleaned on signal
}

// Removes the tree below the open folder `dir_fd` with system calls only (open,
// getdents64, unlinkat, close), which are async-signal-safe where fs::remove_all,
// which allocates, is not. A staged folder is a few levels deep (class folders of
// files); deeper levels than kMaxDepth are left for the next run's sweep.
constexpr int kMaxDepth = 8;
void remove_tree_below(int dir_fd, int depth) {
  alignas(8) char buf[4096];
  for (;;) {
    const long n = syscall(SYS_getdents64, dir_fd, buf, sizeof buf);
    if (n <= 0) return;
    bool removed_any = false;
    for (long off = 0; off < n;) {
      // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name.
      const auto reclen = *reinterpret_cast<const unsigned short*>(buf + off + 16);
      const unsigned char type = static_cast<unsigned char>(buf[off + 18]);
      const char* name = buf + off + 19;
      off += reclen;
      if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
      bool folder = type == DT_DIR;
      if (type != DT_DIR) {
        if (unlinkat(dir_fd, name, 0) == 0) {
          removed_any = true;
          continue;
        }
        // DT_UNKNOWN (some file systems): a folder is what unlink refuses with EISDIR.
        folder = type == DT_UNKNOWN && errno == EISDIR;
      }
      if (folder) {
        if (depth >= kMaxDepth) continue;
        const int sub = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0) continue;
        remove_tree_below(sub, depth + 1);
        close(sub);
        if (unlinkat(dir_fd, name, AT_REMOVEDIR) == 0) removed_any = true;
      }
    }
    // Entries removed while listing may shift the listing: start it again until a
    // pass removes nothing.
    if (removed_any) lseek(dir_fd, 0, SEEK_SET);
  }
}

void remove_tree_signal_safe(const char* path) {
  const int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;
  remove_tree_below(fd, 0);
  close(fd);
  rmdir(path);
}

void release_slot(int slot) {
  if (slot >= 0) g_slot_state[slot].store(kFree);
}

constexpr const char* kTempInfix = ".tmp-";

std::string temp_name_beside(const std::string& final_path) {
  fs::path p(final_path);
  if (p.filename().empty()) p = p.parent_path();  // "out/" names the folder "out"
  std::string name = "." + p.filename().string() + kTempInfix + std::to_string(getpid()) + "-" +
                     std::to_string(g_counter.fetch_add(1));
  return (p.parent_path() / name).string();
}

// The process that made a temporary, from its name ".NAME.tmp-PID-N"; 0 if the name
// is not one of ours.
pid_t temp_owner(const std::string& name, const std::string& prefix) {
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return 0;
  const size_t start = prefix.size(), dash = name.find('-', start);
  if (dash == std::string::npos || dash == start || dash + 1 == name.size()) return 0;
  for (size_t i = start; i < name.size(); ++i) {
    if (i != dash && !std::isdigit(static_cast<unsigned char>(name[i]))) return 0;
  }
  return static_cast<pid_t>(std::stol(name.substr(start, dash - start)));
}

extern "C" void cleanup_and_reraise(int sig) {
  for (int i = 0; i < kSlots; ++i) {
    const int state = g_slot_state[i].load();
    if (state == kLiveFile) unlink(g_temp_paths[i]);
    if (state == kLiveDir) remove_tree_signal_safe(g_temp_paths[i]);
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

}  // namespace

AtomicFile::AtomicFile(std::string final_path)
    : final_(std::move(final_path)), temp_(temp_name_beside(final_)), slot_(claim_slot(temp_, kLiveFile)) {}

AtomicFile::~AtomicFile() {
  if (!committed_) std::remove(temp_.c_str());
  release_slot(slot_);
}

void AtomicFile::commit() {
  if (std::rename(temp_.c_str(), final_.c_str()) != 0) {
    int err = errno;
    std::remove(temp_.c_str());
    throw Error(Exit::kIoErr, final_, std::string("cannot move into place (") + std::strerror(err) + ")");
  }
  committed_ = true;
}

StagedDir::StagedDir(std::string final_path) : final_(std::move(final_path)) {
  while (!final_.empty() && final_.size() > 1 && final_.back() == '/') final_.pop_back();
  // "", ".", ".." and "/" name no folder that could be swapped for another.
  const std::string base = fs::path(final_).filename().string();
  if (base.empty() || base == "." || base == "..") {
    fail_create(final_, "cannot replace this folder as a whole (name an output folder inside it)");
  }
  const fs::path parent = fs::path(final_).parent_path();
  if (!parent.empty()) ensure_directory(parent.string());
  remove_stale_temporaries(parent.empty() ? "." : parent.string(), base);
  temp_ = temp_name_beside(final_);
  std::error_code ec;
  if (!fs::create_directory(temp_, ec)) {
    fail_create(final_, "cannot create a folder beside it (" + (ec ? ec.message() : "exists") + ")");
  }
  slot_ = claim_slot(temp_, kLiveDir);
  // The mark that lets the next run replace this folder (check_replaceable_output).
  std::ofstream marker(fs::path(temp_) / kOutputMarker, std::ios::binary);
  marker << "Written by " << log::tool_name() << " (xr toolkit " << XR_VERSION
         << "). The toolkit's tools replace this folder as a whole when it is named as their output.\n";
  if (!marker.flush()) fail_create(final_, "cannot write into a folder beside it");
}

StagedDir::~StagedDir() {
  release_slot(slot_);
  if (committed_) return;
  std::error_code ec;
  fs::remove_all(temp_, ec);
}

void StagedDir::commit() {
  std::error_code ec;
  std::string old;
  if (fs::exists(final_, ec)) {
    if (!fs::is_directory(final_, ec)) fail_create(final_, "exists and is not a folder");
    old = temp_name_beside(final_);
    fs::rename(final_, old, ec);
    if (ec) fail_io(final_, "cannot replace the existing folder (" + ec.message() + ")");
  }
  fs::rename(temp_, final_, ec);
  if (ec) {
    if (!old.empty()) fs::rename(old, final_, ec);
    fail_io(final_, "cannot move the new folder into place (" + ec.message() + ")");
  }
  committed_ = true;
  release_slot(slot_);  // an interrupt from here on must not remove the committed folder
  slot_ = -1;
  if (!old.empty()) fs::remove_all(old, ec);
}

void write_file_atomic(const std::string& path, const std::string& contents) {
  AtomicFile file(path);
  {
    std::ofstream out(file.temp_path(), std::ios::binary);
    if (!out) fail_create(path, std::string("cannot create (") + std::strerror(errno) + ")");
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.close();
    if (!out) fail_io(path, std::string("write failed (") + std::strerror(errno) + ")");
  }
  file.commit();
}

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) fail_missing(path, "no such file");
  if (fs::is_directory(path, ec)) fail_missing(path, "is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_io(path, std::string("cannot open (") + std::strerror(errno) + ")");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) fail_io(path, "read failed");
  return ss.str();
}

void ensure_directory(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec || !fs::is_directory(path)) {
    fail_create(path, "cannot create directory (" + (ec ? ec.message() : "not a directory") + ")");
  }
}

bool path_within(const std::string& inner, const std::string& outer) {
  auto resolved = [](const std::string& p) {
    std::error_code ec;
    fs::path r = fs::weakly_canonical(fs::absolute(p, ec), ec);
    if (r.has_relative_path() && r.filename().empty()) r = r.parent_path();  // a trailing separator
    return r;
  };
  const fs::path rel = resolved(inner).lexically_relative(resolved(outer));
  return !rel.empty() && *rel.begin() != "..";
}

void remove_stale_temporaries(const std::string& dir, const std::string& name) {
  std::error_code ec;
  std::vector<fs::path> stale;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string entry = e.path().filename().string();
    std::string prefix = "." + name + kTempInfix;
    if (name.empty()) {  // any of ours: ".X.tmp-PID-N"
      const size_t at = entry.rfind(kTempInfix);
      if (entry.empty() || entry[0] != '.' || at == std::string::npos || at == 0) continue;
      prefix = entry.substr(0, at + std::strlen(kTempInfix));
    }
    const pid_t owner = temp_owner(entry, prefix);
    // Only a dead owner's: a live one (this process, or the same tool running beside
    // it) is still writing there.
    if (owner > 0 && owner != getpid() && kill(owner, 0) != 0 && errno == ESRCH) stale.push_back(e.path());
  }
  for (const auto& p : stale) {
    fs::remove_all(p, ec);
    if (!ec) log::debug("removed " + p.string() + ", left by an interrupted run");
  }
}

void install_interrupt_cleanup() {
  std::signal(SIGINT, cleanup_and_reraise);
  std::signal(SIGTERM, cleanup_and_reraise);
}

}  // namespace xr
