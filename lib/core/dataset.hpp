// The two folder layouts the tools read:
//  - an image folder: <root>/<class>/<name>.png, the class order sorted by name
//    unless <root>/classes.txt lists it (one name a line);
//  - a raw dataset (the COVID-19 Radiography Database layout):
//    <root>/<class>/images/<name>.png with optional <root>/<class>/masks/<name>.png.
// Hidden files (names starting with '.') are ignored: they include the toolkit's
// own temporaries.
#pragma once
#include <string>
#include <vector>

namespace xr {

struct ImageEntry {
  int label = 0;       // index into classes
  std::string path;    // full path
  std::string rel;     // "<class>/<name>", relative to the root
};

struct ImageFolder {
  std::string root;
  std::vector<std::string> classes;
  std::vector<ImageEntry> images;  // sorted by class order, then file name
  std::vector<int> counts() const;  // images per class
  int class_index(const std::string& name) const;  // -1 if absent
};

struct RawEntry {
  int label = 0;
  std::string name;        // file name of the image
  std::string image_path;
  std::string mask_path;   // empty when the class has no mask for it
};

struct RawDataset {
  std::string root;
  std::vector<std::string> classes;
  std::vector<RawEntry> entries;  // sorted by class order, then file name
};

bool is_image_file_name(const std::string& name);

// Throws kNoInput if root is missing, kDataErr if it holds no class folder or a
// classes.txt names a missing folder. A class folder without images is kept with
// a count of 0: whether that is an error is the caller's rule (see
// require_images_in_every_class).
ImageFolder scan_image_folder(const std::string& root);
RawDataset scan_raw_dataset(const std::string& root);

// kDataErr naming the first class with no images.
void require_images_in_every_class(const ImageFolder& folder);

// Writes DIR/classes.txt, the class order the readers above keep (one name a line),
// atomically: the one writer of the format. kDataErr for a name with a control character.
void write_class_list(const std::string& dir, const std::vector<std::string>& classes);

// The class list of several folders must be the same (kDataErr otherwise).
void require_same_classes(const ImageFolder& a, const ImageFolder& b);

}  // namespace xr
