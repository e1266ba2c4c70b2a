#include "core/option_checks.hpp"

#include <cmath>
#include <functional>
#include <string>

#include "core/csv.hpp"

namespace xr {

namespace {

// Reads `input` as a number the way CLI11 does, or says why not.
bool read_number(const std::string& input, double& v) { return CLI::detail::lexical_cast(input, v); }

CLI::Validator number_check(const std::string& description, std::function<bool(double)> ok,
                            const std::string& rule) {
  return CLI::Validator(
      [ok, rule](std::string& input) -> std::string {
        double v = 0;
        if (!read_number(input, v)) return "not a number (" + input + ")";
        if (!std::isfinite(v)) return "must be a finite number (got " + input + ")";
        if (!ok(v)) return "must be " + rule + " (got " + input + ")";
        return "";
      },
      description);
}

}  // namespace

void require_finite_floats(CLI::App& app) {
  const CLI::Validator finite = number_check("", [](double) { return true; }, "");
  for (CLI::Option* opt : app.get_options()) {
    if (opt->get_type_name() == "FLOAT") opt->check(finite);
  }
  for (CLI::App* group : app.get_subcommands([](const CLI::App* sub) { return sub->get_name().empty(); })) {
    require_finite_floats(*group);
  }
}

CLI::Validator positive() {
  return number_check("POSITIVE", [](double v) { return v > 0; }, "> 0");
}

CLI::Validator non_negative() {
  return number_check("NONNEGATIVE", [](double v) { return v >= 0; }, ">= 0");
}

CLI::Validator in_range(double lo, double hi) {
  const std::string rule = "in [" + format_number(lo) + ", " + format_number(hi) + "]";
  return number_check(rule, [lo, hi](double v) { return v >= lo && v <= hi; }, rule);
}

}  // namespace xr
