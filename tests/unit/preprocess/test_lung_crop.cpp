// One image and a whole raw dataset through xr-crop's rules: statuses, boxes,
// crop pixels against a hand-computed case, and outcomes independent of threads.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "../temp_dir.hpp"
#include "core/atomic_file.hpp"
#include "core/image_io.hpp"
#include "preprocess/lung_crop.hpp"

namespace fs = std::filesystem;

namespace {

xr::GrayImage rect_mask(int w, int h, xr::Box r) {
  xr::GrayImage m(w, h, 0);
  for (int y = r.y0; y < r.y1; ++y)
    for (int x = r.x0; x < r.x1; ++x) m.at(x, y) = 255;
  return m;
}

// Pixel value encodes its position, so a wrong crop offset shows.
xr::GrayImage ramp(int w, int h) {
  xr::GrayImage img(w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) img.at(x, y) = static_cast<uint8_t>((x * 7 + y * 13) % 256);
  return img;
}

void write(const std::string& path, const xr::GrayImage& img) {
  xr::ensure_directory(fs::path(path).parent_path().string());
  xr::write_png_gray8(path, img);
}

xr::RawEntry entry(const xr_test::TempDir& d, const std::string& cls, const std::string& name, bool mask) {
  xr::RawEntry e;
  e.name = name;
  e.image_path = d / (cls + "/images/" + name);
  if (mask) e.mask_path = d / (cls + "/masks/" + name);
  return e;
}

TEST(LungCrop, CropsToTheMaskBoxAndResizes) {
  xr_test::TempDir d("xr-test-lung-crop");
  const xr::GrayImage img = ramp(40, 30);
  write(d / "A/images/a.png", img);
  write(d / "A/masks/a.png", rect_mask(40, 30, {10, 6, 30, 26}));
  xr::preprocess::CropSettings s;
  s.size = 10;
  const auto o = xr::preprocess::crop_entry(entry(d, "A", "a.png", true), s);
  ASSERT_EQ(o.status, xr::preprocess::CropStatus::kOk) << o.detail;
  EXPECT_EQ(o.box.x0, 10);
  EXPECT_EQ(o.box.y0, 6);
  EXPECT_EQ(o.box.x1, 30);
  EXPECT_EQ(o.box.y1, 26);
  EXPECT_EQ(o.width, 40);
  EXPECT_EQ(o.height, 30);
  EXPECT_NEAR(o.lung_fraction, 400.0 / 1200.0, 1e-9);
  ASSERT_EQ(o.image.width, 10);
  ASSERT_EQ(o.image.height, 10);
  // 20x20 box to 10x10: each output pixel is the mean of a 2x2 block of the source.
  for (int y = 0; y < 10; ++y) {
    for (int x = 0; x < 10; ++x) {
      const int sx = 10 + 2 * x, sy = 6 + 2 * y;
      const double mean = (img.at(sx, sy) + img.at(sx + 1, sy) + img.at(sx, sy + 1) + img.at(sx + 1, sy + 1)) / 4.0;
      EXPECT_NEAR(o.image.at(x, y), mean, 0.5 + 1e-6) << x << "," << y;
    }
  }
}

TEST(LungCrop, NoMaskSkippedOrWhole) {
  xr_test::TempDir d("xr-test-lung-crop");
  write(d / "A/images/a.png", ramp(16, 12));
  xr::preprocess::CropSettings s;
  s.size = 8;
  const auto skipped = xr::preprocess::crop_entry(entry(d, "A", "a.png", false), s);
  EXPECT_EQ(skipped.status, xr::preprocess::CropStatus::kNoMask);
  EXPECT_TRUE(skipped.image.empty());
  s.whole_without_mask = true;
  const auto whole = xr::preprocess::crop_entry(entry(d, "A", "a.png", false), s);
  ASSERT_EQ(whole.status, xr::preprocess::CropStatus::kWholeImage);
  EXPECT_EQ(whole.box.x1, 16);
  EXPECT_EQ(whole.box.y1, 12);
  EXPECT_EQ(whole.image.width, 8);
  EXPECT_EQ(whole.lung_fraction, -1.0);
}

TEST(LungCrop, RefusedMasksAndUnreadableFiles) {
  xr_test::TempDir d("xr-test-lung-crop");
  write(d / "A/images/empty.png", ramp(20, 20));
  write(d / "A/masks/empty.png", xr::GrayImage(20, 20, 0));
  write(d / "A/images/wide.png", ramp(20, 20));
  write(d / "A/masks/wide.png", rect_mask(40, 20, {5, 5, 30, 15}));
  write(d / "A/images/badmask.png", ramp(20, 20));
  xr::write_file_atomic(d / "A/masks/badmask.png", "not a png");
  xr::write_file_atomic(d / "A/images/bad.png", std::string("\x89PNG\r\n\x1a\n", 8) + "junk");
  write(d / "A/masks/bad.png", rect_mask(20, 20, {5, 5, 15, 15}));
  xr::preprocess::CropSettings s;
  EXPECT_EQ(xr::preprocess::crop_entry(entry(d, "A", "empty.png", true), s).status, xr::preprocess::CropStatus::kEmptyMask);
  EXPECT_EQ(xr::preprocess::crop_entry(entry(d, "A", "wide.png", true), s).status, xr::preprocess::CropStatus::kAspectMismatch);
  const auto bad_mask = xr::preprocess::crop_entry(entry(d, "A", "badmask.png", true), s);
  EXPECT_EQ(bad_mask.status, xr::preprocess::CropStatus::kBadMask);
  EXPECT_EQ(bad_mask.width, 20);  // the image itself was read
  const auto bad = xr::preprocess::crop_entry(entry(d, "A", "bad.png", true), s);
  EXPECT_EQ(bad.status, xr::preprocess::CropStatus::kBadImage);
  EXPECT_EQ(bad.error_code, xr::Exit::kDataErr);
  EXPECT_NE(bad.detail.find("corrupt PNG"), std::string::npos) << bad.detail;
}

// A small raw dataset with every case, cropped on 1 and 3 threads: the same
// outcomes, the same files, and a manifest with the statuses in sorted rows.
TEST(LungCrop, DatasetOutcomesIndependentOfThreadsAndManifest) {
  xr_test::TempDir d("xr-test-lung-crop");
  for (int i = 0; i < 12; ++i) {
    const std::string n = "img" + std::to_string(i) + ".png";
    write(d / ("B b/images/" + n), ramp(30 + i, 30 + i));
    write(d / ("B b/masks/" + n), rect_mask(30, 30, {i, 2, 20 + i / 2, 25}));
  }
  write(d / "A/images/x.png", ramp(20, 20));      // no mask
  write(d / "A/images/x.jpg.png", ramp(20, 20));  // another name
  write(d / "A/images/gone.png", ramp(20, 20));   // excluded
  const xr::RawDataset raw = xr::scan_raw_dataset(d.path());
  ASSERT_EQ(raw.entries.size(), 15u);
  const auto exclude = xr::preprocess::ExclusionList::parse("A/gone.png\n");
  xr::preprocess::CropSettings s;
  s.size = 16;
  s.whole_without_mask = true;
  xr_test::TempDir out1, out3;
  for (const auto* o : {&out1, &out3}) {
    xr::ensure_directory(*o / "A");
    xr::ensure_directory(*o / "B b");
  }
  const auto r1 = xr::preprocess::crop_dataset(raw, exclude, s, out1.path(), 1);
  const auto r3 = xr::preprocess::crop_dataset(raw, exclude, s, out3.path(), 3);
  const std::string m1 = xr::format_csv(xr::preprocess::crop_manifest(raw, r1));
  EXPECT_EQ(m1, xr::format_csv(xr::preprocess::crop_manifest(raw, r3)));
  for (const auto& e : raw.entries) {
    const std::string rel = xr::preprocess::crop_output_name(raw, e);
    if (e.name == "gone.png") {
      EXPECT_FALSE(fs::exists(out1 / rel));
      continue;
    }
    EXPECT_EQ(xr::read_file(out1 / rel), xr::read_file(out3 / rel)) << rel;
  }
  const xr::CsvTable m = xr::preprocess::crop_manifest(raw, r1);
  ASSERT_EQ(m.rows.size(), 15u);
  EXPECT_EQ(m.header.front(), "path");
  EXPECT_EQ(m.header.back(), "status");
  EXPECT_TRUE(std::is_sorted(m.rows.begin(), m.rows.end()));
  const int status = m.column("status"), source = m.column("source"), path = m.column("path");
  int ok = 0, whole = 0, excluded = 0;
  for (const auto& row : m.rows) {
    if (row[status] == "ok") ++ok;
    if (row[status] == "whole_image") ++whole;
    if (row[status] == "excluded") {
      ++excluded;
      EXPECT_EQ(row[source], "A/images/gone.png");
      EXPECT_EQ(row[path], "");
    }
  }
  EXPECT_EQ(ok, 12);
  EXPECT_EQ(whole, 2);
  EXPECT_EQ(excluded, 1);
  EXPECT_EQ(m.rows.front()[source], "A/images/gone.png");  // empty path sorts first
}

TEST(LungCrop, SameStemIsANameClash) {
  xr_test::TempDir d("xr-test-lung-crop");
  write(d / "A/images/a.png", ramp(10, 10));
  xr::write_file_atomic(d / "A/images/a.pgm", "P5\n10 10\n255\n" + std::string(100, 'x'));
  const xr::RawDataset raw = xr::scan_raw_dataset(d.path());
  if (raw.entries.size() < 2) GTEST_SKIP() << "this build reads PNG only";
  xr::preprocess::CropSettings s;
  s.whole_without_mask = true;
  const auto r = xr::preprocess::crop_dataset(raw, xr::preprocess::ExclusionList{}, s, "", 1);
  // Sorted by file name: a.pgm comes first and keeps the name a.png.
  EXPECT_EQ(r[0].status, xr::preprocess::CropStatus::kWholeImage);
  EXPECT_EQ(r[1].status, xr::preprocess::CropStatus::kNameClash);
}

}  // namespace
