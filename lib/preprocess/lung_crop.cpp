#include "preprocess/lung_crop.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include "core/image_io.hpp"
#include "core/log.hpp"
#include "core/parallel.hpp"
#include "core/text.hpp"

namespace fs = std::filesystem;

namespace xr::preprocess {

const char* crop_status_name(CropStatus status) {
  switch (status) {
    case CropStatus::kOk: return "ok";
    case CropStatus::kWholeImage: return "whole_image";
    case CropStatus::kExcluded: return "excluded";
    case CropStatus::kNoMask: return "no_mask";
    case CropStatus::kEmptyMask: return "empty_mask";
    case CropStatus::kAspectMismatch: return "aspect_mismatch";
    case CropStatus::kBadImage: return "bad_image";
    case CropStatus::kBadMask: return "bad_mask";
    case CropStatus::kNameClash: return "name_clash";
  }
  return "unknown";
}

bool crop_written(CropStatus status) { return status == CropStatus::kOk || status == CropStatus::kWholeImage; }

bool crop_problem(CropStatus status) { return !crop_written(status) && status != CropStatus::kExcluded; }

std::string crop_output_name(const RawDataset& raw, const RawEntry& entry) {
  return raw.classes[entry.label] + "/" + fs::path(entry.name).stem().string() + ".png";
}

namespace {

std::string size_text(int w, int h) { return std::to_string(w) + "x" + std::to_string(h); }

// A new file inside the staged output folder, written in place: the folder is the
// unit that appears atomically (xr::StagedDir), so a temporary name and a rename
// per file would only add two directory operations per image.
void write_new_file(const std::string& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) fail_create(path, std::string("cannot create (") + std::strerror(errno) + ")");
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      fail_io(path, std::string("write failed (") + std::strerror(err) + ")");
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) fail_io(path, std::string("write failed (") + std::strerror(errno) + ")");
}

}  // namespace

CropOutcome crop_entry(const RawEntry& entry, const CropSettings& settings) {
  CropOutcome out;
  if (entry.mask_path.empty() && !settings.whole_without_mask) {
    // Not even decoded: the image is skipped whatever it holds.
    out.status = CropStatus::kNoMask;
    out.detail = "no mask (use --no-mask to take the whole image)";
    out.error_code = Exit::kDataErr;
    return out;
  }
  GrayImage image;
  try {
    image = read_gray8(entry.image_path);
  } catch (const Error& e) {
    out.status = CropStatus::kBadImage;
    out.detail = std::string("unreadable image: ") + e.what();
    out.error_code = e.code();
    return out;
  }
  out.width = image.width;
  out.height = image.height;

  if (entry.mask_path.empty()) {
    out.status = CropStatus::kWholeImage;
    out.box = Box{0, 0, image.width, image.height};
  } else {
    GrayImage mask;
    try {
      mask = read_gray8(entry.mask_path);
    } catch (const Error& e) {
      out.status = CropStatus::kBadMask;
      out.detail = std::string("unreadable mask: ") + e.what();
      out.error_code = e.code();
      return out;
    }
    const LungBox lung = lung_box(mask, image.width, image.height, settings.mask);
    out.box = lung.box;
    if (lung.verdict == MaskVerdict::kAspectMismatch) {
      out.status = CropStatus::kAspectMismatch;
      out.detail = "mask " + size_text(mask.width, mask.height) + " has another aspect ratio than image " +
                   size_text(image.width, image.height) + " (difference " +
                   format_fixed(aspect_difference(mask.width, mask.height, image.width, image.height), 4) +
                   " > --aspect-tolerance)";
      out.error_code = Exit::kDataErr;
      return out;
    }
    out.lung_fraction = lung.area_fraction;
    if (lung.verdict == MaskVerdict::kEmpty) {
      out.status = CropStatus::kEmptyMask;
      out.detail = "mask is empty or nearly (lung fraction " + format_fixed(lung.area_fraction, 4) +
                   " < --min-mask-area " + format_fixed(settings.mask.min_area, 4) + ")";
      out.error_code = Exit::kDataErr;
      return out;
    }
    out.status = CropStatus::kOk;
  }
  out.image = resize(crop(image, out.box), settings.size, settings.size);
  return out;
}

std::vector<CropOutcome> crop_dataset(const RawDataset& raw, const ExclusionList& exclude,
                                      const CropSettings& settings, const std::string& write_root,
                                      int threads) {
  const size_t n = raw.entries.size();
  std::vector<CropOutcome> outcomes(n);
  std::vector<std::string> names(n);
  std::vector<bool> todo(n, false);
  // Dataset-level decisions first, in entry order, so that they do not depend on threads.
  std::map<std::string, size_t> first_with_name;
  for (size_t i = 0; i < n; ++i) {
    const RawEntry& e = raw.entries[i];
    names[i] = crop_output_name(raw, e);
    if (exclude.excludes(raw.classes[e.label], e.name)) {
      outcomes[i].status = CropStatus::kExcluded;
      continue;
    }
    auto [it, fresh] = first_with_name.emplace(names[i], i);
    if (!fresh) {
      outcomes[i].status = CropStatus::kNameClash;
      outcomes[i].detail = "same output name as " + raw.entries[it->second].name + " (" + names[i] + ")";
      outcomes[i].error_code = Exit::kDataErr;
      continue;
    }
    todo[i] = true;
  }

  log::Progress progress("crop", static_cast<int64_t>(n));
  parallel_for(
      static_cast<int64_t>(n),
      [&](int64_t i) {
        if (todo[i]) {
          outcomes[i] = crop_entry(raw.entries[i], settings);
          if (!write_root.empty() && crop_written(outcomes[i].status)) {
            write_new_file((fs::path(write_root) / names[i]).string(), encode_png_gray8(outcomes[i].image));
          }
          if (!write_root.empty()) outcomes[i].image = GrayImage();
        }
        progress.advance();
      },
      threads);
  progress.finish();
  return outcomes;
}

CsvTable crop_manifest(const RawDataset& raw, const std::vector<CropOutcome>& outcomes) {
  CsvTable table;
  table.header = {"path", "class", "source", "mask", "width", "height", "x0", "y0",
                  "x1", "y1", "lung_fraction", "status"};
  for (size_t i = 0; i < raw.entries.size(); ++i) {
    const RawEntry& e = raw.entries[i];
    const CropOutcome& o = outcomes.at(i);
    const std::string& cls = raw.classes[e.label];
    auto num = [](int v) { return std::to_string(v); };
    std::vector<std::string> row;
    row.push_back(crop_written(o.status) ? crop_output_name(raw, e) : "");
    row.push_back(cls);
    row.push_back(cls + "/images/" + e.name);
    row.push_back(e.mask_path.empty() ? "" : cls + "/masks/" + e.name);
    const bool sized = o.width > 0;
    row.push_back(sized ? num(o.width) : "");
    row.push_back(sized ? num(o.height) : "");
    const bool boxed = !o.box.empty();
    for (int v : {o.box.x0, o.box.y0, o.box.x1, o.box.y1}) row.push_back(boxed ? num(v) : "");
    row.push_back(o.lung_fraction >= 0 ? format_fixed(o.lung_fraction, 4) : "");
    row.push_back(crop_status_name(o.status));
    table.rows.push_back(std::move(row));
  }
  std::sort(table.rows.begin(), table.rows.end());
  return table;
}

}  // namespace xr::preprocess
