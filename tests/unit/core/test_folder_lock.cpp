// The run-folder lock: a second writer is refused with 73 naming the holder's tool and
// pid, and the lock is free again once its holder is gone. flock(2) locks belong to an
// open file, so two locks in one process conflict as two processes' would.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/errors.hpp"
#include "../temp_dir.hpp"
#include "core/folder_lock.hpp"

namespace fs = std::filesystem;

namespace {

TEST(FolderLock, ASecondWriterIs73NamingTheHoldersToolAndPid) {
  xr_test::TempDir dir("xr-lock-test");
  xr::FolderLock first(dir.path(), "inc3-train");
  try {
    xr::FolderLock second(dir.path(), "cls-eval");
    FAIL() << "a second lock was granted";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kCantCreate);
    EXPECT_EQ(e.path(), dir.path());
    EXPECT_EQ(std::string(e.what()), "another inc3-train (pid " + std::to_string(::getpid()) +
                                         ") is writing to this folder; wait for it to end, or stop it");
  }
}

TEST(FolderLock, IsFreeAgainOnceItsHolderIsGoneWhateverTheFileHolds) {
  xr_test::TempDir dir("xr-lock-test");
  { xr::FolderLock first(dir.path(), "gan-train"); }
  std::ofstream(fs::path(dir.path()) / xr::FolderLock::kFileName) << "999999 gan-train\n";  // a dead run's
  EXPECT_NO_THROW(xr::FolderLock again(dir.path(), "gan-train"));
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
