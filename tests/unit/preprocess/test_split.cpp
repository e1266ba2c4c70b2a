// The paper's split rules (lib/preprocess/split): N training images a class by seed,
// the rest halved (test gets the odd one), copies kept in one split, a subset split
// that keeps val/test and draws train from the parent's train, and the refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "../exit_code.hpp"
#include "../temp_dir.hpp"
#include "core/csv.hpp"
#include "core/image_io.hpp"
#include "preprocess/split.hpp"

namespace fs = std::filesystem;

namespace {

// Writes `count` distinct 2x2 images into root/<cls>/ (pixel value = first_value + i).
void write_class(const std::string& root, const std::string& cls, int count, int first_value = 0) {
  fs::create_directories(fs::path(root) / cls);
  for (int i = 0; i < count; ++i) {
    xr::GrayImage img(2, 2, static_cast<uint8_t>(first_value + i));
    char name[32];
    std::snprintf(name, sizeof name, "img%03d.png", i);
    xr::write_png_gray8((fs::path(root) / cls / name).string(), img);
  }
}

// split -> class -> sources.
using Plan = std::map<std::string, std::map<int, std::set<std::string>>>;
Plan by_split(const std::vector<xr::preprocess::SplitAssignment>& plan) {
  Plan out;
  for (const auto& a : plan) EXPECT_TRUE(out[a.split][a.label].insert(a.source).second) << a.source;
  return out;
}

void write_split_csv(const std::string& path, const xr::ImageFolder& in, const std::vector<xr::preprocess::SplitAssignment>& plan) {
  xr::CsvTable t;
  t.header = {"path", "split", "class", "source"};
  for (const auto& a : plan) {
    t.rows.push_back({a.split + "/" + a.source, a.split, in.classes[a.label], a.source});
  }
  xr::write_csv(path, t);
}

}  // namespace

TEST(Split, TrainTakesNPerClassAndTheRestIsHalvedWithTheOddOneInTest) {
  xr_test::TempDir d("xr-test-split");
  write_class(d.path(), "a", 10, 0);
  write_class(d.path(), "b", 9, 100);
  write_class(d.path(), "c", 12, 200);
  const xr::ImageFolder in = xr::scan_image_folder(d.path());
  const auto plan = xr::preprocess::split_fresh(in, 4, true, 7);
  ASSERT_EQ(plan.size(), 31u);  // every image once (by_split checks no repeats)
  Plan p = by_split(plan);
  const auto counts = xr::preprocess::count_per_split(in, plan);
  EXPECT_EQ(counts[0], (std::vector<int>{4, 4, 4}));
  EXPECT_EQ(counts[1], (std::vector<int>{3, 2, 4}));  // (10-4)/2, (9-4)/2 rounded down, (12-4)/2
  EXPECT_EQ(counts[2], (std::vector<int>{3, 3, 4}));
  for (int c = 0; c < 3; ++c) {
    for (const auto& s : p["train"][c]) EXPECT_EQ(s.substr(0, 2), in.classes[c] + "/");
  }
}

TEST(Split, TheSeedDecidesTheSplitAndAnAddedClassChangesNoOther) {
  xr_test::TempDir two("xr-test-split"), three("xr-test-split");
  for (const auto* d : {&two, &three}) {
    write_class(d->path(), "a", 20, 0);
    write_class(d->path(), "b", 20, 50);
  }
  write_class(three.path(), "c", 20, 100);
  const xr::ImageFolder in2 = xr::scan_image_folder(two.path()), in3 = xr::scan_image_folder(three.path());
  const Plan p2 = by_split(xr::preprocess::split_fresh(in2, 5, true, 1));
  EXPECT_EQ(p2, by_split(xr::preprocess::split_fresh(in2, 5, true, 1)));
  EXPECT_NE(p2.at("train"), by_split(xr::preprocess::split_fresh(in2, 5, true, 2)).at("train"));
  Plan p3 = by_split(xr::preprocess::split_fresh(in3, 5, true, 1));
  for (const char* s : xr::preprocess::kSplitNames) {
    p3[s].erase(2);
    EXPECT_EQ(p3[s], p2.at(s)) << s;
  }
}

