#include "core/csv.hpp"

#include <cstdio>
#include <cstdlib>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"

namespace xr {

int CsvTable::column(const std::string& name, const std::string& source) const {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  fail_data(source, "CSV has no column '" + name + "'");
}

CsvTable parse_csv(const std::string& text, const std::string& source) {
  struct Record {
    int line;  // where it starts, for messages
    std::vector<std::string> fields;
  };
  std::vector<Record> records;
  std::vector<std::string> record;
  std::string field;
  bool in_quotes = false;
  bool field_was_quoted = false;
  bool record_had_quotes = false;
  bool at_field_start = true;
  int line = 1;
  int record_line = 1;
  int quote_line = 1;
  auto err = [&](int at, const std::string& what) {
    fail_data(source, "line " + std::to_string(at) + ": " + what);
  };
  auto end_field = [&] {
    record.push_back(field);
    field.clear();
    field_was_quoted = false;
    at_field_start = true;
  };
  auto end_record = [&] {
    end_field();
    // A blank line (one empty unquoted field) is not a record; "" alone is one.
    if (!(record.size() == 1 && record[0].empty() && !record_had_quotes)) {
      records.push_back({record_line, std::move(record)});
    }
    record.clear();
    record_had_quotes = false;
  };

  // A UTF-8 byte order mark (spreadsheets write one) is not part of the first name.
  size_t i = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"') {
      if (!at_field_start) err(line, "quote inside an unquoted field");
      in_quotes = true;
      field_was_quoted = true;
      record_had_quotes = true;
      at_field_start = false;
      quote_line = line;
    } else if (c == ',') {
      end_field();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;  // CRLF: the \n ends the record
    } else if (c == '\n') {
      end_record();
      ++line;
      record_line = line;
    } else {
      if (field_was_quoted) err(line, "text after a closing quote");
      field += c;
      at_field_start = false;
    }
  }
  if (in_quotes) err(quote_line, "unterminated quoted field");
  if (!field.empty() || field_was_quoted || !record.empty()) end_record();

  CsvTable table;
  if (records.empty()) fail_data(source, "empty CSV (no header row)");
  table.header = std::move(records.front().fields);
  for (size_t r = 1; r < records.size(); ++r) {
    if (records[r].fields.size() != table.header.size()) {
      err(records[r].line, "record has " + std::to_string(records[r].fields.size()) + " fields, the header has " +
                               std::to_string(table.header.size()));
    }
    table.rows.push_back(std::move(records[r].fields));
  }
  return table;
}

CsvTable read_csv(const std::string& path) { return parse_csv(read_file(path), path); }

std::string csv_field(const std::string& value) {
  bool needs_quotes = value.find_first_of(",\"\r\n") != std::string::npos ||
                      (!value.empty() && (value.front() == ' ' || value.back() == ' '));
  if (!needs_quotes) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string format_csv(const CsvTable& table) {
  std::string out;
  auto add_row = [&](const std::vector<std::string>& row) {
    // One empty field would make a blank line, which readers skip: quote it.
    if (row.size() == 1 && row[0].empty()) {
      out += "\"\"\n";
      return;
    }
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) out += ',';
      out += csv_field(row[i]);
    }
    out += '\n';
  };
  add_row(table.header);
  for (const auto& row : table.rows) add_row(row);
  return out;
}

void write_csv(const std::string& path, const CsvTable& table) { write_file_atomic(path, format_csv(table)); }

std::string format_number(double value) {
  char buf[64];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  return buf;
}

}  // namespace xr
