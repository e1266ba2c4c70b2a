#include "core/atomic_file.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

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
// path) or live (2).
char g_temp_paths[kSlots][kPathMax];
std::atomic<int> g_slot_state[kSlots];
std::atomic<unsigned> g_counter{0};

int claim_slot(const std::string& path) {
  if (path.size() >= kPathMax) return -1;
  for (int i = 0; i < kSlots; ++i) {
    int expected = 0;
    if (g_slot_state[i].compare_exchange_strong(expected, 1)) {
      std::memcpy(g_temp_paths[i], path.c_str(), path.size() + 1);
      g_slot_state[i].store(2);
      return i;
    }
  }
  return -1;  // more live temporaries than slots: still correct, just not cleaned on signal
}

void release_slot(int slot) {
  if (slot >= 0) g_slot_state[slot].store(0);
}

std::string temp_name_beside(const std::string& final_path) {
  fs::path p(final_path);
  if (p.filename().empty()) p = p.parent_path();  // "out/" names the folder "out"
  std::string name = "." + p.filename().string() + ".tmp-" + std::to_string(getpid()) + "-" +
                     std::to_string(g_counter.fetch_add(1));
  return (p.parent_path() / name).string();
}

extern "C" void cleanup_and_reraise(int sig) {
  // unlink() removes a temporary file; a staged folder is left for the next run of
  // the tool (hidden, and never mistaken for output). rmdir-ing a tree is not
  // async-signal-safe.
  for (int i = 0; i < kSlots; ++i) {
    if (g_slot_state[i].load() == 2) unlink(g_temp_paths[i]);
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

}  // namespace

AtomicFile::AtomicFile(std::string final_path)
    : final_(std::move(final_path)), temp_(temp_name_beside(final_)), slot_(claim_slot(temp_)) {}

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
  temp_ = temp_name_beside(final_);
  std::error_code ec;
  if (!fs::create_directory(temp_, ec)) {
    fail_create(final_, "cannot create a folder beside it (" + (ec ? ec.message() : "exists") + ")");
  }
  // The mark that lets the next run replace this folder (check_replaceable_output).
  std::ofstream marker(fs::path(temp_) / kOutputMarker, std::ios::binary);
  marker << "Written by " << log::tool_name() << " (xr toolkit " << XR_VERSION
         << "). The toolkit's tools replace this folder as a whole when it is named as their output.\n";
  if (!marker.flush()) fail_create(final_, "cannot write into a folder beside it");
}

StagedDir::~StagedDir() {
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

void install_interrupt_cleanup() {
  std::signal(SIGINT, cleanup_and_reraise);
  std::signal(SIGTERM, cleanup_and_reraise);
}

}  // namespace xr
