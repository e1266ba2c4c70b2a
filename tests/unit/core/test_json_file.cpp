// core/json_file and core/text: the one JSON file reader and the one fixed-point
// number and list formatters.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>

#include "../exit_code.hpp"
#include "../temp_dir.hpp"
#include "core/json_file.hpp"
#include "core/text.hpp"

TEST(JsonFile, ReadsAFileAndNamesAMissingOrMalformedOne) {
  xr_test::TempDir d("xr-test-json");
  std::ofstream(d / "ok.json") << "{\"a\": [1, 2.5]}";
  EXPECT_EQ(xr::read_json_file(d / "ok.json")["a"][1].get<double>(), 2.5);
  EXPECT_EQ(xr_test::code_of([&] { xr::read_json_file(d / "nope.json"); }), xr::Exit::kNoInput);
  std::ofstream(d / "bad.json") << "{\"a\": ";
  try {
    xr::read_json_file(d / "bad.json");
    FAIL() << "malformed JSON was accepted";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kDataErr);
    EXPECT_EQ(e.path(), (d / "bad.json").string());
    EXPECT_EQ(std::string(e.what()).rfind("malformed JSON (", 0), 0u) << e.what();
  }
}

TEST(Text, FormatFixedRoundsAndNeverWritesMinusZero) {
  EXPECT_EQ(xr::format_fixed(0.5), "0.5000");
  EXPECT_EQ(xr::format_fixed(2.0 / 3.0, 3), "0.667");
  EXPECT_EQ(xr::format_fixed(-1.25, 1), "-1.2");  // printf's round-half-even on the binary value
  EXPECT_EQ(xr::format_fixed(-0.00001), "0.0000");
  EXPECT_EQ(xr::format_fixed(-0.0, 2), "0.00");
  EXPECT_EQ(xr::format_fixed(12.5, 0), "12");
  EXPECT_EQ(xr::format_fixed(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(xr::format_fixed(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(xr::format_fixed(std::numeric_limits<double>::infinity()), "inf");
}

TEST(Text, JoinPutsTheSeparatorBetweenParts) {
  EXPECT_EQ(xr::join({}, ", "), "");
  EXPECT_EQ(xr::join({"a"}, ", "), "a");
  EXPECT_EQ(xr::join({"a", "b", "c"}, " | "), "a | b | c");
}
