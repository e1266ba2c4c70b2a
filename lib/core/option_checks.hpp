// The checks every tool's numeric options share, so that one rule and one message
// hold everywhere. CLI11 reads "nan", "inf" and "1e999" as numbers, and its Range
// lets NaN through (every comparison with NaN is false): `gan-train --gamma nan`
// once trained with R1 silently off. tool_main therefore makes every floating-point
// option of every tool refuse a non-finite value, whatever the tool declared. The
// named checks replace CLI11's PositiveNumber/NonNegativeNumber, whose message for
// 0 was "Value 0 not in range 0.000000 to 1797..." (a 309-digit number).
#pragma once
#include <CLI/CLI.hpp>

namespace xr {

// Adds the finite-value check to every floating-point option of `app` and of its
// option groups (and of each element of a list option). Called by tool_main after a
// tool's setup, before parsing.
void require_finite_floats(CLI::App& app);

// "must be > 0 (got 0)", "must be >= 0 (got -1)", "must be in [0, 1] (got 2)";
// bounds inclusive, a non-number refused as "not a number".
CLI::Validator positive();
CLI::Validator non_negative();
CLI::Validator in_range(double lo, double hi);

}  // namespace xr
