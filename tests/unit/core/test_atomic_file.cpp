// No partial output: AtomicFile and write_file_atomic leave no temporary and keep
// the old content when a write fails; StagedDir swaps a whole folder in at commit
// and leaves the old one (or none) otherwise.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../temp_dir.hpp"
#include "core/atomic_file.hpp"
#include "core/errors.hpp"

namespace fs = std::filesystem;

namespace {

class AtomicTest : public ::testing::Test {
 protected:

  // Every name in the folder, hidden ones included, sorted.
  std::vector<std::string> listing(const fs::path& d) const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(d)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  std::string p(const std::string& rel) const { return (dir_ / rel).string(); }

  const xr_test::TempDir tmp_{"xr-test-atomic"};
  const fs::path dir_{tmp_.path()};
};

using Names = std::vector<std::string>;

}  // namespace

TEST_F(AtomicTest, WriteLeavesOnlyTheFile) {
  xr::write_file_atomic(p("a.txt"), "hello");
  EXPECT_EQ(xr::read_file(p("a.txt")), "hello");
  xr::write_file_atomic(p("a.txt"), "replaced");
  EXPECT_EQ(xr::read_file(p("a.txt")), "replaced");
  xr::write_file_atomic(p("empty"), "");
  EXPECT_EQ(xr::read_file(p("empty")), "");
  EXPECT_EQ(listing(dir_), (Names{"a.txt", "empty"}));
}

TEST_F(AtomicTest, TemporaryIsHiddenBesideTheTargetAndRemovedWithoutCommit) {
  xr::write_file_atomic(p("keep.txt"), "old");
  {
    xr::AtomicFile f(p("keep.txt"));
    EXPECT_EQ(fs::path(f.temp_path()).parent_path(), dir_);
    EXPECT_EQ(fs::path(f.temp_path()).filename().string()[0], '.');
    std::ofstream(f.temp_path()) << "new but abandoned";
    EXPECT_EQ(xr::read_file(p("keep.txt")), "old");
  }  // no commit: a failure between writing and committing
  EXPECT_EQ(xr::read_file(p("keep.txt")), "old");
  EXPECT_EQ(listing(dir_), (Names{"keep.txt"}));
}

// A genuine write failure (the file size limit, which binds root as well): the
// error is an I/O error naming the file, the old content stays, no temporary.
TEST_F(AtomicTest, FailedWriteKeepsOldContent) {
  xr::write_file_atomic(p("data.bin"), "old content");
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit old_limit{};
  getrlimit(RLIMIT_FSIZE, &old_limit);
  rlimit small = old_limit;
  small.rlim_cur = 4096;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  bool threw = false;
  try {
    xr::write_file_atomic(p("data.bin"), std::string(1 << 20, 'x'));
  } catch (const xr::Error& e) {
    threw = true;
    EXPECT_EQ(e.code(), xr::Exit::kIoErr);
    EXPECT_EQ(e.path(), p("data.bin"));
  }
  setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_TRUE(threw);
  EXPECT_EQ(xr::read_file(p("data.bin")), "old content");
  EXPECT_EQ(listing(dir_), (Names{"data.bin"}));
}

TEST_F(AtomicTest, MissingFolderIsCannotCreate) {
  try {
    xr::write_file_atomic(p("no/such/folder/a.txt"), "x");
    FAIL() << "no error";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kCantCreate);
    EXPECT_EQ(e.path(), p("no/such/folder/a.txt"));
  }
  EXPECT_EQ(listing(dir_), Names{});
}

TEST_F(AtomicTest, CommitOntoAFolderFailsAndCleansUp) {
  fs::create_directories(dir_ / "target");
  try {
    xr::write_file_atomic(p("target"), "x");
    FAIL() << "no error";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kIoErr);
  }
  EXPECT_EQ(listing(dir_), (Names{"target"}));
  EXPECT_TRUE(fs::is_directory(dir_ / "target"));
}

