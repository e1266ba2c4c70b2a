// The output-folder rule (output_folder.hpp), run through tool_main as a tool runs it,
// so the exit codes, the --force flag and the message are the ones users see.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../temp_dir.hpp"
#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "core/output_folder.hpp"
#include "core/tool_main.hpp"

namespace fs = std::filesystem;

namespace {

class OutputFolderTest : public ::testing::Test {
 protected:
  std::string p(const std::string& rel) const { return (dir_ / rel).string(); }
  void write(const std::string& rel, const std::string& text) const {
    fs::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel) << text;
  }

  struct Outcome {
    int code;
    std::string err;
  };
  // A tool that checks OUT against INPUTS, then replaces OUT with a staged folder
  // holding new.txt, as xr-split and the others do.
  Outcome run(const std::string& out, const std::vector<std::string>& inputs, bool force = false,
              bool replaces_output = true, bool may_lie_inside = false) {
    std::vector<std::string> args{"xr-test"};
    if (force) args.push_back("--force");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    const xr::ToolInfo info{"xr-test", "replaces a folder", "",
                            replaces_output ? xr::Takes::kForce : xr::Takes::kNothingMore};
    testing::internal::CaptureStderr();
    const int code = xr::tool_main(
        static_cast<int>(argv.size()), argv.data(), info, [](CLI::App&) {},
        [&](const xr::RunContext& context) {
          xr::check_replaceable_output(out, "OUT_DIR", inputs, context.common().force, may_lie_inside);
          xr::StagedDir staged(out);
          std::ofstream(fs::path(staged.path()) / "new.txt") << "new";
          staged.commit();
          return 0;
        });
    return {code, testing::internal::GetCapturedStderr()};
  }

  const xr_test::TempDir tmp_{"xr-test-outfolder"};
  const fs::path dir_{tmp_.path()};
};

TEST_F(OutputFolderTest, AbsentOrEmptyFolderIsWrittenAndMarked) {
  EXPECT_EQ(run(p("out"), {p("in")}).code, 0);
  EXPECT_TRUE(fs::exists(dir_ / "out/new.txt"));
  EXPECT_TRUE(xr::written_by_toolkit(p("out")));
  fs::create_directories(dir_ / "empty");
  EXPECT_EQ(run(p("empty"), {}).code, 0);
  EXPECT_TRUE(fs::exists(dir_ / "empty/new.txt"));
}

TEST_F(OutputFolderTest, OwnEarlierOutputIsReplaced) {
  ASSERT_EQ(run(p("out"), {}).code, 0);
  write("out/stale.txt", "from the earlier run");
  EXPECT_EQ(run(p("out"), {}).code, 0);
  EXPECT_FALSE(fs::exists(dir_ / "out/stale.txt"));
  EXPECT_TRUE(fs::exists(dir_ / "out/new.txt"));
}

