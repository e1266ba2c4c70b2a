// xr-crop's preprocessing of a raw dataset, image by image: the lung box from the
// mask, crop, resize, 8-bit gray; and the status of every image (cropped, used
// whole, or skipped and why) as the rows of manifest.csv. The rules are those of
// xr-crop(1).
#pragma once
#include <string>
#include <vector>

#include "core/csv.hpp"
#include "core/dataset.hpp"
#include "core/errors.hpp"
#include "core/image.hpp"
#include "preprocess/exclusion_list.hpp"
#include "preprocess/lung_box.hpp"

namespace xr::preprocess {

enum class CropStatus {
  kOk,              // cropped to the mask's lung box
  kWholeImage,      // no mask, --no-mask: the whole image, resized
  kExcluded,        // named by the exclusion list
  kNoMask,          // no mask and no --no-mask: skipped
  kEmptyMask,       // lung area below the minimum: skipped
  kAspectMismatch,  // mask and image aspect ratios differ: skipped
  kBadImage,        // image unreadable: skipped
  kBadMask,         // mask unreadable: skipped
  kNameClash,       // another image of the class has the same output name: skipped
};

// The manifest's name of a status: "ok", "whole_image", "excluded", "no_mask",
// "empty_mask", "aspect_mismatch", "bad_image", "bad_mask", "name_clash".
const char* crop_status_name(CropStatus status);
bool crop_written(CropStatus status);  // kOk or kWholeImage
// Skipped for a fault in the data (everything but written and excluded): what
// --strict turns into a failure.
bool crop_problem(CropStatus status);

struct CropSettings {
  int size = 128;                   // output width and height
  bool whole_without_mask = false;  // --no-mask
  MaskRules mask;
};

struct CropOutcome {
  CropStatus status = CropStatus::kOk;
  int width = 0, height = 0;   // of the source image; 0 when it was not read
  Box box;                     // crop box in source pixels; for a refused mask its box, if any
  double lung_fraction = -1;   // lung pixels / image pixels; -1 when no mask was evaluated
  std::string detail;          // why it was skipped, for messages
  Exit error_code = Exit::kOk; // the exit code --strict fails with
  GrayImage image;             // size x size when written (crop_entry only)
};

// Output path of an entry relative to OUT_DIR: "<class>/<stem>.png".
std::string crop_output_name(const RawDataset& raw, const RawEntry& entry);

// One image that is neither excluded nor a name clash (the dataset-level rules).
CropOutcome crop_entry(const RawEntry& entry, const CropSettings& settings);

// Every image of `raw`, on `threads` worker threads (0: the tool's --threads);
// outcomes in the order of raw.entries and independent of the thread count. With a
// non-empty `write_root` each written image goes to write_root/<output name>, a new
// file written in place: write_root is meant to be an xr::StagedDir, whose class
// folders must exist. The pixels are then not kept in the outcomes.
std::vector<CropOutcome> crop_dataset(const RawDataset& raw, const ExclusionList& exclude,
                                      const CropSettings& settings, const std::string& write_root,
                                      int threads = 0);

// manifest.csv: path,class,source,mask,width,height,x0,y0,x1,y1,lung_fraction,status
// with path relative to OUT_DIR (empty when nothing was written), source and mask
// relative to RAW_DIR, empty fields for what is unknown; rows sorted.
CsvTable crop_manifest(const RawDataset& raw, const std::vector<CropOutcome>& outcomes);

}  // namespace xr::preprocess
