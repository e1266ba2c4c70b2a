// The shared entry point, called in-process with argv arrays: exit-code mapping of
// every error kind, --version/--help, usage errors (64) with empty stdout, and the
// JSON types of --print-config.
#include <gtest/gtest.h>

#include <iostream>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/cpu_runtime.hpp"
#include "core/tool_main.hpp"

namespace {

struct Result {
  int code;
  std::string out;
  std::string err;
};

struct Opts {
  int count = 3;
  double rate = 0.5;
  std::string name = "x";
  bool flag = false;
  std::vector<std::string> inputs;
  uint64_t big = 7;
  std::vector<double> range{0.6, 1.4};
  std::vector<std::string> none;
};

// Runs tool_main on `args` with a tool whose run() does `body`, capturing stdout
// (std::cout) and stderr (the log module writes through std::cerr or fd 2).
Result run_tool(std::vector<std::string> args, const std::function<int(const xr::CommonOptions&)>& body,
                bool takes_device = false, Opts* seen = nullptr) {
  args.insert(args.begin(), "xr-test");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  Opts o;
  const xr::ToolInfo info{"xr-test", "a tool for testing the entry point", "",
                          takes_device ? xr::Takes::kSeed | xr::Takes::kDevice : xr::Takes::kSeed};
  std::ostringstream out;
  std::streambuf* old_out = std::cout.rdbuf(out.rdbuf());
  testing::internal::CaptureStderr();
  const int code = xr::tool_main(
      static_cast<int>(argv.size()), argv.data(), info,
      [&](CLI::App& app) {
        app.add_option("-c,--count", o.count, "count")->check(CLI::PositiveNumber);
        app.add_option("--rate", o.rate, "rate");
        app.add_option("--name", o.name, "name");
        app.add_flag("--flag", o.flag, "flag");
        app.add_option("--input", o.inputs, "inputs");
        app.add_option("--big", o.big, "big");
        app.add_option("--range", o.range, "a two-value option with a default")->expected(2);
        app.add_option("--none", o.none, "a list option, empty by default");
      },
      [&](const xr::RunContext& context) { return body(context.common()); });
  const std::string err = testing::internal::GetCapturedStderr();
  std::cout.rdbuf(old_out);
  if (seen) *seen = o;
  return {code, out.str(), err};
}

int ok(const xr::CommonOptions&) {
  std::cout << "data\n";
  return 0;
}

}  // namespace

TEST(ToolMain, RunsAndReturnsTheCode) {
  Result r = run_tool({}, ok);
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "data\n");
  r = run_tool({}, [](const xr::CommonOptions&) { return 1; });
  EXPECT_EQ(r.code, 1);
}

TEST(ToolMain, VersionAndHelp) {
  Result r = run_tool({"--version"}, ok);
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, std::string("xr-test ") + XR_VERSION + "\n");
  r = run_tool({"--help"}, ok);
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("Usage:"), std::string::npos);
  EXPECT_NE(r.out.find("--seed"), std::string::npos);
  EXPECT_NE(r.out.find("--print-config"), std::string::npos);
  EXPECT_EQ(r.out.find("--device"), std::string::npos);  // not a device tool
  EXPECT_NE(r.out.find("Exit status"), std::string::npos);
  EXPECT_EQ(run_tool({"--help"}, ok, true).out.find("--device") == std::string::npos, false);
}