TEST_F(OutputFolderTest, AFolderTheToolkitDidNotWriteIsKeptUnlessForced) {
  write("mine/notes.txt", "keep");
  const Outcome r = run(p("mine"), {});
  EXPECT_EQ(r.code, 73);
  EXPECT_NE(r.err.find(p("mine")), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did not write"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(dir_ / "mine/notes.txt"));
  EXPECT_FALSE(fs::exists(dir_ / "mine/new.txt"));
  EXPECT_EQ(run(p("mine"), {}, /*force=*/true).code, 0);
  EXPECT_FALSE(fs::exists(dir_ / "mine/notes.txt"));
  EXPECT_TRUE(fs::exists(dir_ / "mine/new.txt"));
}

TEST_F(OutputFolderTest, AFileIsNeverReplaced) {
  write("out", "a file");
  EXPECT_EQ(run(p("out"), {}).code, 73);
  EXPECT_EQ(run(p("out"), {}, /*force=*/true).code, 73);
  EXPECT_TRUE(fs::is_regular_file(dir_ / "out"));
}

TEST_F(OutputFolderTest, OutputEqualAboveOrInsideAnInputIsUsage) {
  write("in/a/x.png", "x");
  write("data/in/a/x.png", "x");
  for (const std::string& out : {p("in"), p("in/"), p("data"), p("in/out"), p("in/a/../out")}) {
    const Outcome r = run(out, {p("in"), p("data/in")}, /*force=*/true);
    EXPECT_EQ(r.code, 64) << out << ": " << r.err;
  }
  EXPECT_TRUE(fs::exists(dir_ / "in/a/x.png"));
  EXPECT_TRUE(fs::exists(dir_ / "data/in/a/x.png"));
  // A file input (a model, a CSV) counts too: an output folder may not hold it.
  write("runs/model.safetensors", "m");
  EXPECT_EQ(run(p("runs"), {p("runs/model.safetensors")}, true).code, 64);
  // A sibling whose name merely starts like the input's is outside it.
  EXPECT_EQ(run(p("in2"), {p("in")}).code, 0);
}

TEST_F(OutputFolderTest, InsideAnInputWhenTheToolSaysSo) {
  write("exp/eval/metrics.json", "{}");
  EXPECT_EQ(run(p("exp/report"), {p("exp")}, false, true, /*may_lie_inside=*/true).code, 0);
  EXPECT_TRUE(fs::exists(dir_ / "exp/report/new.txt"));
  // Replacing the input itself stays refused.
  EXPECT_EQ(run(p("exp"), {p("exp")}, true, true, /*may_lie_inside=*/true).code, 64);
  EXPECT_TRUE(fs::exists(dir_ / "exp/eval/metrics.json"));
}

TEST_F(OutputFolderTest, ForceIsOnlyOfferedByToolsThatReplaceAFolder) {
  EXPECT_EQ(run(p("out"), {}, /*force=*/true, /*replaces_output=*/false).code, 64);
}

}  // namespace

// A folder filled file by file: made and checked before the work, and not left behind
// empty when the tool fails before writing into it.
TEST_F(OutputFolderTest, AFilledOutputDirIsMadeCheckedAndRemovedWhenLeftEmpty) {
  {
    const xr::FilledOutputDir out(p("a/b/out/"));
    EXPECT_TRUE(fs::is_directory(dir_ / "a/b/out"));
    std::ofstream(dir_ / "a/b/out/.xr-lock");  // hidden files do not count
  }  // failed before writing anything: every folder it made is gone
  EXPECT_FALSE(fs::exists(dir_ / "a"));
  {
    const xr::FilledOutputDir out(p("a/out"));
    std::ofstream(dir_ / "a/out/metrics.json") << "{}";
  }
  EXPECT_TRUE(fs::exists(dir_ / "a/out/metrics.json"));
  {
    const xr::FilledOutputDir out(p("a/out"));  // existing: never removed
    fs::remove(dir_ / "a/out/metrics.json");
  }
  EXPECT_TRUE(fs::is_directory(dir_ / "a/out"));
  write("a/sibling.txt", "x");
  {
    const xr::FilledOutputDir out(p("a/new/deeper"));
  }
  EXPECT_FALSE(fs::exists(dir_ / "a/new"));
  EXPECT_TRUE(fs::exists(dir_ / "a/sibling.txt"));
  write("file", "x");
  try {
    const xr::FilledOutputDir out(p("file"));
    ADD_FAILURE() << "a file accepted as the output folder";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kCantCreate);
    EXPECT_NE(std::string(e.what()).find("exists and is not a folder"), std::string::npos) << e.what();
  }
  if (geteuid() != 0) {  // root writes anywhere
    fs::create_directories(dir_ / "ro");
    fs::permissions(dir_ / "ro", fs::perms::owner_read | fs::perms::owner_exec);
    EXPECT_THROW(xr::FilledOutputDir(p("ro")), xr::Error);
    fs::permissions(dir_ / "ro", fs::perms::owner_all);
  }
}
