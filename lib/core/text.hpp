// Numbers and lists as the toolkit writes them in tables, logs and messages: one
// rule each, so that a value reads the same in every tool's output.
#pragma once
#include <string>
#include <vector>

namespace xr {

// `decimals` digits after the point ("0.5000"); "nan", "inf", "-inf" for those, and
// never "-0.0000" (a tiny negative value rounded to zero loses its sign). For the
// shortest text that reads back as the same double, see format_number (core/csv.hpp).
std::string format_fixed(double value, int decimals = 4);

// The parts with `separator` between them ("" for none).
std::string join(const std::vector<std::string>& parts, const std::string& separator);

}  // namespace xr
