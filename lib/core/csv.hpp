// CSV as the toolkit writes and reads it: RFC 4180 (quoted fields, doubled quotes,
// embedded commas and newlines), a header row, '.' as decimal point.
#pragma once
#include <string>
#include <vector>

namespace xr {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  // Index of a header column; throws xr::Error(kDataErr) naming `source` if absent.
  int column(const std::string& name, const std::string& source = "") const;
};

// Throws xr::Error(kDataErr) with `source` and the line number on malformed input:
// an unterminated quote, a quote inside an unquoted field, a row whose field count
// differs from the header's.
CsvTable parse_csv(const std::string& text, const std::string& source);
CsvTable read_csv(const std::string& path);

std::string csv_field(const std::string& value);  // quoted only when it must be
std::string format_csv(const CsvTable& table);
void write_csv(const std::string& path, const CsvTable& table);  // atomic

// Shortest decimal text that reads back as the same double ("0.1", "1e-07").
std::string format_number(double value);

}  // namespace xr
