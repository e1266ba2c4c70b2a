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

struct ToolInfo {
  std::string name;
  std::string summary;      // one line, shown by --help
  std::string usage_notes;  // optional footer for --help (exit codes are added)
  bool takes_seed = true;
  bool takes_device = false;
  // The tool replaces an output folder as a whole: it takes --force, the only way past
  // check_replaceable_output's refusal of a folder the toolkit did not write.
  bool replaces_output = false;
};

using SetupFn = std::function<void(CLI::App&)>;
using RunFn = std::function<int(const CommonOptions&)>;

int tool_main(int argc, char** argv, const ToolInfo& info, const SetupFn& setup,
              const RunFn& run);

// The whole main() of a tool whose options are one struct: add_options(app, options)
// declares them, run(options, common) does the work.
template <typename Options, typename AddOptions, typename Run>
int run_tool(int argc, char** argv, const ToolInfo& info, AddOptions add_options, Run run) {
  Options options;
  return tool_main(
      argc, argv, info, [&](CLI::App& app) { add_options(app, options); },
      [&](const CommonOptions& common) { return run(options, common); });
}

// Every option of `app` with its effective value (given or default), typed as
// CLI11 declared it. Tools write it into their options.json; --print-config prints it.
nlohmann::json effective_options(const CLI::App& app);

// The JSON document a tool prints on stdout (and some write to a file), one shape
// for all: {"schema": "xr-<tool>/<version>" (xr-phantom/1, not xr-xr-phantom/1),
// "tool", "version" (the toolkit's), "options", "results"}. `schema_version` grows
// when a field changes meaning.
nlohmann::json result_document(const ToolInfo& info, int schema_version, nlohmann::json options,
                               nlohmann::json results);

}  // namespace xr