TEST_F(AtomicTest, ReadFileErrors) {
  try {
    xr::read_file(p("absent"));
    FAIL() << "no error";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kNoInput);
  }
  try {
    xr::read_file(dir_.string());  // a folder is not a file
    FAIL() << "no error";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kNoInput);
  }
}

TEST_F(AtomicTest, StagedDirCreatesAndReplaces) {
  {
    xr::StagedDir out(p("out"));
    EXPECT_FALSE(fs::exists(dir_ / "out"));
    EXPECT_EQ(fs::path(out.path()).filename().string()[0], '.');
    xr::write_file_atomic((fs::path(out.path()) / "first.txt").string(), "1");
    out.commit();
  }
  // The toolkit's marker comes with every staged folder (test_output_folder.cpp).
  EXPECT_EQ(listing(dir_ / "out"), (Names{".xr-output", "first.txt"}));
  {
    xr::StagedDir out(p("out/"));  // a trailing slash names the same folder
    EXPECT_EQ(out.final_path(), p("out"));
    xr::ensure_directory((fs::path(out.path()) / "sub").string());
    xr::write_file_atomic((fs::path(out.path()) / "sub" / "second.txt").string(), "2");
    out.commit();
  }
  // The old folder is replaced as a whole, not merged.
  EXPECT_EQ(listing(dir_ / "out"), (Names{".xr-output", "sub"}));
  EXPECT_EQ(xr::read_file(p("out/sub/second.txt")), "2");
  EXPECT_EQ(listing(dir_), (Names{"out"}));
}

TEST_F(AtomicTest, StagedDirWithoutCommitLeavesTheOldFolder) {
  xr::ensure_directory(p("out"));
  xr::write_file_atomic(p("out/old.txt"), "old");
  {
    xr::StagedDir out(p("out"));
    xr::write_file_atomic((fs::path(out.path()) / "new.txt").string(), "new");
    // A tool that fails here never commits.
  }
  EXPECT_EQ(listing(dir_), (Names{"out"}));
  EXPECT_EQ(listing(dir_ / "out"), (Names{"old.txt"}));
  {
    xr::StagedDir out(p("fresh"));
  }
  EXPECT_EQ(listing(dir_), (Names{"out"}));
}

// A child process builds a staged folder two levels deep with a temporary file in it,
// then gets SIGTERM (as from kill, or Ctrl-C's SIGINT): the handler must remove it all.
TEST_F(AtomicTest, AnInterruptRemovesTheStagedFolderAndTemporaries) {
  for (int sig : {SIGTERM, SIGINT}) {
    xr::ensure_directory(p("out"));
    xr::write_file_atomic(p("out/old.txt"), "old");
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      xr::install_interrupt_cleanup();
      xr::StagedDir out(p("out"));
      xr::ensure_directory(out.path() + "/A/deeper");
      for (int i = 0; i < 300; ++i) xr::write_file_atomic(out.path() + "/A/img" + std::to_string(i) + ".png", "x");
      xr::write_file_atomic(out.path() + "/A/deeper/x.png", "x");
      xr::AtomicFile pending(out.path() + "/A/half.png");
      std::ofstream(pending.temp_path()) << "half";
      xr::AtomicFile beside(p("note.txt"));
      std::ofstream(beside.temp_path()) << "half";
      std::raise(sig);
      _exit(0);  // not reached
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig) << status;
    EXPECT_EQ(listing(dir_), (Names{"out"})) << "signal " << sig;
    EXPECT_EQ(listing(dir_ / "out"), (Names{"old.txt"}));
  }
}

