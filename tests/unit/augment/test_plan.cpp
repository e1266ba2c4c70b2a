// Which source each augmented image comes from, its name and its random stream.
#include "augment/plan.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/errors.hpp"

namespace {

xr::ImageFolder folder(const std::vector<int>& counts) {
  xr::ImageFolder f;
  f.root = "/data";
  for (size_t c = 0; c < counts.size(); ++c) {
    const std::string cls = c == 1 ? "B c" : std::string(1, static_cast<char>('A' + c));
    f.classes.push_back(cls);
    for (int i = 0; i < counts[c]; ++i) {
      const std::string name = "img" + std::to_string(i) + ".png";
      f.images.push_back({static_cast<int>(c), "/data/" + cls + "/" + name, cls + "/" + name});
    }
  }
  return f;
}

TEST(Plan, RoundRobinCyclesThroughSourcesInFileOrder) {
  const auto f = folder({3, 2});
  const auto jobs = xr::augment::plan_augmentation(f, 7, 5, xr::augment::SourcePick::kRoundRobin);
  ASSERT_EQ(jobs.size(), 14u);
  for (int k = 0; k < 7; ++k) {
    EXPECT_EQ(jobs[k].label, 0);
    EXPECT_EQ(jobs[k].index, k);
    EXPECT_EQ(jobs[k].source, static_cast<size_t>(k % 3));
    EXPECT_EQ(jobs[7 + k].label, 1);
    EXPECT_EQ(jobs[7 + k].source, 3u + k % 2);
  }
  EXPECT_EQ(jobs[4].rel, "A/img1_aug4_s5.png");
  EXPECT_EQ(jobs[7 + 6].rel, "B c/img0_aug6_s5.png");
}

TEST(Plan, NamesArePaddedToSortInOrder) {
  EXPECT_EQ(xr::augment::augmented_file_name("x", 7, 1000, 3), "x_aug007_s3.png");
  EXPECT_EQ(xr::augment::augmented_file_name("x", 0, 1, 0), "x_aug0_s0.png");
  EXPECT_EQ(xr::augment::augmented_file_name("a b", 12, 11, 18446744073709551615ULL), "a b_aug12_s18446744073709551615.png");
  EXPECT_EQ(xr::augment::augmented_file_name("x", 9, 10, 1), "x_aug9_s1.png");
  EXPECT_EQ(xr::augment::augmented_file_name("x", 9, 11, 1), "x_aug09_s1.png");
}

TEST(Plan, NamesAreUnique) {
  const auto jobs = xr::augment::plan_augmentation(folder({4, 1, 2}), 50, 1, xr::augment::SourcePick::kRandom);
  std::set<std::string> names;
  for (const auto& j : jobs) names.insert(j.rel);
  EXPECT_EQ(names.size(), jobs.size());
}

TEST(Plan, StreamsDependOnSeedClassAndIndexOnly) {
  const auto a = xr::augment::plan_augmentation(folder({3, 3}), 4, 11, xr::augment::SourcePick::kRoundRobin);
  const auto b = xr::augment::plan_augmentation(folder({3, 3}), 4, 11, xr::augment::SourcePick::kRandom);
  const auto c = xr::augment::plan_augmentation(folder({3, 3}), 9, 11, xr::augment::SourcePick::kRoundRobin);
  const auto d = xr::augment::plan_augmentation(folder({3, 3}), 4, 12, xr::augment::SourcePick::kRoundRobin);
  std::set<uint64_t> seeds;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].param_seed, b[i].param_seed);  // pick mode does not change parameters
    EXPECT_NE(a[i].param_seed, d[i].param_seed);
    seeds.insert(a[i].param_seed);
  }
  EXPECT_EQ(seeds.size(), a.size());  // no two images share a stream
  // More images per class keep the first ones' streams.
  EXPECT_EQ(a[0].param_seed, c[0].param_seed);
  EXPECT_EQ(a[4].param_seed, c[9].param_seed);  // class 1, k = 0
}

TEST(Plan, RandomPickIsSeededAndCoversTheSources) {
  const auto f = folder({5});
  const auto a = xr::augment::plan_augmentation(f, 400, 3, xr::augment::SourcePick::kRandom);
  const auto b = xr::augment::plan_augmentation(f, 400, 3, xr::augment::SourcePick::kRandom);
  const auto c = xr::augment::plan_augmentation(f, 400, 4, xr::augment::SourcePick::kRandom);
  std::map<size_t, int> count;
  int differ = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].source, b[i].source);
    differ += a[i].source != c[i].source;
    ++count[a[i].source];
  }
  EXPECT_GT(differ, 200);
  ASSERT_EQ(count.size(), 5u);
  for (const auto& kv : count) EXPECT_NEAR(kv.second, 80, 35);
}

TEST(Plan, EmptyClassIsBadDataAndZeroIsUsage) {
  try {
    xr::augment::plan_augmentation(folder({2, 0}), 3, 0, xr::augment::SourcePick::kRoundRobin);
    FAIL() << "no error";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kDataErr);
    EXPECT_EQ(e.path(), "/data/B c");
  }
  EXPECT_THROW(xr::augment::plan_augmentation(folder({2}), 0, 0, xr::augment::SourcePick::kRoundRobin), xr::Error);
  EXPECT_EQ(xr::augment::parse_source_pick("random"), xr::augment::SourcePick::kRandom);
  EXPECT_THROW(xr::augment::parse_source_pick("shuffle"), xr::Error);
}

}  // namespace
