// The dataset on disk: layout, names, masks, options checks, and bytes that do not
// depend on the thread count.
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "../temp_dir.hpp"
#include "core/atomic_file.hpp"
#include "core/dataset.hpp"
#include "core/errors.hpp"
#include "core/image_io.hpp"
#include "phantom/dataset_writer.hpp"

namespace fs = std::filesystem;
using namespace xr::phantom;

namespace {

class DatasetWriter : public ::testing::Test {
 protected:
  const xr_test::TempDir tmp_{"xr-phantom-test"};
  const fs::path dir_{tmp_.path()};
};

DatasetOptions small(int per_class = 3) {
  DatasetOptions o;
  o.per_class = per_class;
  o.render.size = 64;
  o.seed = 9;
  return o;
}

xr::Exit usage_code(const DatasetOptions& o) {
  try {
    validate(o);
  } catch (const xr::Error& e) {
    return e.code();
  }
  return xr::Exit::kOk;
}

}  // namespace

TEST(DatasetWriterNames, DatabaseStyleFileNames) {
  EXPECT_EQ(image_file_name("COVID", 0), "COVID-1.png");
  EXPECT_EQ(image_file_name("Viral Pneumonia", 11), "Viral Pneumonia-12.png");
}

TEST_F(DatasetWriter, RawLayoutThatTheScannerReads) {
  DatasetOptions o = small(3);
  o.render.mask_size = 48;
  o.no_masks_for = {"COVID"};
  const DatasetSummary s = write_dataset(dir_.string(), o);
  EXPECT_EQ(s.images, 12);
  ASSERT_EQ(s.classes.size(), 4u);
  EXPECT_EQ(s.classes[0].name, "COVID");
  EXPECT_EQ(s.classes[0].masks, 0);
  EXPECT_EQ(s.classes[3].name, "Viral Pneumonia");
  EXPECT_EQ(s.classes[3].masks, 3);
  EXPECT_FALSE(fs::exists(dir_ / "COVID" / "masks"));

  const xr::RawDataset raw = xr::scan_raw_dataset(dir_.string());
  ASSERT_EQ(raw.classes, (std::vector<std::string>{"COVID", "Lung_Opacity", "Normal", "Viral Pneumonia"}));
  ASSERT_EQ(raw.entries.size(), 12u);
  for (const auto& e : raw.entries) {
    EXPECT_EQ(e.mask_path.empty(), raw.classes[e.label] == "COVID") << e.name;
    const xr::GrayImage img = xr::read_gray8(e.image_path);
    EXPECT_EQ(img.width, 64);
    EXPECT_EQ(img.height, 64);
    if (!e.mask_path.empty()) {
      const xr::GrayImage m = xr::read_gray8(e.mask_path);
      EXPECT_EQ(m.width, 48);
      EXPECT_EQ(m.height, 48);
    }
  }
  EXPECT_TRUE(fs::exists(dir_ / "Viral Pneumonia" / "images" / "Viral Pneumonia-3.png"));
}

TEST_F(DatasetWriter, BytesDoNotDependOnThreads) {
  DatasetOptions o = small(4);
  o.render.marker_fraction = 0.5;
  o.threads = 1;
  const DatasetSummary a = write_dataset((dir_ / "a").string(), o);
  o.threads = 3;
  const DatasetSummary b = write_dataset((dir_ / "b").string(), o);
  EXPECT_EQ(a.marked, b.marked);
  for (const auto& e : fs::recursive_directory_iterator(dir_ / "a")) {
    if (!e.is_regular_file()) continue;
    const fs::path rel = fs::relative(e.path(), dir_ / "a");
    EXPECT_EQ(xr::read_file(e.path().string()), xr::read_file((dir_ / "b" / rel).string())) << rel;
  }
}

TEST_F(DatasetWriter, SubsetsAndCountsKeepEachImage) {
  // Image i of a class is the same whatever other classes or counts are asked for.
  DatasetOptions all = small(3);
  write_dataset((dir_ / "all").string(), all);
  DatasetOptions one = small(5);
  one.classes = {"Normal"};
  write_dataset((dir_ / "one").string(), one);
  EXPECT_FALSE(fs::exists(dir_ / "one" / "COVID"));
  for (const char* name : {"Normal-1.png", "Normal-3.png"}) {
    EXPECT_EQ(xr::read_file((dir_ / "all" / "Normal" / "images" / name).string()),
              xr::read_file((dir_ / "one" / "Normal" / "images" / name).string()));
  }
  EXPECT_TRUE(fs::exists(dir_ / "one" / "Normal" / "images" / "Normal-5.png"));
}

TEST_F(DatasetWriter, MarkedListNamesTheMarkedImages) {
  DatasetOptions o = small(5);
  o.render.marker_fraction = 0.4;
  const DatasetSummary s = write_dataset(dir_.string(), o);
  EXPECT_GT(s.marked.size(), 0u);
  EXPECT_LT(s.marked.size(), 20u);
  EXPECT_TRUE(std::is_sorted(s.marked.begin(), s.marked.end()));
  o.render.marker_fraction = 0;
  EXPECT_TRUE(write_dataset((dir_ / "none").string(), o).marked.empty());
}

TEST(DatasetWriterValidate, RejectsBadOptionsAsUsageErrors) {
  EXPECT_EQ(usage_code(small()), xr::Exit::kOk);
  DatasetOptions o = small();
  o.per_class = 0;
  EXPECT_EQ(usage_code(o), xr::Exit::kUsage);
  o = small();
  o.classes = {"COVID", "Pneumonia"};
  EXPECT_EQ(usage_code(o), xr::Exit::kUsage);
  o.classes = {"Normal", "Normal"};
  EXPECT_EQ(usage_code(o), xr::Exit::kUsage);
  o = small();
  o.classes = {"Normal"};
  o.no_masks_for = {"COVID"};  // not among the classes written
  EXPECT_EQ(usage_code(o), xr::Exit::kUsage);
  o = small();
  o.render.size = 16;
  EXPECT_EQ(usage_code(o), xr::Exit::kUsage);
  o = small();
  o.render.mask_size = 8;
  EXPECT_EQ(usage_code(o), xr::Exit::kUsage);
  o = small();
  o.render.difficulty = 1.5;
  EXPECT_EQ(usage_code(o), xr::Exit::kUsage);
  o = small();
  o.render.marker_fraction = -0.1;
  EXPECT_EQ(usage_code(o), xr::Exit::kUsage);
}
