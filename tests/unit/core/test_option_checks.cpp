// The shared numeric checks and CLI11's messages in the user's words: each check
// called on the text a user typed, as CLI11 calls it before converting.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/option_checks.hpp"

namespace {

// What the validator says about `typed` ("" when it accepts it).
std::string verdict(const CLI::Validator& check, std::string typed) { return check(typed); }

TEST(OptionChecks, PositiveRefusesZeroNegativeNonFiniteAndAboveItsMaximum) {
  EXPECT_EQ(verdict(xr::positive(), "0.5"), "");
  EXPECT_EQ(verdict(xr::positive(), "0"), "must be > 0 (got 0)");
  EXPECT_EQ(verdict(xr::positive(), "-1"), "must be > 0 (got -1)");
  EXPECT_EQ(verdict(xr::positive(), "nan"), "must be a finite number (got nan)");
  EXPECT_EQ(verdict(xr::positive(), "1e999"), "must be a finite number (got 1e999)");
  EXPECT_EQ(verdict(xr::positive(1), "1"), "");
  EXPECT_EQ(verdict(xr::positive(1), "1e300"), "must be at most 1 (got 1e300)");
  EXPECT_EQ(verdict(xr::positive(), "abc"), "not a number (abc)");
}

TEST(OptionChecks, NonNegativeAcceptsZero) {
  EXPECT_EQ(verdict(xr::non_negative(), "0"), "");
  EXPECT_EQ(verdict(xr::non_negative(), "-0.001"), "must be >= 0 (got -0.001)");
  EXPECT_EQ(verdict(xr::non_negative(10), "10.5"), "must be at most 10 (got 10.5)");
}

TEST(OptionChecks, InRangeSaysWhichBoundIsCrossed) {
  EXPECT_EQ(verdict(xr::in_range(1, 1000), "1"), "");
  EXPECT_EQ(verdict(xr::in_range(1, 1000), "1000"), "");
  EXPECT_EQ(verdict(xr::in_range(1, 1000), "0"), "must be at least 1 (got 0)");
  EXPECT_EQ(verdict(xr::in_range(1, 1000), "1001"), "must be at most 1000 (got 1001)");
  EXPECT_EQ(verdict(xr::in_range(0, 0.999), "1"), "must be at most 0.999 (got 1)");
  EXPECT_EQ(verdict(xr::in_range(0, 1), "-inf"), "must be a finite number (got -inf)");
  EXPECT_EQ(verdict(xr::in_range(1, 1e6), "2e6"), "must be at most 1000000 (got 2e6)");
}

TEST(OptionChecks, EveryNumericOptionGetsTheCheckOfItsType) {
  CLI::App app;
  int count = 0;
  double rate = 0;
  uint64_t seed = 0;
  app.add_option("--count", count)->check(xr::in_range(0, 1e12));  // a tool's range wider than int
  app.add_option("--rate", rate);
  auto* group = app.add_option_group("Common");
  group->add_option("--seed", seed);
  xr::require_checked_numbers(app);
  auto message = [&](std::vector<std::string> args) {
    try {
      std::reverse(args.begin(), args.end());
      app.parse(args);
      return std::string();
    } catch (const CLI::ParseError& e) {
      return std::string(e.what());
    }
  };
  EXPECT_EQ(message({"--count", "7", "--rate", "0.5", "--seed", "18446744073709551615"}), "");
  EXPECT_EQ(seed, 18446744073709551615ull);
  EXPECT_EQ(message({"--count", "1.5"}), "--count: must be a whole number (got 1.5)");
  EXPECT_EQ(message({"--count", "99999999999"}), "--count: must be at most 2147483647 (got 99999999999)");
  EXPECT_EQ(message({"--rate", "nan"}), "--rate: must be a finite number (got nan)");
  EXPECT_EQ(message({"--seed", "-1"}), "--seed: must be at least 0 (got -1)");
}

TEST(OptionChecks, PlainParseMessagesRewriteCli11sWording) {
  EXPECT_EQ(xr::plain_parse_message("--seed: At Most 1 required but received 2"),
            "--seed: given 2 values, takes 1 (give the option once)");
  EXPECT_EQ(xr::plain_parse_message("--range: At least 2 required but received 1"),
            "--range: takes 2 values, given 1");
  EXPECT_EQ(xr::plain_parse_message("Could not convert: --batch = x1"), "--batch: not a valid value (got x1)");
  EXPECT_EQ(xr::plain_parse_message("--out excludes --grid"), "--out and --grid cannot be used together");
  EXPECT_EQ(xr::plain_parse_message("--model is required"), "--model is required");
}

}  // namespace
