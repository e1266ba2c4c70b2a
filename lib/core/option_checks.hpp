// The checks every tool's numeric options share, so that one rule and one message
// hold everywhere. CLI11 reads "nan", "inf" and "1e999" as numbers, and its Range
// lets NaN through (every comparison with NaN is false): `gan-train --gamma nan`
// once trained with R1 silently off. tool_main therefore gives every numeric option
// of every tool the check of its type (floats finite; integers whole and within
// their type, so that `--seed -1` is not read as 2^64-1), whatever the tool
// declared. The named checks below give each option its meaningful range; they
// replace CLI11's Range, PositiveNumber and NonNegativeNumber, whose message for 0
// was "Value 0 not in range 0.000000 to 1797..." (a 309-digit number).
#pragma once
#include <CLI/CLI.hpp>
#include <limits>
#include <string>

namespace xr {

// Adds the check of its type to every numeric option of `app` and of its option
// groups (and to each element of a list option). Called by tool_main after a
// tool's setup, before parsing; a tool's own range check runs first.
void require_checked_numbers(CLI::App& app);

inline constexpr double kNoLimit = std::numeric_limits<double>::infinity();

// Messages name the rule and the value as typed: "must be > 0 (got 0)",
// "must be >= 0 (got -1)", "must be at least 1 (got 0)", "must be at most 10
// (got 11)"; bounds inclusive except the 0 of positive(), a non-number refused as
// "not a number".
CLI::Validator positive(double max = kNoLimit);
CLI::Validator non_negative(double max = kNoLimit);
CLI::Validator in_range(double lo, double hi);

}  // namespace xr

namespace xr {

// CLI11's parse messages in the user's words: "--seed: At Most 1 required but
// received 2" becomes "--seed: given 2 values, takes 1 (give the option once)",
// "--out excludes --grid" "--out and --grid cannot be used together"; others pass
// unchanged.
std::string plain_parse_message(const std::string& cli11_message);

}  // namespace xr
