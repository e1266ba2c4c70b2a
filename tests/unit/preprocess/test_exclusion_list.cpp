// Exclusion list parsing and matching: names, class-qualified names, comments,
// blanks, CRLF, and the entries that match nothing.
#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "preprocess/exclusion_list.hpp"

namespace {

TEST(ExclusionList, ParsesNamesSkippingCommentsAndBlanks) {
  const auto list = xr::preprocess::ExclusionList::parse("# annotated\r\nCOVID-1.png\r\n\n  Viral Pneumonia/VP-2.png  \n# x.png\n");
  EXPECT_EQ(list.size(), 2u);
  EXPECT_TRUE(list.excludes("COVID", "COVID-1.png"));
  EXPECT_TRUE(list.excludes("Normal", "COVID-1.png"));  // a bare name matches in every class
  EXPECT_TRUE(list.excludes("Viral Pneumonia", "VP-2.png"));
  EXPECT_FALSE(list.excludes("Normal", "VP-2.png"));    // a class-qualified name only there
  EXPECT_FALSE(list.excludes("COVID", "x.png"));
  EXPECT_FALSE(list.excludes("COVID", "COVID-10.png"));
}

TEST(ExclusionList, ClassImagesFormAndDuplicates) {
  const auto list = xr::preprocess::ExclusionList::parse("A/images/a.png\nA/images/a.png\n");
  EXPECT_EQ(list.size(), 1u);
  EXPECT_TRUE(list.excludes("A", "a.png"));
  EXPECT_FALSE(list.excludes("B", "a.png"));
}

TEST(ExclusionList, EmptyListExcludesNothing) {
  const auto list = xr::preprocess::ExclusionList::parse("\n# nothing\n");
  EXPECT_TRUE(list.empty());
  EXPECT_FALSE(list.excludes("A", "a.png"));
}

TEST(ExclusionList, UnmatchedEntriesInFileOrder) {
  xr::RawDataset raw;
  raw.classes = {"A", "B"};
  raw.entries.push_back({0, "a.png", "r/A/images/a.png", ""});
  raw.entries.push_back({1, "b.png", "r/B/images/b.png", ""});
  const auto list = xr::preprocess::ExclusionList::parse("zz.png\nB/b.png\nA/b.png\na.png\n");
  const auto unmatched = list.unmatched(raw);
  ASSERT_EQ(unmatched.size(), 2u);
  EXPECT_EQ(unmatched[0], "zz.png");
  EXPECT_EQ(unmatched[1], "A/b.png");
}

TEST(ExclusionList, MissingFileIsNoInput) {
  try {
    xr::preprocess::ExclusionList::read("/nonexistent/exclude.txt");
    FAIL() << "no error";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kNoInput);
  }
}

}  // namespace
