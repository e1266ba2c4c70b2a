#include "core/tool_main.hpp"

#include <ATen/Parallel.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <new>
#include <thread>
#include <utility>

#include "core/atomic_file.hpp"
#include "core/cpu_runtime.hpp"
#include "core/log.hpp"
#include "core/option_checks.hpp"

namespace xr {
namespace {

const char* const kCommonGroup = "Common options";

const char* kExitCodeHelp =
    "Exit status: 0 ok, 1 a requested check failed, 64 usage error, 65 bad input data,\n"
    "66 input missing, 69 device unavailable, 70 internal error, 73 cannot create\n"
    "output, 74 I/O error. See xr-toolkit(1).";

void print_error(const std::string& path, const std::string& what) {
  // Keep the message on one line whatever the underlying library said.
  std::string msg = path.empty() ? what : path + ": " + what;
  for (char& ch : msg) {
    if (ch == '\n' || ch == '\r') ch = ' ';
  }
  log::error(msg);
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

nlohmann::json typed_value(const CLI::Option* opt, const std::string& text) {
  // CLI11 appends validator names ("INT:POSITIVE"), so match the prefix.
  const std::string type = opt->get_type_name();
  auto is = [&](const char* prefix) { return type.rfind(prefix, 0) == 0; };
  try {
    if (is("INT")) return std::stoll(text);
    if (is("UINT")) return std::stoull(text);
    if (is("FLOAT")) return std::stod(text);
  } catch (const std::exception&) {
  }
  return text;
}

}  // namespace

namespace {

bool flag_value(const CLI::Option* opt) {
  if (opt->count() == 0) {
    const std::string def = opt->get_default_str();
    return def == "true" || def == "1";
  }
  try {
    return opt->as<bool>();  // "--flag=false" is a given flag that is false
  } catch (const CLI::Error&) {
    return true;
  }
}

// CLI11 shows the default of a multi-value option as one string, "[0.6,1.4]" or "[]".
std::vector<std::string> split_default_list(const std::string& text) {
  std::vector<std::string> items;
  const std::string inner = text.substr(1, text.size() - 2);
  size_t start = 0;
  while (!inner.empty() && start <= inner.size()) {
    const size_t comma = inner.find(',', start);
    items.push_back(inner.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return items;
}

// The options of `app` and of its option groups (CLI11 keeps those in unnamed
// sub-apps, which get_options() does not list): the common options live in one.
void collect_options(const CLI::App& app, nlohmann::json& out) {
  for (const CLI::Option* opt : app.get_options()) {
    std::string name = opt->get_single_name();
    if (name.empty() || name == "help" || name == "help-all" || name == "version" || name == "print-config") {
      continue;
    }
    if (opt->get_expected_max() == 0) {  // a flag: takes no value
      out[name] = flag_value(opt);
      continue;
    }
    std::vector<std::string> values = opt->results();
    if (values.empty()) {
      const std::string def = opt->get_default_str();
      if (opt->get_items_expected_max() > 1 && def.size() >= 2 && def.front() == '[' && def.back() == ']') {
        values = split_default_list(def);
      } else if (!def.empty()) {
        values.push_back(def);
      }
    }
    if (opt->get_items_expected_max() > 1) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& v : values) arr.push_back(typed_value(opt, v));
      out[name] = arr;
    } else if (values.empty()) {
      out[name] = nullptr;
    } else {
      out[name] = typed_value(opt, values.back());
    }
  }
  for (const CLI::App* group : app.get_subcommands([](const CLI::App* sub) { return sub->get_name().empty(); })) {
    collect_options(*group, out);
  }
}

}  // namespace

nlohmann::json effective_options(const CLI::App& app) {
  nlohmann::json out = nlohmann::json::object();
  collect_options(app, out);
  return out;
}

nlohmann::json result_document(const ToolInfo& info, int schema_version, nlohmann::json options,
                               nlohmann::json results) {
  // xr-phantom's schema is xr-phantom/n, gan-train's xr-gan-train/n.
  const std::string prefix = info.name.rfind("xr-", 0) == 0 ? "" : "xr-";
  return {{"schema", prefix + info.name + "/" + std::to_string(schema_version)},
          {"tool", info.name},
          {"version", XR_VERSION},
          {"options", std::move(options)},
          {"results", std::move(results)}};
}

nlohmann::json RunContext::effective_options() const { return xr::effective_options(app_); }

bool RunContext::given(const std::string& long_name) const {
  const std::vector<std::string> names = given_options();
  return std::find(names.begin(), names.end(), long_name) != names.end();
}

std::vector<std::string> RunContext::given_options() const {
  std::vector<std::string> names;
  auto add_given = [&](const CLI::App& app) {
    for (const CLI::Option* opt : app.get_options()) {
      if (opt->count() > 0 && !opt->get_lnames().empty()) names.push_back("--" + opt->get_lnames().front());
    }
  };
  add_given(app_);
  add_given(*app_.get_option_group(kCommonGroup));
  return names;
}

nlohmann::json RunContext::result_document(int schema_version, nlohmann::json options,
                                           nlohmann::json results) const {
  return xr::result_document(info_, schema_version, std::move(options), std::move(results));
}

int tool_main(int argc, char** argv, const ToolInfo& info, const SetupFn& setup,
              const RunFn& run) {
  log::set_tool_name(info.name);
  CommonOptions common_options;  // the values CLI11 parses into
  log::set_level(log::Level::kNormal);
  install_interrupt_cleanup();

  CLI::App app(info.name + " - " + info.summary, info.name);
  app.option_defaults()->always_capture_default();
  app.set_version_flag("--version", std::string(info.name) + " " + XR_VERSION);
  app.footer((info.usage_notes.empty() ? "" : info.usage_notes + "\n\n") + kExitCodeHelp);
  bool print_config = false;

  auto* common = app.add_option_group(kCommonGroup);
  common->add_flag("-q,--quiet", common_options.quiet, "Print errors only");
  common->add_flag("-v,--verbose", common_options.verbose, "Print details, and full messages of internal errors");
  common->add_option("--threads", common_options.threads, "CPU threads to use (0: all cores)")
      ->check(in_range(0, 1024));
  if (takes(info.common, Takes::kSeed)) {
    common->add_option("--seed", common_options.seed, "Random seed; the same seed gives the same output");
  }
  if (takes(info.common, Takes::kDevice)) {
    common->add_option("--device", common_options.device, "Where to compute: auto (CUDA if present), cpu, cuda")
        ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  }
  if (takes(info.common, Takes::kForce)) {
    common->add_flag("--force", common_options.force,
                     "Replace the output folder even if it holds files this toolkit did not write");
  }
  common->add_flag("--print-config", print_config,
                   "Print the effective options as JSON on stdout and exit (required arguments may be left out)");

  try {
    setup(app);
    require_checked_numbers(app);
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion&) {
    std::cout << info.name << " " << XR_VERSION << "\n";
    return 0;
  } catch (const CLI::RequiredError& e) {
    // --print-config needs no required argument: the options are all parsed (and
    // their values stored) before CLI11 checks for the missing ones, which show as null.
    if (print_config && app.remaining().empty()) {  // unknown arguments stay an error
      std::cout << effective_options(app).dump(2) << "\n";
      return 0;
    }
    print_error("", std::string(e.what()) + " (see " + info.name + " --help)");
    return static_cast<int>(Exit::kUsage);
  } catch (const CLI::ParseError& e) {
    print_error("", plain_parse_message(e.what()) + " (see " + info.name + " --help)");
    return static_cast<int>(Exit::kUsage);
  } catch (const Error& e) {  // a setup that checks something itself
    print_error(e.path(), e.what());
    return static_cast<int>(e.code());
  }

  if (common_options.quiet) log::set_level(log::Level::kQuiet);
  if (common_options.verbose) log::set_level(log::Level::kVerbose);
  if (print_config) {
    std::cout << effective_options(app).dump(2) << "\n";
    return 0;
  }
  const CpuRuntime cpu = tune_cpu_runtime();
  set_worker_threads(common_options.threads);
  log::debug("threads: " + std::to_string(worker_threads()) + " LibTorch, " +
             (cpu.blas_threads < 0 ? std::string("no OpenBLAS") : std::to_string(cpu.blas_threads) + " OpenBLAS") +
             "; malloc " + (cpu.allocator_tuned ? "keeps freed memory" : "as the environment sets it"));

  try {
    return run(RunContext(info, common_options, app));
  } catch (const Error& e) {
    print_error(e.path(), e.what());
    return static_cast<int>(e.code());
  } catch (const std::bad_alloc&) {
    print_error("", "out of memory");
    return static_cast<int>(Exit::kSoftware);
  } catch (const c10::Error& e) {
    print_error("", "internal error in LibTorch: " +
                        (common_options.verbose ? std::string(e.what()) : first_line(e.what_without_backtrace())));
    return static_cast<int>(Exit::kSoftware);
  } catch (const std::exception& e) {
    print_error("", std::string("internal error: ") + e.what());
    return static_cast<int>(Exit::kSoftware);
  }
}

}  // namespace xr