// What a kill -9 leaves (no handler runs) is removed by the next run writing the same
// name, when the process that made it has ended; a live process's is left alone.
TEST_F(AtomicTest, AStaleStagedFolderOfAnEndedProcessIsRemovedByTheNextRun) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);  // an ended process's id
  const std::string dead = "." + std::string("out.tmp-") + std::to_string(child) + "-0";
  const std::string live = ".out.tmp-" + std::to_string(getppid()) + "-0";  // our parent: alive
  xr::ensure_directory(p(dead + "/A"));
  xr::write_file_atomic(p(dead + "/A/img.png"), "x");
  xr::ensure_directory(p(live));
  xr::ensure_directory(p(".other.tmp-" + std::to_string(child) + "-3"));  // another output's
  xr::ensure_directory(p(".out.tmp-x-1"));                                // not one of ours
  {
    xr::StagedDir out(p("out"));
    out.commit();
  }
  auto sorted = [](Names n) {
    std::sort(n.begin(), n.end());
    return n;
  };
  EXPECT_EQ(listing(dir_), sorted({".other.tmp-" + std::to_string(child) + "-3", ".out.tmp-x-1", live, "out"}));
  std::ofstream(p(".run1.safetensors.tmp-" + std::to_string(child) + "-7")) << "half";
  xr::remove_stale_temporaries(dir_.string());  // any name
  EXPECT_EQ(listing(dir_), sorted({".out.tmp-x-1", live, "out"}));
}

TEST_F(AtomicTest, StagedDirCreatesMissingParents) {
  {
    xr::StagedDir out(p("a/b/out"));
    out.commit();
  }
  EXPECT_TRUE(fs::is_directory(dir_ / "a/b/out"));
}

TEST_F(AtomicTest, StagedDirOverAFileFails) {
  xr::write_file_atomic(p("out"), "a file");
  {
    xr::StagedDir out(p("out"));
    try {
      out.commit();
      FAIL() << "no error";
    } catch (const xr::Error& e) {
      EXPECT_EQ(e.code(), xr::Exit::kCantCreate);
    }
  }
  EXPECT_EQ(xr::read_file(p("out")), "a file");
  EXPECT_EQ(listing(dir_), (Names{"out"}));
}

TEST_F(AtomicTest, StagedDirRefusesTheCurrentFolder) {
  for (const char* bad : {".", "..", "/", "./"}) {
    try {
      xr::StagedDir out(bad);
      ADD_FAILURE() << bad << ": no error";
    } catch (const xr::Error& e) {
      EXPECT_EQ(e.code(), xr::Exit::kCantCreate) << bad;
    }
  }
}

TEST_F(AtomicTest, EnsureDirectory) {
  xr::ensure_directory(p("x/y/z"));
  EXPECT_TRUE(fs::is_directory(dir_ / "x/y/z"));
  xr::ensure_directory(p("x/y/z"));  // idempotent
  xr::write_file_atomic(p("file"), "");
  try {
    xr::ensure_directory(p("file/sub"));
    FAIL() << "no error";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kCantCreate);
  }
}

TEST_F(AtomicTest, PathWithinResolvesDotsLinksAndTrailingSeparators) {
  fs::create_directories(p("in/sub"));
  fs::create_directory_symlink(p("in"), p("link"));
  EXPECT_TRUE(xr::path_within(p("in"), p("in")));
  EXPECT_TRUE(xr::path_within(p("in/sub"), p("in")));
  EXPECT_TRUE(xr::path_within(p("in/sub/not-yet"), p("in/")));
  EXPECT_TRUE(xr::path_within(p("in/sub/../sub"), p("in")));
  EXPECT_TRUE(xr::path_within(p("link/sub"), p("in")));  // through a link
  EXPECT_FALSE(xr::path_within(p("in"), p("in/sub")));
  EXPECT_FALSE(xr::path_within(p("in-other"), p("in")));  // a shared prefix is not a parent
  EXPECT_FALSE(xr::path_within(p("in/../out"), p("in")));
  // Relative against absolute: both are made absolute first.
  const fs::path cwd = fs::current_path();
  fs::current_path(dir_);
  EXPECT_TRUE(xr::path_within("in/sub", p("in")));
  EXPECT_FALSE(xr::path_within(".", p("in")));
  EXPECT_TRUE(xr::path_within(p("in"), "."));
  fs::current_path(cwd);
}
