// Dataset scanning: class order (sorted or classes.txt), hidden and non-image files
// ignored, empty classes kept with count 0, class names with spaces, and the raw
// layout with and without masks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "../temp_dir.hpp"
#include "core/atomic_file.hpp"
#include "core/dataset.hpp"
#include "core/errors.hpp"

namespace fs = std::filesystem;
using Names = std::vector<std::string>;

namespace {

class DatasetTest : public ::testing::Test {
 protected:

  // The scanner looks at names only, so the files need not be real images.
  void touch(const std::string& rel) {
    fs::create_directories((root_ / rel).parent_path());
    xr::write_file_atomic((root_ / rel).string(), "x");
  }
  std::string root() const { return root_.string(); }

  template <typename Fn>
  std::string expect_error(Fn fn, xr::Exit code) {
    try {
      fn();
    } catch (const xr::Error& e) {
      EXPECT_EQ(static_cast<int>(e.code()), static_cast<int>(code)) << e.what();
      return e.path() + ": " + e.what();
    }
    ADD_FAILURE() << "no error";
    return "";
  }

  const xr_test::TempDir tmp_{"xr-test-dataset"};
  const fs::path root_{tmp_.path()};
};

Names rels(const xr::ImageFolder& f) {
  Names out;
  for (const auto& e : f.images) out.push_back(e.rel);
  return out;
}

}  // namespace

TEST_F(DatasetTest, SortedClassOrderAndLabels) {
  touch("Normal/b.png");
  touch("Normal/a.png");
  touch("COVID/z.png");
  touch("Viral Pneumonia/v 1.png");
  const xr::ImageFolder f = xr::scan_image_folder(root());
  EXPECT_EQ(f.classes, (Names{"COVID", "Normal", "Viral Pneumonia"}));
  EXPECT_EQ(rels(f), (Names{"COVID/z.png", "Normal/a.png", "Normal/b.png", "Viral Pneumonia/v 1.png"}));
  EXPECT_EQ(f.images[0].label, 0);
  EXPECT_EQ(f.images[2].label, 1);
  EXPECT_EQ(f.images[3].label, 2);
  EXPECT_EQ(f.images[3].path, (root_ / "Viral Pneumonia" / "v 1.png").string());
  EXPECT_EQ(f.counts(), (std::vector<int>{1, 2, 1}));
  EXPECT_EQ(f.class_index("Viral Pneumonia"), 2);
  EXPECT_EQ(f.class_index("Viral"), -1);
}

TEST_F(DatasetTest, SortIsByteOrderNotLocale) {
  touch("b/x.png");
  touch("B/x.png");
  touch("a/x.png");
  EXPECT_EQ(xr::scan_image_folder(root()).classes, (Names{"B", "a", "b"}));
}

TEST_F(DatasetTest, ClassesTxtSetsTheOrder) {
  touch("Normal/a.png");
  touch("COVID/a.png");
  touch("Lung Opacity/a.png");
  xr::write_file_atomic((root_ / "classes.txt").string(), "Normal\r\nLung Opacity\n\nCOVID\n");
  const xr::ImageFolder f = xr::scan_image_folder(root());
  EXPECT_EQ(f.classes, (Names{"Normal", "Lung Opacity", "COVID"}));
  EXPECT_EQ(rels(f), (Names{"Normal/a.png", "Lung Opacity/a.png", "COVID/a.png"}));
  EXPECT_EQ(f.images[2].label, 2);
}

TEST_F(DatasetTest, ClassesTxtErrors) {
  touch("A/a.png");
  xr::write_file_atomic((root_ / "classes.txt").string(), "A\nMissing\n");
  std::string msg = expect_error([&] { xr::scan_image_folder(root()); }, xr::Exit::kDataErr);
  EXPECT_NE(msg.find("Missing"), std::string::npos) << msg;
  xr::write_file_atomic((root_ / "classes.txt").string(), "A\nA\n");
  msg = expect_error([&] { xr::scan_image_folder(root()); }, xr::Exit::kDataErr);
  EXPECT_NE(msg.find("twice"), std::string::npos) << msg;
  xr::write_file_atomic((root_ / "classes.txt").string(), "A\n../A\n");
  expect_error([&] { xr::scan_image_folder(root()); }, xr::Exit::kDataErr);
}

TEST_F(DatasetTest, AFolderClassesTxtLeavesOutIsBadDataUnlessEmptyOrHidden) {
  touch("A/a.png");
  touch("B/b.png");
  fs::create_directories(root_ / "empty");
  touch(".staging/x.png");
  xr::write_file_atomic((root_ / "classes.txt").string(), "A\n");
  const std::string msg = expect_error([&] { xr::scan_image_folder(root()); }, xr::Exit::kDataErr);
  EXPECT_EQ(msg, (root_ / "classes.txt").string() + ": does not list the class folder 'B' (add it to classes.txt, "
                 "or move the folder out of " + root() + ")");
  fs::remove_all(root_ / "B");
  EXPECT_EQ(xr::scan_image_folder(root()).classes, (Names{"A"}));  // empty and hidden folders ignored
}