TEST(Split, ByteIdenticalCopiesStayInOneSplitUnlessAllowedAcross) {
  xr_test::TempDir d("xr-test-split");
  write_class(d.path(), "a", 12, 0);
  write_class(d.path(), "b", 12, 100);
  // Three copies of a/img000.png in class a.
  for (const char* copy : {"copy1.png", "copy2.png", "copy3.png"}) {
    fs::copy_file(fs::path(d.path()) / "a" / "img000.png", fs::path(d.path()) / "a" / copy);
  }
  const xr::ImageFolder in = xr::scan_image_folder(d.path());
  const std::set<std::string> copies{"a/img000.png", "a/copy1.png", "a/copy2.png", "a/copy3.png"};
  int copies_in_train = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const auto plan = xr::preprocess::split_fresh(in, 5, true, seed);
    std::set<std::string> splits_of_copies;
    for (const auto& a : plan) {
      if (copies.count(a.source)) splits_of_copies.insert(a.split);
    }
    EXPECT_EQ(splits_of_copies.size(), 1u) << "seed " << seed;
    const auto counts = xr::preprocess::count_per_split(in, plan);
    if (*splits_of_copies.begin() == "train") ++copies_in_train;
    EXPECT_EQ(counts[0][1], 5);
    EXPECT_LE(counts[0][0], 5);  // 5 exactly whenever the groups allow it
  }
  EXPECT_GT(copies_in_train, 0);  // the group of four does land in train for some seeds
  // Allowed across: the copies are split as any other files, train exactly 5.
  bool spread = false;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const auto plan = xr::preprocess::split_fresh(in, 5, false, seed);
    std::set<std::string> splits_of_copies;
    for (const auto& a : plan) {
      if (copies.count(a.source)) splits_of_copies.insert(a.split);
    }
    spread = spread || splits_of_copies.size() > 1;
    EXPECT_EQ(xr::preprocess::count_per_split(in, plan)[0][0], 5);
  }
  EXPECT_TRUE(spread);
}

TEST(Split, ASubsetKeepsValAndTestAndDrawsTrainFromTheParentsTrain) {
  xr_test::TempDir d("xr-test-split");
  write_class(d.path(), "a", 30, 0);
  write_class(d.path(), "b", 25, 100);
  const xr::ImageFolder in = xr::scan_image_folder(d.path());
  const auto parent = xr::preprocess::split_fresh(in, 10, true, 3);
  write_split_csv(d / "split.csv", in, parent);
  const auto subset = xr::preprocess::split_subset(in, d / "split.csv", 4, 3);
  Plan pp = by_split(parent), ps = by_split(subset);
  EXPECT_EQ(ps["val"], pp["val"]);
  EXPECT_EQ(ps["test"], pp["test"]);
  for (int c = 0; c < 2; ++c) {
    EXPECT_EQ(ps["train"][c].size(), 4u);
    for (const auto& s : ps["train"][c]) EXPECT_TRUE(pp["train"][c].count(s)) << s;
  }
  // The whole parent train, when the subset asks for all of it.
  EXPECT_EQ(by_split(xr::preprocess::split_subset(in, d / "split.csv", 10, 9))["train"], pp["train"]);
}

TEST(Split, RefusalsNameTheirFile) {
  xr_test::TempDir d("xr-test-split");
  write_class(d.path(), "a", 6, 0);
  write_class(d.path(), "b", 3, 100);
  const xr::ImageFolder in = xr::scan_image_folder(d.path());
  // Fewer images than N.
  EXPECT_EQ(xr_test::code_of([&] { xr::preprocess::split_fresh(in, 4, true, 1); }), xr::Exit::kDataErr);
  // A subset asking for more training images than the parent has.
  const auto parent = xr::preprocess::split_fresh(in, 2, true, 1);
  write_split_csv(d / "split.csv", in, parent);
  EXPECT_EQ(xr_test::code_of([&] { xr::preprocess::split_subset(in, d / "split.csv", 3, 1); }), xr::Exit::kDataErr);
  // A parent row with an unknown split, and one listed twice.
  xr::CsvTable t = xr::read_csv(d / "split.csv");
  t.rows[0][1] = "holdout";
  xr::write_csv(d / "bad.csv", t);
  EXPECT_EQ(xr_test::code_of([&] { xr::preprocess::split_subset(in, d / "bad.csv", 1, 1); }), xr::Exit::kDataErr);
  t = xr::read_csv(d / "split.csv");
  t.rows.push_back(t.rows[0]);
  xr::write_csv(d / "twice.csv", t);
  try {
    xr::preprocess::split_subset(in, d / "twice.csv", 1, 1);
    FAIL() << "a row listed twice was accepted";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.path(), d / "twice.csv");
    EXPECT_NE(std::string(e.what()).find("again"), std::string::npos) << e.what();
  }
}

TEST(Split, AnEmptyValOrTestSubsetIsRefusedUnlessAllowed) {
  xr_test::TempDir d("xr-test-split");
  write_class(d.path(), "a", 10, 0);
  write_class(d.path(), "b", 5, 100);  // N = 4 leaves one image: val 0, test 1
  const xr::ImageFolder in = xr::scan_image_folder(d.path());
  const auto counts = xr::preprocess::count_per_split(in, xr::preprocess::split_fresh(in, 4, true, 1));
  EXPECT_EQ(counts[1][1], 0);
  EXPECT_EQ(counts[2][1], 1);
  EXPECT_EQ(xr_test::code_of([&] { xr::preprocess::check_empty_subsets(in, counts, false); }), xr::Exit::kDataErr);
  EXPECT_EQ(xr_test::code_of([&] { xr::preprocess::check_empty_subsets(in, counts, true); }), xr::Exit::kOk);
  const auto full = xr::preprocess::count_per_split(in, xr::preprocess::split_fresh(in, 3, true, 1));
  EXPECT_EQ(xr_test::code_of([&] { xr::preprocess::check_empty_subsets(in, full, false); }), xr::Exit::kOk);
}
