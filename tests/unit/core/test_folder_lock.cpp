// The run-folder lock: a second writer is refused with 73 naming the holder's tool and
// pid, and the lock is free again once its holder is gone. flock(2) locks belong to an
// open file, so two locks in one process conflict as two processes' would.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/errors.hpp"
#include "core/folder_lock.hpp"

namespace fs = std::filesystem;

namespace {

struct TempFolder {
  fs::path path = fs::temp_directory_path() / ("xr-lock-test-" + std::to_string(::getpid()));
  TempFolder() { fs::create_directories(path); }
  ~TempFolder() { fs::remove_all(path); }
};

TEST(FolderLock, ASecondWriterIs73NamingTheHoldersToolAndPid) {
  TempFolder dir;
  xr::FolderLock first(dir.path.string(), "inc3-train");
  try {
    xr::FolderLock second(dir.path.string(), "cls-eval");
    FAIL() << "a second lock was granted";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kCantCreate);
    EXPECT_EQ(e.path(), dir.path.string());
    EXPECT_EQ(std::string(e.what()), "another inc3-train (pid " + std::to_string(::getpid()) +
                                         ") is writing to this folder; wait for it to end, or stop it");
  }
}

TEST(FolderLock, IsFreeAgainOnceItsHolderIsGoneWhateverTheFileHolds) {
  TempFolder dir;
  { xr::FolderLock first(dir.path.string(), "gan-train"); }
  std::ofstream(dir.path / xr::FolderLock::kFileName) << "999999 gan-train\n";  // a dead run's
  EXPECT_NO_THROW(xr::FolderLock again(dir.path.string(), "gan-train"));
}

TEST(FolderLock, AFolderThatCannotHoldTheFileIs73) {
  try {
    xr::FolderLock lock(fs::path("/nonexistent-folder-xr/run").string(), "gan-train");
    FAIL() << "a lock in a missing folder was granted";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kCantCreate);
    EXPECT_NE(std::string(e.what()).find("cannot create its lock file"), std::string::npos) << e.what();
  }
}

}  // namespace
