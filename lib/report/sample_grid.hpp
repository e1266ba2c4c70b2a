// The figure of real, classical and GAN images per class: for each class a row of
// real training images, a row of classical augmentations and a row of GAN samples
// (the first images of each folder by name, so the figure is reproducible). Each
// class group has its name above it and each row its source at the left.
#pragma once
#include <string>
#include <vector>

#include "core/image.hpp"
#include "report/experiment.hpp"

namespace xr::report {

struct SampleGrid {
  GrayImage image;                  // empty when no folder had images
  std::vector<std::string> rows;    // "class: source (folder)" per tile row, top to bottom
  std::vector<std::string> notes;   // folders absent or images that could not be read
  int tiles_x0 = 0;                 // left edge of the image tiles (right of the labels)
  int tiles_y0 = 0;                 // top of the first tile (below the first class name)
};

// `per_row` images a row, each resized to `tile` x `tile`.
SampleGrid sample_grid(const Experiment& e, int per_row = 8, int tile = 64);

}  // namespace xr::report
