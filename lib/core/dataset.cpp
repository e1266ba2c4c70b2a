#include "core/dataset.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"

namespace fs = std::filesystem;

namespace xr {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool hidden(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

void require_directory(const std::string& root) {
  std::error_code ec;
  if (!fs::exists(root, ec)) fail_missing(root, "no such directory");
  if (!fs::is_directory(root, ec)) fail_data(root, "not a directory");
}

// The entries of a folder; an unreadable folder is an I/O error naming it (the
// throwing directory_iterator would surface as an internal error).
std::vector<fs::directory_entry> list_directory(const std::string& dir) {
  std::error_code ec;
  std::vector<fs::directory_entry> out;
  fs::directory_iterator it(dir, ec);
  if (ec) fail_io(dir, "cannot list folder (" + ec.message() + ")");
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    out.push_back(*it);
  }
  if (ec) fail_io(dir, "cannot list folder (" + ec.message() + ")");
  return out;
}

// classes.txt holds one class a line, and class names reach CSV cells and report
// tables: a line break or any other control character cannot be written there.
void check_class_name(const std::string& name, const std::string& where) {
  const bool control = std::any_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
  if (control) {
    fail_data(where, "a class folder name cannot hold a line break or other control character "
                     "(classes.txt lists one class a line)");
  }
}

// Class folders in their order: classes.txt if present, else sorted names.
std::vector<std::string> class_order(const std::string& root) {
  const fs::path list = fs::path(root) / "classes.txt";
  std::vector<std::string> classes;
  std::error_code ec;
  if (fs::exists(list, ec)) {
    std::istringstream in(read_file(list.string()));
    std::string line;
    std::set<std::string> seen;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      if (line == "." || line == ".." || line.find('/') != std::string::npos) {
        fail_data(list.string(), "a class name must be a folder name, not a path (" + line + ")");
      }
      if (!seen.insert(line).second) fail_data(list.string(), "class listed twice (" + line + ")");
      if (!fs::is_directory(fs::path(root) / line, ec)) {
        fail_data(list.string(), "lists a class with no folder (" + line + ")");
      }
      classes.push_back(line);
    }
    // A folder the list leaves out would be dropped without a word (a whole class
    // once vanished from xr-augment's output, exit 0): an unlisted folder that holds
    // anything is bad data. Empty and hidden folders stay ignored.
    for (const auto& e : list_directory(root)) {
      std::error_code ec_dir;
      const std::string name = e.path().filename().string();
      if (hidden(e.path()) || !e.is_directory(ec_dir) || seen.count(name)) continue;
      if (fs::directory_iterator(e.path(), ec_dir) == fs::directory_iterator()) continue;
      fail_data(list.string(), "does not list the class folder '" + name +
                                   "' (add it to classes.txt, or move the folder out of " + root + ")");
    }
  } else {
    for (const auto& e : list_directory(root)) {
      std::error_code ec_dir;
      if (!hidden(e.path()) && e.is_directory(ec_dir)) classes.push_back(e.path().filename().string());
    }
    std::sort(classes.begin(), classes.end());
  }
  if (classes.empty()) fail_data(root, "no class folders");
  for (const auto& c : classes) check_class_name(c, (fs::path(root) / c).string());
  return classes;
}

std::vector<fs::path> image_files(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return files;
  for (const auto& e : list_directory(dir.string())) {
    std::error_code ec_file;
    if (!hidden(e.path()) && e.is_regular_file(ec_file) && is_image_file_name(e.path().filename().string())) {
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

bool is_image_file_name(const std::string& name) {
  const std::string ext = lower(fs::path(name).extension().string());
  if (ext == ".png") return true;
#if XR_HAVE_STB
  return ext == ".jpg" || ext == ".jpeg" || ext == ".bmp" || ext == ".tga" || ext == ".pgm" || ext == ".ppm";
#else
  return false;
#endif
}

std::vector<int> ImageFolder::counts() const {
  std::vector<int> n(classes.size(), 0);
  for (const auto& e : images) ++n[e.label];
  return n;
}

int ImageFolder::class_index(const std::string& name) const {
  auto it = std::find(classes.begin(), classes.end(), name);
  return it == classes.end() ? -1 : static_cast<int>(it - classes.begin());
}

ImageFolder scan_image_folder(const std::string& root) {
  require_directory(root);
  ImageFolder folder;
  folder.root = root;
  folder.classes = class_order(root);
  for (size_t c = 0; c < folder.classes.size(); ++c) {
    for (const auto& file : image_files(fs::path(root) / folder.classes[c])) {
      folder.images.push_back(
          {static_cast<int>(c), file.string(), folder.classes[c] + "/" + file.filename().string()});
    }
  }
  return folder;
}

RawDataset scan_raw_dataset(const std::string& root) {
  require_directory(root);
  RawDataset raw;
  raw.root = root;
  raw.classes = class_order(root);
  for (size_t c = 0; c < raw.classes.size(); ++c) {
    const fs::path class_dir = fs::path(root) / raw.classes[c];
    const fs::path images = class_dir / "images";
    std::error_code ec;
    if (!fs::is_directory(images, ec)) {
      fail_data(class_dir.string(), "not in the raw layout (no images/ folder)");
    }
    const fs::path masks = class_dir / "masks";
    for (const auto& file : image_files(images)) {
      RawEntry e;
      e.label = static_cast<int>(c);
      e.name = file.filename().string();
      e.image_path = file.string();
      const fs::path mask = masks / file.filename();
      if (fs::is_regular_file(mask, ec)) e.mask_path = mask.string();
      raw.entries.push_back(std::move(e));
    }
  }
  return raw;
}

void require_images_in_every_class(const ImageFolder& folder) {
  const auto n = folder.counts();
  for (size_t c = 0; c < n.size(); ++c) {
    if (n[c] == 0) fail_data((fs::path(folder.root) / folder.classes[c]).string(), "class has no images");
  }
}

void require_same_classes(const ImageFolder& a, const ImageFolder& b) {
  if (a.classes == b.classes) return;
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  fail_data(b.root, "class list differs from " + a.root + " (" + join(b.classes) + " vs " + join(a.classes) + ")");
}

void write_class_list(const std::string& dir, const std::vector<std::string>& classes) {
  std::string text;
  for (const auto& c : classes) {
    check_class_name(c, (fs::path(dir) / c).string());
    text += c + "\n";
  }
  write_file_atomic((fs::path(dir) / "classes.txt").string(), text);
}

}  // namespace xr
