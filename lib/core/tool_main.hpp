// The single entry point of every tool: common options, parsing, the mapping of
// errors to sysexits codes and one-line messages. A tool's main() is one line
// (run_tool below):
//
//   int main(int argc, char** argv) { return xr::run_tool<Options>(argc, argv, kInfo, add_options, run); }
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/errors.hpp"

namespace xr {

struct CommonOptions {
  bool quiet = false;
  bool verbose = false;
  uint64_t seed = 0;
  int threads = 0;              // 0: every core
  std::string device = "auto";  // auto|cpu|cuda, for tools that take --device
  bool force = false;           // --force, for tools that replace an output folder
};

// The common options a tool takes besides --quiet, --verbose, --threads and
// --print-config, combined with |: Takes::kSeed | Takes::kDevice.
enum class Takes : unsigned {
  kNothingMore = 0,
  kSeed = 1u << 0,
  kDevice = 1u << 1,
  // --force, for a tool that replaces an output folder as a whole: the only way past
  // check_replaceable_output's refusal of a folder the toolkit did not write.
  kForce = 1u << 2,
};
constexpr Takes operator|(Takes a, Takes b) {
  return static_cast<Takes>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}
constexpr bool takes(Takes set, Takes one) { return (static_cast<unsigned>(set) & static_cast<unsigned>(one)) != 0; }

struct ToolInfo {
  std::string name;
  std::string summary;      // one line, shown by --help
  std::string usage_notes;  // optional footer for --help (exit codes are added)
  Takes common = Takes::kSeed;
};

// Every option of `app` with its effective value (given or default), typed as
// CLI11 declared it. Tools write it into their options.json; --print-config prints it.
nlohmann::json effective_options(const CLI::App& app);

// The JSON document a tool prints on stdout (and some write to a file), one shape
// for all: {"schema": "xr-<tool>/<version>" (xr-phantom/1, not xr-xr-phantom/1),
// "tool", "version" (the toolkit's), "options", "results"}. `schema_version` grows
// when a field changes meaning.
nlohmann::json result_document(const ToolInfo& info, int schema_version, nlohmann::json options,
                               nlohmann::json results);

// What a tool's run() gets besides its own options: the common options, the command
// line as parsed, and the one way to make its result document.
class RunContext {
 public:
  RunContext(const ToolInfo& info, const CommonOptions& common, const CLI::App& app)
      : info_(info), common_(common), app_(app) {}

  const CommonOptions& common() const { return common_; }
  // Every option with its effective value (effective_options above).
  nlohmann::json effective_options() const;
  // Whether the command line gave the option, by its long name ("--kimg"; the common
  // options too).
  bool given(const std::string& long_name) const;
  // The long names the command line gave: the tool's own in --help order, then the
  // common ones.
  std::vector<std::string> given_options() const;
  // result_document above, for this tool.
  nlohmann::json result_document(int schema_version, nlohmann::json options, nlohmann::json results) const;

 private:
  const ToolInfo& info_;
  const CommonOptions& common_;
  const CLI::App& app_;
};

using SetupFn = std::function<void(CLI::App&)>;
using RunFn = std::function<int(const RunContext&)>;

int tool_main(int argc, char** argv, const ToolInfo& info, const SetupFn& setup,
              const RunFn& run);

// The whole main() of a tool whose options are one struct: add_options(app, options)
// declares them, run(options, context) does the work.
template <typename Options, typename AddOptions, typename Run>
int run_tool(int argc, char** argv, const ToolInfo& info, AddOptions add_options, Run run) {
  Options options;
  return tool_main(
      argc, argv, info, [&](CLI::App& app) { add_options(app, options); },
      [&](const RunContext& context) { return run(options, context); });
}

}  // namespace xr
