// Synthetic chest radiographs with lung masks: the toolkit's embedded stand-in for
// the COVID-19 Radiography Database, so every stage can run and be tested without
// downloading anything. One call renders one image from its own seed.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/image.hpp"

namespace xr::phantom {

// The database's four classes, in its (sorted) order. Each has its own pattern of
// opacities in the lung fields:
//   COVID            bilateral, peripheral, lower-zone ground-glass patches
//   Lung_Opacity     one dense lobar consolidation in one lung
//   Normal           clear lungs (vessel markings only)
//   Viral Pneumonia  bilateral perihilar interstitial (reticular) pattern
enum class Finding { kCovid = 0, kLungOpacity = 1, kNormal = 2, kViralPneumonia = 3 };

const std::vector<std::string>& class_names();  // indexed by Finding
int class_index(const std::string& name);        // -1 if not one of class_names()

struct RenderOptions {
  int size = 256;             // image width and height
  int mask_size = 0;          // mask width and height; 0: same as size
  double difficulty = 0.5;    // 0: obvious findings .. 1: faint ones, often hard to see
  double marker_fraction = 0; // share of images with burnt-in text or markers
};

struct Phantom {
  GrayImage image;     // 8-bit gray radiograph
  GrayImage mask;      // the two lung fields 255, the rest 0; empty unless asked for
  bool marked = false; // burnt-in text or a marker was drawn
};

// The seed of image `index` (0-based) of class `class_idx`: a stream per class, so
// choosing a subset of classes or another count leaves each image as it was.
uint64_t image_seed(uint64_t seed, int class_idx, int64_t index);

// Renders one image (and its mask when with_mask). The same arguments give the same
// pixels on every platform. Anatomy, findings, noise and markers draw from separate
// streams of `seed`, so two classes rendered from one seed share the anatomy and the
// noise and differ only by the finding (the unit tests rely on it).
Phantom render_phantom(Finding finding, uint64_t seed, const RenderOptions& options,
                       bool with_mask = true);

}  // namespace xr::phantom
