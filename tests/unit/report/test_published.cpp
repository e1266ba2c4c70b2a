// data/paper/published.csv against the paper's text as issue 12 quotes it (the
// values below are typed from that quote, the independent source: a changed value
// in the file fails here), the compiled-in copy against the file, and the lookups.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../exit_code.hpp"
#include "report/published.hpp"

namespace fs = std::filesystem;
namespace rep = xr::report;

namespace {

std::string file_text() {
  const char* src = std::getenv("XR_SOURCE_DIR");
  const fs::path p = fs::path(src ? src : ".") / "data" / "paper" / "published.csv";
  std::ifstream in(p);
  EXPECT_TRUE(in.good()) << p;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Quoted {
  std::string table;
  double per_class;
  std::string pipeline;
  std::vector<double> values;  // accuracy, precision, recall, F1, specificity, MCC (Table 4: accuracy)
};

// Issue 12: "Table 2 (1000 per class): none 0.85 / 0.845 / 0.769 / 0.805 / 0.931 / 0.74,
// classical 0.87 / 0.861 / 0.815 / 0.837 / 0.934 / 0.78, GAN 0.862 / 0.822 / 0.815 /
// 0.819 / 0.936 / 0.76 (accuracy, precision, recall, F1, specificity, MCC). Table 3
// (500 per class): none 0.783 / 0.659 / 0.68 / 0.669 / 0.903 / 0.573, classical
// 0.842 / 0.85 / 0.789 / 0.818 / 0.93 / 0.749, GAN 0.81 / 0.83 / 0.685 / 0.751 / 0.9 /
// 0.665. Table 4 (the original article, 2000 per class, accuracy): 0.855 / 0.891 / 0.871."
const std::vector<Quoted>& quoted() {
  static const std::vector<Quoted> k{
      {"2", 1000, "none", {0.85, 0.845, 0.769, 0.805, 0.931, 0.74}},
      {"2", 1000, "classical", {0.87, 0.861, 0.815, 0.837, 0.934, 0.78}},
      {"2", 1000, "gan", {0.862, 0.822, 0.815, 0.819, 0.936, 0.76}},
      {"3", 500, "none", {0.783, 0.659, 0.68, 0.669, 0.903, 0.573}},
      {"3", 500, "classical", {0.842, 0.85, 0.789, 0.818, 0.93, 0.749}},
      {"3", 500, "gan", {0.81, 0.83, 0.685, 0.751, 0.9, 0.665}},
      {"4", 2000, "none", {0.855}},
      {"4", 2000, "classical", {0.891}},
      {"4", 2000, "gan", {0.871}},
  };
  return k;
}

const std::vector<std::string> kMetrics{"accuracy", "precision", "recall", "f1", "specificity", "mcc"};

void expect_quoted(const std::vector<rep::PaperTable>& tables, const std::string& what) {
  ASSERT_EQ(tables.size(), 3u) << what;
  size_t n_file = 0, n_quoted = 0;
  for (const auto& t : tables) {
    for (const auto& p : t.values) n_file += p.second.size();
  }
  for (const auto& q : quoted()) {
    n_quoted += q.values.size();
    auto t = std::find_if(tables.begin(), tables.end(), [&](const rep::PaperTable& x) { return x.table == q.table; });
    ASSERT_NE(t, tables.end()) << what << ": no Table " << q.table;
    EXPECT_EQ(t->per_class, q.per_class) << what << " Table " << q.table;
    for (size_t i = 0; i < q.values.size(); ++i) {
      const auto v = t->value(q.pipeline, kMetrics[i]);
      ASSERT_TRUE(v.has_value()) << what << " Table " << q.table << " " << q.pipeline << " " << kMetrics[i];
      // The file holds the paper's decimals exactly as printed.
      EXPECT_EQ(*v, q.values[i]) << what << " Table " << q.table << " " << q.pipeline << " " << kMetrics[i];
    }
  }
  EXPECT_EQ(n_file, n_quoted) << what << ": the file holds values the paper's text does not";
}

}  // namespace

TEST(Published, FileEqualsThePapersText) { expect_quoted(rep::parse_published(file_text(), "published.csv"), "file"); }

TEST(Published, CompiledInCopyIsTheFile) {
  EXPECT_EQ(rep::published_csv_text(), file_text()) << "rebuild: the compiled-in copy is stale";
  expect_quoted(rep::paper_tables(), "compiled in");
}

TEST(Published, PapersF1IsTheHarmonicMeanOfItsPrecisionAndRecall) {
  // The reason the report's F1 column is 2PR/(P+R) (issue 12): every row of Tables 2-3,
  // to 0.00052 at most, P and R being themselves rounded to 3 decimals. sklearn's
  // macro F1 (a mean of per-class F1s) is not a function of P and R at all.
  for (const auto& t : rep::paper_tables()) {
    for (const auto& [pipe, m] : t.values) {
      if (!m.count("f1")) continue;
      const double p = m.at("precision"), r = m.at("recall");
      EXPECT_NEAR(m.at("f1"), 2 * p * r / (p + r), 0.0006) << "Table " << t.table << " " << pipe;
    }
  }
}

TEST(Published, NearestTableOnALogScale) {
  EXPECT_EQ(rep::nearest_paper_table(1000)->table, "2");
  EXPECT_EQ(rep::nearest_paper_table(500)->table, "3");
  EXPECT_EQ(rep::nearest_paper_table(2000)->table, "4");
  EXPECT_EQ(rep::nearest_paper_table(60)->table, "3");
  EXPECT_EQ(rep::nearest_paper_table(800)->table, "2");
  EXPECT_EQ(rep::nearest_paper_table(5000)->table, "4");
  EXPECT_EQ(rep::nearest_paper_table(0)->table, "3");  // unknown size: the smallest table
}

TEST(Published, MalformedFilesAreDataErrors) {
  const std::string head = "table,page,per_class,pipeline,metric,value,caption\n";
  EXPECT_EQ(xr_test::code_of([&] { rep::parse_published(head + "2,,1000,none,accuracy,x,c\n", "f"); }), xr::Exit::kDataErr);
  EXPECT_EQ(xr_test::code_of([&] {
              rep::parse_published(head + "2,,1000,none,accuracy,0.5,c\n2,,1000,none,accuracy,0.6,c\n", "f");
            }),
            xr::Exit::kDataErr);
  EXPECT_EQ(xr_test::code_of([&] {
              rep::parse_published(head + "2,,1000,none,accuracy,0.5,c\n2,,500,gan,accuracy,0.6,c\n", "f");
            }),
            xr::Exit::kDataErr);
  EXPECT_EQ(xr_test::code_of([&] { rep::parse_published("table,value\n2,0.5\n", "f"); }), xr::Exit::kDataErr);
}
