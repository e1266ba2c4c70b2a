// CSV: RFC 4180 parsing (quotes, doubled quotes, CRLF, embedded newlines), errors
// that name the line, quoting on output, and format_number's round trip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "../temp_dir.hpp"
#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/errors.hpp"
#include "core/rng.hpp"

namespace fs = std::filesystem;
using Row = std::vector<std::string>;

namespace {

std::string error_of(const std::string& text) {
  try {
    xr::parse_csv(text, "t.csv");
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kDataErr);
    EXPECT_EQ(e.path(), "t.csv");
    return e.what();
  }
  ADD_FAILURE() << "parsed without an error: " << text;
  return "";
}

}  // namespace

TEST(Csv, PlainTable) {
  const xr::CsvTable t = xr::parse_csv("a,b,c\n1,2,3\nx,,z\n", "t.csv");
  EXPECT_EQ(t.header, (Row{"a", "b", "c"}));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0], (Row{"1", "2", "3"}));
  EXPECT_EQ(t.rows[1], (Row{"x", "", "z"}));
  EXPECT_EQ(t.column("c"), 2);
}

TEST(Csv, Rfc4180Quoting) {
  const xr::CsvTable t = xr::parse_csv(
      "path,note\n"
      "\"a,b.png\",\"he said \"\"hi\"\"\"\n"
      "\"\",\"\"\"\"\n",
      "t.csv");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0], (Row{"a,b.png", "he said \"hi\""}));
  EXPECT_EQ(t.rows[1], (Row{"", "\""}));
}

TEST(Csv, CrlfAndNoFinalNewline) {
  const xr::CsvTable t = xr::parse_csv("a,b\r\n1,2\r\n3,4", "t.csv");
  EXPECT_EQ(t.header, (Row{"a", "b"}));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0], (Row{"1", "2"}));
  EXPECT_EQ(t.rows[1], (Row{"3", "4"}));
}

TEST(Csv, EmbeddedNewlinesInQuotes) {
  const xr::CsvTable t = xr::parse_csv("a,b\n\"line 1\nline 2\",x\n\"cr\r\nlf\",y\n", "t.csv");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0][0], "line 1\nline 2");
  EXPECT_EQ(t.rows[1][0], "cr\r\nlf");  // inside quotes, bytes are kept as they are
  EXPECT_EQ(t.rows[1][1], "y");
}

TEST(Csv, BlankLinesAreSkippedButEmptyQuotedFieldIsARecord) {
  const xr::CsvTable t = xr::parse_csv("a\n\n1\n\r\n\"\"\n", "t.csv");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0], (Row{"1"}));
  EXPECT_EQ(t.rows[1], (Row{""}));
}

TEST(Csv, TrailingEmptyFieldIsKept) {
  const xr::CsvTable t = xr::parse_csv("a,b\n1,\n", "t.csv");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0], (Row{"1", ""}));
}

TEST(Csv, ErrorsNameTheLine) {
  EXPECT_NE(error_of("a,b\n1,2\n3,\"x\n").find("line 3"), std::string::npos);  // unterminated quote opened on 3
  EXPECT_NE(error_of("a,b\n1,2\n3,x\"y\n").find("line 3: quote inside an unquoted field"), std::string::npos);
  EXPECT_NE(error_of("a,b\n\"x\"y,2\n").find("line 2: text after a closing quote"), std::string::npos);
  // A quoted field spanning lines moves the count on.
  EXPECT_NE(error_of("a,b\n\"1\n2\",3\n4,5,6\n").find("line 4"), std::string::npos);
  EXPECT_NE(error_of("a,b\n1,2\n1,2,3\n").find("line 3"), std::string::npos);
  EXPECT_NE(error_of("a,b\r\n1,2\r\n1\r\n").find("line 3"), std::string::npos);
  EXPECT_NE(error_of("").find("empty CSV"), std::string::npos);
  EXPECT_NE(error_of("\n\n").find("empty CSV"), std::string::npos);
}

TEST(Csv, MissingColumnNamesTheSource) {
  const xr::CsvTable t = xr::parse_csv("a,b\n", "t.csv");
  try {
    t.column("zz", "t.csv");
    FAIL() << "no error";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kDataErr);
    EXPECT_EQ(e.path(), "t.csv");
    EXPECT_NE(std::string(e.what()).find("zz"), std::string::npos);
  }
}

