// Reading a whole JSON file (options.json, metrics.json, a NaN-stop record): one
// rule for every reader of the toolkit's JSON outputs.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace xr {

// The parsed file; kNoInput naming it if it is missing, kDataErr naming it if it is
// not JSON ("malformed JSON (<the parser's reason>)").
nlohmann::json read_json_file(const std::string& path);

}  // namespace xr
