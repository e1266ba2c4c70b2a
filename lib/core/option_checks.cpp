#include "core/option_checks.hpp"

#include <cmath>
#include <cstdint>
#include <functional>
#include <regex>
#include <string>

#include "core/csv.hpp"

namespace xr {

namespace {

// Reads `input` as a number the way CLI11 does, or says why not.
bool read_number(const std::string& input, double& v) { return CLI::detail::lexical_cast(input, v); }

// `rule` says, for a finite `v`, what is wrong with it ("" when nothing is).
CLI::Validator number_check(const std::string& description, std::function<std::string(double)> rule) {
  return CLI::Validator(
      [rule](std::string& input) -> std::string {
        double v = 0;
        if (!read_number(input, v)) return "not a number (" + input + ")";
        if (!std::isfinite(v)) return "must be a finite number (got " + input + ")";
        const std::string broken = rule(v);
        return broken.empty() ? "" : "must be " + broken + " (got " + input + ")";
      },
      description);
}

// A bound as a user would write it: 1000000, not 1e+06.
std::string bound(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  return format_number(v);
}

std::string at_most(double v, double max) { return v > max ? "at most " + bound(max) : ""; }

// A whole number of the option's type: `--seed -1` would otherwise wrap to
// 2^64-1 and `--batch 99999999999` fail as "Could not convert".
template <typename Int>
CLI::Validator whole_number() {
  const double lo = static_cast<double>(std::numeric_limits<Int>::min());
  const double hi = static_cast<double>(std::numeric_limits<Int>::max());
  return number_check("", [lo, hi](double v) -> std::string {
    if (v != std::floor(v)) return "a whole number";
    if (v < lo) return "at least " + std::to_string(std::numeric_limits<Int>::min());
    return v > hi ? "at most " + std::to_string(std::numeric_limits<Int>::max()) : "";
  });
}

}  // namespace

void require_checked_numbers(CLI::App& app) {
  const CLI::Validator finite = number_check("", [](double) { return std::string(); });
  const CLI::Validator whole_int = whole_number<int>();  // every INT option of the toolkit is an int
  const CLI::Validator whole_uint = whole_number<std::uint64_t>();
  for (CLI::Option* opt : app.get_options()) {
    // get_type_name() appends the descriptions of the checks already there ("INT:POSITIVE").
    const std::string full = opt->get_type_name();
    const std::string type = full.substr(0, full.find(':'));
    if (type == "FLOAT") opt->check(finite);
    if (type == "INT") opt->check(whole_int);
    if (type == "UINT") opt->check(whole_uint);
  }
  for (CLI::App* group : app.get_subcommands([](const CLI::App* sub) { return sub->get_name().empty(); })) {
    require_checked_numbers(*group);
  }
}

CLI::Validator positive(double max) {
  return number_check("POSITIVE", [max](double v) { return v > 0 ? at_most(v, max) : std::string("> 0"); });
}

CLI::Validator non_negative(double max) {
  return number_check("NONNEGATIVE", [max](double v) { return v >= 0 ? at_most(v, max) : std::string(">= 0"); });
}

CLI::Validator in_range(double lo, double hi) {
  const std::string description = "in [" + bound(lo) + ", " + bound(hi) + "]";
  return number_check(description, [lo, hi](double v) {
    return v < lo ? "at least " + bound(lo) : at_most(v, hi);
  });
}

}  // namespace xr

namespace xr {

std::string plain_parse_message(const std::string& message) {
  static const std::regex at_most(R"(^(\S+): At Most (\d+) required but received (\d+)$)");
  static const std::regex at_least(R"(^(\S+): At least (\d+) required but received (\d+)$)");
  static const std::regex not_converted(R"(^Could not convert: (\S+) = (.*)$)");
  static const std::regex excludes(R"(^(\S+) excludes (\S+)$)");
  std::smatch m;
  if (std::regex_match(message, m, at_most)) {
    const std::string once = m[2] == "1" ? " (give the option once)" : "";
    return m[1].str() + ": given " + m[3].str() + " values, takes " + m[2].str() + once;
  }
  if (std::regex_match(message, m, at_least)) {
    return m[1].str() + ": takes " + m[2].str() + " values, given " + m[3].str();
  }
  if (std::regex_match(message, m, excludes)) return m[1].str() + " and " + m[2].str() + " cannot be used together";
  if (std::regex_match(message, m, not_converted)) return m[1].str() + ": not a valid value (got " + m[2].str() + ")";
  return message;
}

}  // namespace xr