TEST(Csv, FieldQuotingOnOutput) {
  EXPECT_EQ(xr::csv_field("plain"), "plain");
  EXPECT_EQ(xr::csv_field("Viral Pneumonia/a.png"), "Viral Pneumonia/a.png");
  EXPECT_EQ(xr::csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(xr::csv_field("say \"x\""), "\"say \"\"x\"\"\"");
  EXPECT_EQ(xr::csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(xr::csv_field(" lead"), "\" lead\"");
  EXPECT_EQ(xr::csv_field(""), "");
}

TEST(Csv, FormatParseRoundTripOfAwkwardValues) {
  xr::CsvTable t;
  t.header = {"path", "note", "value"};
  t.rows = {{"a b/c.png", "x,y", "1"},
            {"q\"uote", "multi\nline", ""},
            {"crlf\r\ninside", " spaced ", "-0.5"},
            {"", "\"", ","}};
  const std::string text = xr::format_csv(t);
  EXPECT_EQ(text.substr(0, 16), "path,note,value\n");
  const xr::CsvTable back = xr::parse_csv(text, "t.csv");
  EXPECT_EQ(back.header, t.header);
  EXPECT_EQ(back.rows, t.rows);
}

TEST(Csv, WriteAndReadFile) {
  const xr_test::TempDir tmp("xr-test-csv");
  const fs::path dir = tmp.path();
  xr::CsvTable t;
  t.header = {"a", "b"};
  t.rows = {{"1", "two words"}};
  xr::write_csv((dir / "t.csv").string(), t);
  EXPECT_EQ(xr::read_file((dir / "t.csv").string()), "a,b\n1,two words\n");
  EXPECT_EQ(xr::read_csv((dir / "t.csv").string()).rows, t.rows);
  try {
    xr::read_csv((dir / "none.csv").string());
    ADD_FAILURE() << "no error";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kNoInput);
  }
}

TEST(Csv, FormatNumberIsShortest) {
  EXPECT_EQ(xr::format_number(0.1), "0.1");
  EXPECT_EQ(xr::format_number(1e-7), "1e-07");
  EXPECT_EQ(xr::format_number(0.0), "0");
  EXPECT_EQ(xr::format_number(-2.5), "-2.5");
  EXPECT_EQ(xr::format_number(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(xr::format_number(123456789.0), "123456789");
  EXPECT_EQ(xr::format_number(0.1 + 0.2), "0.30000000000000004");
}

TEST(Csv, FormatNumberRoundTripsEveryDouble) {
  xr::Rng rng(5);
  for (int i = 0; i < 20000; ++i) {
    // Random bit patterns cover every exponent; skip NaN and infinities.
    const uint64_t bits = rng.next();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    if (!std::isfinite(v)) continue;
    const std::string s = xr::format_number(v);
    ASSERT_EQ(std::strtod(s.c_str(), nullptr), v) << s;
    ASSERT_EQ(s.find(','), std::string::npos) << "'.' is the decimal point: " << s;
  }
  for (double v : {std::numeric_limits<double>::min(), std::numeric_limits<double>::max(),
                   std::numeric_limits<double>::denorm_min(), 0.6, 1e300}) {
    EXPECT_EQ(std::strtod(xr::format_number(v).c_str(), nullptr), v);
  }
}

TEST(Csv, ByteOrderMarkIsNotPartOfTheHeader) {
  const xr::CsvTable t = xr::parse_csv("\xEF\xBB\xBFpath,split\nA/1.png,train\n", "t.csv");
  EXPECT_EQ(t.header, (Row{"path", "split"}));
  EXPECT_EQ(t.column("path"), 0);
}

// A one-column table with an empty value must not turn into a blank line.
TEST(Csv, SingleEmptyFieldSurvivesTheRoundTrip) {
  xr::CsvTable t;
  t.header = {"name"};
  t.rows = {{""}, {"x"}};
  EXPECT_EQ(xr::format_csv(t), "name\n\"\"\nx\n");
  EXPECT_EQ(xr::parse_csv(xr::format_csv(t), "t.csv").rows, t.rows);
}