TEST_F(DatasetTest, AClassNameWithAControlCharacterIsRefusedOnReadAndWrite) {
  touch("A/a.png");
  touch("B\nC/a.png");
  std::string msg = expect_error([&] { xr::scan_image_folder(root()); }, xr::Exit::kDataErr);
  EXPECT_NE(msg.find("cannot hold a line break or other control character"), std::string::npos) << msg;
  fs::remove_all(root_ / "B\nC");
  touch("B\tC/a.png");
  msg = expect_error([&] { xr::scan_image_folder(root()); }, xr::Exit::kDataErr);
  EXPECT_NE(msg.find("control character"), std::string::npos) << msg;
  fs::remove_all(root_ / "B\tC");
  expect_error([&] { xr::write_class_list(root(), {"A", "B\nC"}); }, xr::Exit::kDataErr);
  EXPECT_FALSE(fs::exists(root_ / "classes.txt"));
  xr::write_class_list(root(), {"A"});
  EXPECT_EQ(xr::read_file((root_ / "classes.txt").string()), "A\n");
}

TEST_F(DatasetTest, HiddenAndNonImageFilesAreIgnored) {
  touch("A/a.png");
  touch("A/.a.png.tmp-123-0");
  touch("A/.hidden.png");
  touch("A/notes.txt");
  touch("A/B.PNG");  // extension case does not matter
  touch(".staged/x.png");
  touch("A/sub/deeper.png");  // not searched recursively
  const xr::ImageFolder f = xr::scan_image_folder(root());
  EXPECT_EQ(f.classes, (Names{"A"}));
  EXPECT_EQ(rels(f), (Names{"A/B.PNG", "A/a.png"}));
}

TEST_F(DatasetTest, EmptyClassIsKeptWithCountZero) {
  touch("A/a.png");
  fs::create_directories(root_ / "Empty class");
  const xr::ImageFolder f = xr::scan_image_folder(root());
  EXPECT_EQ(f.classes, (Names{"A", "Empty class"}));
  EXPECT_EQ(f.counts(), (std::vector<int>{1, 0}));
  const std::string msg = expect_error([&] { xr::require_images_in_every_class(f); }, xr::Exit::kDataErr);
  EXPECT_NE(msg.find("Empty class"), std::string::npos) << msg;
}

TEST_F(DatasetTest, MissingOrEmptyRoot) {
  expect_error([&] { xr::scan_image_folder((root_ / "nowhere").string()); }, xr::Exit::kNoInput);
  std::string msg = expect_error([&] { xr::scan_image_folder(root()); }, xr::Exit::kDataErr);
  EXPECT_NE(msg.find("no class folders"), std::string::npos) << msg;
  touch("file.png");
  expect_error([&] { xr::scan_image_folder((root_ / "file.png").string()); }, xr::Exit::kDataErr);
}

TEST_F(DatasetTest, SameClasses) {
  touch("x/A/a.png");
  touch("x/B/a.png");
  touch("y/A/a.png");
  touch("z/B/a.png");
  touch("z/A/a.png");
  const auto x = xr::scan_image_folder((root_ / "x").string());
  const auto y = xr::scan_image_folder((root_ / "y").string());
  const auto z = xr::scan_image_folder((root_ / "z").string());
  EXPECT_NO_THROW(xr::require_same_classes(x, z));
  expect_error([&] { xr::require_same_classes(x, y); }, xr::Exit::kDataErr);
}

TEST_F(DatasetTest, RawLayoutWithAndWithoutMasks) {
  touch("COVID/images/c1.png");
  touch("COVID/images/c2.png");
  touch("COVID/masks/c1.png");
  touch("COVID/masks/c2.png");
  touch("Viral Pneumonia/images/v1.png");  // no masks folder at all
  touch("Normal/images/n1.png");
  touch("Normal/images/n2.png");
  touch("Normal/masks/n2.png");  // only some masks
  touch("Normal/masks/orphan.png");
  touch("Normal/images/.hidden.png");
  const xr::RawDataset raw = xr::scan_raw_dataset(root());
  EXPECT_EQ(raw.classes, (Names{"COVID", "Normal", "Viral Pneumonia"}));
  ASSERT_EQ(raw.entries.size(), 5u);
  EXPECT_EQ(raw.entries[0].name, "c1.png");
  EXPECT_EQ(raw.entries[0].image_path, (root_ / "COVID/images/c1.png").string());
  EXPECT_EQ(raw.entries[0].mask_path, (root_ / "COVID/masks/c1.png").string());
  EXPECT_EQ(raw.entries[2].name, "n1.png");
  EXPECT_EQ(raw.entries[2].label, 1);
  EXPECT_EQ(raw.entries[2].mask_path, "");
  EXPECT_EQ(raw.entries[3].mask_path, (root_ / "Normal/masks/n2.png").string());
  EXPECT_EQ(raw.entries[4].name, "v1.png");
  EXPECT_EQ(raw.entries[4].label, 2);
  EXPECT_EQ(raw.entries[4].mask_path, "");
}

TEST_F(DatasetTest, RawLayoutNeedsImagesFolder) {
  touch("A/images/a.png");
  touch("B/a.png");
  const std::string msg = expect_error([&] { xr::scan_raw_dataset(root()); }, xr::Exit::kDataErr);
  EXPECT_NE(msg.find("images/"), std::string::npos) << msg;
}

TEST(ImageFileName, Extensions) {
  EXPECT_TRUE(xr::is_image_file_name("a.png"));
  EXPECT_TRUE(xr::is_image_file_name("A.PnG"));
  EXPECT_FALSE(xr::is_image_file_name("a.txt"));
  EXPECT_FALSE(xr::is_image_file_name("png"));
  EXPECT_FALSE(xr::is_image_file_name("classes.txt"));
}
