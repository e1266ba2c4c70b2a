// The paper's published classification results (Fedoruk et al. 2024, Tables 2-4)
// as data: read from data/paper/published.csv, compiled in, and looked up by
// training images per class for the report's "paper vs this run" tables and plot.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace xr::report {

struct PaperTable {
  std::string table;    // "2", "3", "4"
  std::string page;     // "" when not recorded
  std::string caption;  // what the table is, in words
  double per_class = 0;  // training images per class
  // pipeline -> metric -> value (Table 4 has accuracy only).
  std::map<std::string, std::map<std::string, double>> values;
  std::optional<double> value(const std::string& pipeline, const std::string& metric) const;
};

// Parses published.csv (columns table, page, per_class, pipeline, metric, value,
// caption); kDataErr naming `source` for a missing column, a non-number, a value
// listed twice or rows of one table that disagree on page, size or caption.
std::vector<PaperTable> parse_published(const std::string& text, const std::string& source);

// The compiled-in copy of data/paper/published.csv, its text and its tables in file order.
const std::string& published_csv_text();
const std::vector<PaperTable>& paper_tables();

// The table for `per_class` training images per class: the one of that size, else
// the nearest on a log scale (500 is as near to 250 as 1000 is to 500); nullptr if none.
const PaperTable* nearest_paper_table(double per_class);

// The paper's classes (the COVID-19 Radiography Database's four folders), sorted.
const std::vector<std::string>& paper_classes();

}  // namespace xr::report