TEST(ToolMain, UsageErrorsAre64WithEmptyStdout) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--no-such-flag"}, {"--count", "abc"}, {"--count", "-2"}, {"--threads", "5000"},
        {"extra-positional"}, {"--count"}}) {
    const Result r = run_tool(args, ok);
    EXPECT_EQ(r.code, 64) << args[0];
    EXPECT_EQ(r.out, "") << args[0];
    EXPECT_EQ(r.err.rfind("xr-test: error: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  // --device exists only where the tool takes it, and checks its value.
  EXPECT_EQ(run_tool({"--device", "cpu"}, ok).code, 64);
  EXPECT_EQ(run_tool({"--device", "tpu"}, ok, true).code, 64);
  EXPECT_EQ(run_tool({"--device", "cpu"}, ok, true).code, 0);
}

TEST(ToolMain, ErrorsMapToTheirExitCodes) {
  const std::vector<std::pair<xr::Exit, int>> cases = {
      {xr::Exit::kDataErr, 65}, {xr::Exit::kNoInput, 66},    {xr::Exit::kUnavailable, 69},
      {xr::Exit::kSoftware, 70}, {xr::Exit::kCantCreate, 73}, {xr::Exit::kIoErr, 74},
      {xr::Exit::kUsage, 64},   {xr::Exit::kCheckFailed, 1}};
  for (const auto& [exit, code] : cases) {
    const Result r = run_tool({}, [exit = exit](const xr::CommonOptions&) -> int {
      std::cout << "partial";  // buffered data a failing tool printed is the tool's bug...
      throw xr::Error(exit, "some/file.png", "what is wrong (42)\nsecond line");
    });
    EXPECT_EQ(r.code, code);
    // One line: tool, "error", path, message; newlines in the message flattened.
    EXPECT_EQ(r.err, "xr-test: error: some/file.png: what is wrong (42) second line\n");
  }
  Result r = run_tool({}, [](const xr::CommonOptions&) -> int { throw xr::Error(xr::Exit::kDataErr, "", "no path"); });
  EXPECT_EQ(r.err, "xr-test: error: no path\n");
}

TEST(ToolMain, OtherExceptionsAreInternalErrors) {
  Result r = run_tool({}, [](const xr::CommonOptions&) -> int { throw std::runtime_error("boom"); });
  EXPECT_EQ(r.code, 70);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "xr-test: error: internal error: boom\n");
  r = run_tool({}, [](const xr::CommonOptions&) -> int { throw std::bad_alloc(); });
  EXPECT_EQ(r.code, 70);
  EXPECT_EQ(r.err, "xr-test: error: out of memory\n");
}

TEST(ToolMain, CommonOptionsReachRun) {
  xr::CommonOptions seen;
  Result r = run_tool({"--seed", "12345678901234", "--threads", "3", "-q"}, [&](const xr::CommonOptions& c) {
    seen = c;
    return 0;
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(seen.seed, 12345678901234u);
  EXPECT_EQ(seen.threads, 3);
  EXPECT_TRUE(seen.quiet);
  EXPECT_EQ(xr::worker_threads(), 3);
}

TEST(ToolMain, PrintConfigTypes) {
  bool ran = false;
  const Result r = run_tool({"--print-config", "--count", "5", "--flag", "--input", "a b", "--input", "c",
                             "--seed", "18446744073709551615"},
                            [&](const xr::CommonOptions&) {
                              ran = true;
                              return 0;
                            });
  EXPECT_EQ(r.code, 0);
  EXPECT_FALSE(ran);  // --print-config stops before run()
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_object());
  EXPECT_TRUE(j["count"].is_number_integer());
  EXPECT_EQ(j["count"], 5);
  EXPECT_TRUE(j["rate"].is_number_float());
  EXPECT_DOUBLE_EQ(j["rate"].get<double>(), 0.5);
  EXPECT_TRUE(j["name"].is_string());
  EXPECT_EQ(j["name"], "x");
  EXPECT_TRUE(j["flag"].is_boolean());
  EXPECT_EQ(j["flag"], true);
  EXPECT_TRUE(j["quiet"].is_boolean());
  EXPECT_EQ(j["quiet"], false);
  ASSERT_TRUE(j["input"].is_array());
  EXPECT_EQ(j["input"], nlohmann::json::array({"a b", "c"}));
  EXPECT_TRUE(j["big"].is_number_unsigned());
  EXPECT_EQ(j["seed"].get<uint64_t>(), 18446744073709551615ULL);
  EXPECT_EQ(j["threads"], 0);
  // Defaults of list options are lists of typed values, not CLI11's "[a,b]" string.
  EXPECT_EQ(j["range"], nlohmann::json::array({0.6, 1.4}));
  EXPECT_EQ(j["none"], nlohmann::json::array());
  EXPECT_FALSE(j.contains("help"));
  EXPECT_FALSE(j.contains("print-config"));
  EXPECT_FALSE(j.contains("version"));
}

// --print-config works without the required arguments (they show as null); without
// it, a missing required argument is a usage error.
TEST(ToolMain, PrintConfigWithoutRequiredArguments) {
  auto call = [](std::vector<std::string> args) {
    args.insert(args.begin(), "xr-req");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    std::string in_dir;
    int n = 4;
    std::ostringstream out;
    std::streambuf* old_out = std::cout.rdbuf(out.rdbuf());
    testing::internal::CaptureStderr();
    const int code = xr::tool_main(
        static_cast<int>(argv.size()), argv.data(), xr::ToolInfo{"xr-req", "required args", ""},
        [&](CLI::App& app) {
          app.add_option("IN_DIR", in_dir, "input")->required();
          app.add_option("-n", n, "n");
        },
        [](const xr::RunContext&) { return 0; });
    testing::internal::GetCapturedStderr();
    std::cout.rdbuf(old_out);
    return std::make_pair(code, out.str());
  };
  auto [code, out] = call({"--print-config", "-n", "9"});
  EXPECT_EQ(code, 0);
  const nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_TRUE(j["IN_DIR"].is_null());
  EXPECT_EQ(j["n"], 9);
  auto [code2, out2] = call({"-n", "9"});
  EXPECT_EQ(code2, 64);
  EXPECT_EQ(out2, "");
  auto [code3, out3] = call({"--print-config", "--bogus"});
  EXPECT_EQ(code3, 64);
  EXPECT_EQ(out3, "");
}

TEST(ToolMain, EveryResultDocumentHasOneShape) {
  const xr::ToolInfo info{"gan-sample", "summary", "", xr::Takes::kSeed | xr::Takes::kDevice | xr::Takes::kForce};
  const nlohmann::json doc = xr::result_document(info, 3, {{"seed", 1}}, {{"images", 8}});
  EXPECT_EQ(doc["schema"], "xr-gan-sample/3");
  EXPECT_EQ(doc["tool"], "gan-sample");
  EXPECT_EQ(doc["version"], XR_VERSION);
  EXPECT_EQ(doc["options"]["seed"], 1);
  EXPECT_EQ(doc["results"]["images"], 8);
  EXPECT_EQ(doc.size(), 5u);  // nothing else beside the five keys
  const xr::ToolInfo xr_tool{"xr-phantom", "summary", "", xr::Takes::kSeed | xr::Takes::kForce};
  EXPECT_EQ(xr::result_document(xr_tool, 1, {}, {})["schema"], "xr-phantom/1");
}

TEST(ToolMain, TheRunContextKnowsWhatTheCommandLineGave) {
  std::vector<std::string> given;
  bool count_given = true, rate_given = true;
  nlohmann::json effective;
  std::vector<std::string> args = {"xr-test", "--name", "x", "--seed", "4", "-q"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  int count = 1;
  std::string name;
  double rate = 0.5;
  testing::internal::CaptureStderr();
  const int code = xr::tool_main(
      static_cast<int>(argv.size()), argv.data(), xr::ToolInfo{"xr-test", "context", ""},
      [&](CLI::App& app) {
        app.add_option("-c,--count", count, "count");
        app.add_option("--name", name, "name");
        app.add_option("--rate", rate, "rate");
      },
      [&](const xr::RunContext& context) {
        given = context.given_options();
        count_given = context.given("--count");
        rate_given = context.given("--rate");
        effective = context.effective_options();
        return 0;
      });
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 0);
  // The tool's own options in --help order, then the common ones, each by its long name.
  EXPECT_EQ(given, (std::vector<std::string>{"--name", "--quiet", "--seed"}));
  EXPECT_FALSE(count_given);
  EXPECT_FALSE(rate_given);
  EXPECT_EQ(effective["name"], "x");
  EXPECT_EQ(effective["count"], 1);
}
