#include "report/published.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/csv.hpp"
#include "core/errors.hpp"

namespace xr::report {

namespace {

const char kSource[] = "data/paper/published.csv (compiled in)";

double parse_number(const std::string& s, const std::string& where) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v)) fail_data(where, "not a number (" + s + ")");
  return v;
}

}  // namespace

std::optional<double> PaperTable::value(const std::string& pipeline, const std::string& metric) const {
  auto p = values.find(pipeline);
  if (p == values.end()) return std::nullopt;
  auto m = p->second.find(metric);
  if (m == p->second.end()) return std::nullopt;
  return m->second;
}

std::vector<PaperTable> parse_published(const std::string& text, const std::string& source) {
  const CsvTable t = parse_csv(text, source);
  const int c_table = t.column("table", source), c_page = t.column("page", source),
            c_size = t.column("per_class", source), c_pipe = t.column("pipeline", source),
            c_metric = t.column("metric", source), c_value = t.column("value", source),
            c_caption = t.column("caption", source);
  std::vector<PaperTable> out;
  for (size_t i = 0; i < t.rows.size(); ++i) {
    const auto& r = t.rows[i];
    const std::string where = source + ":" + std::to_string(i + 2);
    auto it = std::find_if(out.begin(), out.end(), [&](const PaperTable& p) { return p.table == r[c_table]; });
    const double size = parse_number(r[c_size], where);
    if (it == out.end()) {
      out.push_back({r[c_table], r[c_page], r[c_caption], size, {}});
      it = out.end() - 1;
    } else if (it->page != r[c_page] || it->per_class != size || it->caption != r[c_caption]) {
      fail_data(where, "table " + r[c_table] + " has another page, size or caption than its first row");
    }
    auto& metrics = it->values[r[c_pipe]];
    if (!metrics.emplace(r[c_metric], parse_number(r[c_value], where)).second) {
      fail_data(where, "table " + r[c_table] + " lists " + r[c_pipe] + " " + r[c_metric] + " twice");
    }
  }
  return out;
}

const std::string& published_csv_text() {
  static const std::string k =
#include "published_csv.inc"
      ;
  return k;
}

const std::vector<PaperTable>& paper_tables() {
  static const std::vector<PaperTable> k = parse_published(published_csv_text(), kSource);
  return k;
}

const PaperTable* nearest_paper_table(double per_class) {
  const PaperTable* best = nullptr;
  double best_d = 0;
  for (const auto& t : paper_tables()) {
    const double d = per_class > 0 ? std::abs(std::log(t.per_class / per_class)) : t.per_class;
    if (!best || d < best_d) {
      best = &t;
      best_d = d;
    }
  }
  return best;
}

const std::vector<std::string>& paper_classes() {
  static const std::vector<std::string> k{"COVID", "Lung_Opacity", "Normal", "Viral Pneumonia"};
  return k;
}

}  // namespace xr::report
