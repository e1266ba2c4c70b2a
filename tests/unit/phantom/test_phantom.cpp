// Synthetic radiographs: determinism, lung masks, and the class findings measured
// against their descriptions (where in the lungs each one puts its opacity).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/image.hpp"
#include "core/rng.hpp"
#include "phantom/phantom.hpp"

using xr::GrayImage;
using namespace xr::phantom;

namespace {

constexpr int kSize = 128;  // small images keep the tests fast; the geometry is size-free

RenderOptions options(int size = kSize) {
  RenderOptions o;
  o.size = size;
  return o;
}

Phantom render(Finding f, uint64_t seed, RenderOptions o = options()) {
  return render_phantom(f, seed, o, true);
}

// 8-connected components of the mask's 255 pixels (a sharp costophrenic angle can
// end in a pixel touching the rest only diagonally); labels per pixel, 0 = none.
int label_components(const GrayImage& mask, std::vector<int>& labels) {
  labels.assign(mask.pixels.size(), 0);
  int n = 0;
  std::vector<int> stack;
  for (size_t start = 0; start < mask.pixels.size(); ++start) {
    if (mask.pixels[start] != 255 || labels[start]) continue;
    ++n;
    labels[start] = n;
    stack.push_back(static_cast<int>(start));
    while (!stack.empty()) {
      const int p = stack.back();
      stack.pop_back();
      const int x = p % mask.width, y = p / mask.width;
      const int nb[8][2] = {{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1},
                            {x - 1, y - 1}, {x + 1, y - 1}, {x - 1, y + 1}, {x + 1, y + 1}};
      for (const auto& q : nb) {
        if (q[0] < 0 || q[1] < 0 || q[0] >= mask.width || q[1] >= mask.height) continue;
        const int k = q[1] * mask.width + q[0];
        if (mask.pixels[k] == 255 && !labels[k]) {
          labels[k] = n;
          stack.push_back(k);
        }
      }
    }
  }
  return n;
}

// Per-lung bounding boxes of the mask: [0] image left, [1] image right.
struct LungBoxes {
  xr::Box box[2];
};

LungBoxes lung_boxes(const GrayImage& mask) {
  LungBoxes b;
  for (auto& bx : b.box) bx = {mask.width, mask.height, 0, 0};
  for (int y = 0; y < mask.height; ++y) {
    for (int x = 0; x < mask.width; ++x) {
      if (mask.at(x, y) != 255) continue;
      xr::Box& bx = b.box[x < mask.width / 2 ? 0 : 1];
      bx.x0 = std::min(bx.x0, x);
      bx.y0 = std::min(bx.y0, y);
      bx.x1 = std::max(bx.x1, x + 1);
      bx.y1 = std::max(bx.y1, y + 1);
    }
  }
  return b;
}

GrayImage dilate(const GrayImage& m, int r) {
  GrayImage out(m.width, m.height, 0);
  for (int y = 0; y < m.height; ++y) {
    for (int x = 0; x < m.width; ++x) {
      if (m.at(x, y) != 255) continue;
      for (int dy = -r; dy <= r; ++dy) {
        for (int dx = -r; dx <= r; ++dx) {
          const int xx = x + dx, yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < m.width && yy < m.height) out.at(xx, yy) = 255;
        }
      }
    }
  }
  return out;
}

double mean_in_mask(const GrayImage& img, const GrayImage& mask) {
  double sum = 0;
  int n = 0;
  for (size_t i = 0; i < img.pixels.size(); ++i) {
    if (mask.pixels[i] == 255) {
      sum += img.pixels[i];
      ++n;
    }
  }
  return n ? sum / n : 0;
}

// Where a finding adds density: the difference from the Normal image of the same
// seed (same anatomy, same noise), summed over regions of each lung.
struct Spread {
  double lung[2] = {0, 0};     // image left, image right
  double upper = 0, lower = 0; // halves of each lung's height
  double medial = 0, lateral = 0;
  double outside = 0;          // beyond the lungs (dilated by 2 px)
};

Spread finding_spread(Finding f, uint64_t seed) {
  const Phantom normal = render(Finding::kNormal, seed);
  const Phantom sick = render(f, seed);
  const LungBoxes boxes = lung_boxes(normal.mask);
  const GrayImage near = dilate(normal.mask, 2);
  Spread s;
  for (int y = 0; y < kSize; ++y) {
    for (int x = 0; x < kSize; ++x) {
      const double d = static_cast<double>(sick.image.at(x, y)) - normal.image.at(x, y);
      if (near.at(x, y) != 255) {
        s.outside += std::abs(d);
        continue;
      }
      const int side = x < kSize / 2 ? 0 : 1;
      const xr::Box& b = boxes.box[side];
      s.lung[side] += d;
      (2 * y < b.y0 + b.y1 ? s.upper : s.lower) += d;
      const bool lateral = side == 0 ? 2 * x < b.x0 + b.x1 : 2 * x >= b.x0 + b.x1;
      (lateral ? s.lateral : s.medial) += d;
    }
  }
  return s;
}

}  // namespace

TEST(Phantom, ClassNamesAreTheDatabases) {
  EXPECT_EQ(class_names(), (std::vector<std::string>{"COVID", "Lung_Opacity", "Normal", "Viral Pneumonia"}));
  EXPECT_EQ(class_index("Viral Pneumonia"), 3);
  EXPECT_EQ(class_index("Normal"), 2);
  EXPECT_EQ(class_index("normal"), -1);
  EXPECT_EQ(class_index("Viral_Pneumonia"), -1);
}

TEST(Phantom, ImageSeedsAreDistinctPerClassAndIndex) {
  EXPECT_EQ(image_seed(7, 1, 3), image_seed(7, 1, 3));
  EXPECT_NE(image_seed(7, 1, 3), image_seed(7, 2, 3));
  EXPECT_NE(image_seed(7, 1, 3), image_seed(7, 1, 4));
  EXPECT_NE(image_seed(7, 1, 3), image_seed(8, 1, 3));
}

TEST(Phantom, SameSeedSamePixels) {
  for (int c = 0; c < 4; ++c) {
    RenderOptions o = options();
    o.marker_fraction = 0.5;
    const Phantom a = render(static_cast<Finding>(c), 42, o);
    const Phantom b = render(static_cast<Finding>(c), 42, o);
    EXPECT_EQ(a.image.pixels, b.image.pixels) << class_names()[c];
    EXPECT_EQ(a.mask.pixels, b.mask.pixels) << class_names()[c];
    EXPECT_EQ(a.marked, b.marked);
  }
}

TEST(Phantom, DifferentSeedsDiffer) {
  const Phantom a = render(Finding::kNormal, 1);
  const Phantom b = render(Finding::kNormal, 2);
  EXPECT_NE(a.image.pixels, b.image.pixels);
  EXPECT_NE(a.mask.pixels, b.mask.pixels);  // anatomy varies, not only the noise
}

TEST(Phantom, SizesAsAsked) {
  RenderOptions o = options(96);
  o.mask_size = 80;
  const Phantom p = render(Finding::kCovid, 3, o);
  EXPECT_EQ(p.image.width, 96);
  EXPECT_EQ(p.image.height, 96);
  EXPECT_EQ(p.mask.width, 80);
  EXPECT_EQ(p.mask.height, 80);
  EXPECT_TRUE(render_phantom(Finding::kCovid, 3, o, false).mask.empty());
}

TEST(Phantom, MaskIsTwoLungFieldsInsideTheImage) {
  for (uint64_t seed = 0; seed < 60; ++seed) {
    const Phantom p = render(static_cast<Finding>(seed % 4), seed);
    SCOPED_TRACE("seed " + std::to_string(seed));
    int on = 0;
    for (uint8_t v : p.mask.pixels) {
      ASSERT_TRUE(v == 0 || v == 255);
      on += v == 255;
    }
    const double area = static_cast<double>(on) / (kSize * kSize);
    EXPECT_GT(area, 0.12);
    EXPECT_LT(area, 0.40);
    std::vector<int> labels;
    EXPECT_EQ(label_components(p.mask, labels), 2);
    const LungBoxes b = lung_boxes(p.mask);
    for (const auto& bx : b.box) {
      // Each lung: tall, clear of the image border, and on its own side.
      EXPECT_GT(bx.height(), kSize * 0.45);
      EXPECT_GT(bx.width(), kSize * 0.18);
      EXPECT_GE(bx.x0, kSize / 32);
      EXPECT_GE(bx.y0, kSize / 32);
      EXPECT_LE(bx.x1, kSize - kSize / 32);
      EXPECT_LE(bx.y1, kSize - kSize / 32);
    }
    EXPECT_LT(b.box[0].x1, b.box[1].x0);  // the mediastinum between them
  }
}

TEST(Phantom, MaskOutlinesTheDarkLungFields) {
  // In a clear chest the lungs are the darkest part of the body: the mean inside the
  // mask is well below the mean of the ring just around it (ribs, mediastinum, heart,
  // diaphragm), and the mask matches the dark region rather than being offset.
  for (uint64_t seed = 0; seed < 10; ++seed) {
    const Phantom p = render(Finding::kNormal, seed);
    const GrayImage ring_outer = dilate(p.mask, 6);
    const GrayImage ring_inner = dilate(p.mask, 2);
    GrayImage ring(kSize, kSize, 0);
    for (size_t i = 0; i < ring.pixels.size(); ++i) {
      ring.pixels[i] = ring_outer.pixels[i] == 255 && ring_inner.pixels[i] != 255 ? 255 : 0;
    }
    EXPECT_LT(mean_in_mask(p.image, p.mask) + 25, mean_in_mask(p.image, ring)) << "seed " << seed;
  }
}

TEST(Phantom, MaskAtAnotherSizeIsTheSameShape) {
  RenderOptions big = options(256);
  big.mask_size = 256;
  RenderOptions small = options(256);
  small.mask_size = 64;
  const GrayImage a = render(Finding::kNormal, 11, big).mask;
  const GrayImage b = render(Finding::kNormal, 11, small).mask;
  const GrayImage down = xr::resize(a, 64, 64);
  int agree = 0;
  for (size_t i = 0; i < b.pixels.size(); ++i) agree += (down.pixels[i] >= 128) == (b.pixels[i] == 255);
  EXPECT_GT(agree, 0.97 * 64 * 64);
}

TEST(Phantom, FindingsStayInTheLungs) {
  // Same seed: the same anatomy and noise, so a finding may change pixels only in
  // and at the border of the lung fields.
  for (Finding f : {Finding::kCovid, Finding::kLungOpacity, Finding::kViralPneumonia}) {
    for (uint64_t seed = 0; seed < 5; ++seed) {
      const Spread s = finding_spread(f, seed);
      EXPECT_EQ(s.outside, 0) << class_names()[static_cast<int>(f)] << " seed " << seed;
      EXPECT_GT(s.lung[0] + s.lung[1], 0);
    }
  }
}

TEST(Phantom, CovidIsBilateralPeripheralAndLower) {
  Spread total;
  int bilateral = 0;
  constexpr int kN = 30;
  for (uint64_t seed = 0; seed < kN; ++seed) {
    const Spread s = finding_spread(Finding::kCovid, seed);
    const double sum = s.lung[0] + s.lung[1];
    if (std::min(s.lung[0], s.lung[1]) > 0.2 * sum) ++bilateral;
    total.lower += s.lower;
    total.upper += s.upper;
    total.lateral += s.lateral;
    total.medial += s.medial;
  }
  EXPECT_GE(bilateral, kN * 8 / 10);
  EXPECT_GT(total.lower, 3 * total.upper);
  EXPECT_GT(total.lateral, 2 * total.medial);
}

TEST(Phantom, LungOpacityIsUnilateral) {
  int left = 0, right = 0;
  for (uint64_t seed = 0; seed < 30; ++seed) {
    const Spread s = finding_spread(Finding::kLungOpacity, seed);
    const double hi = std::max(s.lung[0], s.lung[1]), lo = std::min(s.lung[0], s.lung[1]);
    EXPECT_GT(hi, 0);
    EXPECT_LE(lo, 0.02 * hi) << "seed " << seed;
    (s.lung[0] > s.lung[1] ? left : right)++;
  }
  EXPECT_GE(left, 5);  // either side can be affected
  EXPECT_GE(right, 5);
}

TEST(Phantom, ViralPneumoniaIsBilateralAndPerihilar) {
  Spread total;
  int bilateral = 0;
  constexpr int kN = 30;
  for (uint64_t seed = 0; seed < kN; ++seed) {
    const Spread s = finding_spread(Finding::kViralPneumonia, seed);
    const double sum = s.lung[0] + s.lung[1];
    if (std::min(s.lung[0], s.lung[1]) > 0.3 * sum) ++bilateral;
    total.lateral += s.lateral;
    total.medial += s.medial;
    total.upper += s.upper;
    total.lower += s.lower;
  }
  EXPECT_EQ(bilateral, kN);
  EXPECT_GT(total.medial, 1.5 * total.lateral);
  // Centred on the hila, mid-lung: neither half of the height dominates strongly.
  EXPECT_LT(total.upper, 2 * total.lower);
  EXPECT_LT(total.lower, 2 * total.upper);
}

TEST(Phantom, LungMeansOrderedByClass) {
  // Over many independent images: clear lungs darkest, the dense consolidation the
  // largest rise, the hazy patterns between.
  constexpr int kN = 40;
  double mean[4] = {0, 0, 0, 0};
  for (int c = 0; c < 4; ++c) {
    for (int i = 0; i < kN; ++i) {
      const Phantom p = render(static_cast<Finding>(c), image_seed(5, c, i));
      mean[c] += mean_in_mask(p.image, p.mask) / kN;
    }
  }
  const double normal = mean[static_cast<int>(Finding::kNormal)];
  EXPECT_GT(mean[static_cast<int>(Finding::kCovid)], normal + 2);
  EXPECT_GT(mean[static_cast<int>(Finding::kViralPneumonia)], normal + 2);
  EXPECT_GT(mean[static_cast<int>(Finding::kLungOpacity)], normal + 4);
}

TEST(Phantom, DifficultyFadesTheFindings) {
  double rise[3] = {0, 0, 0};
  const double levels[3] = {0.0, 0.5, 1.0};
  for (int k = 0; k < 3; ++k) {
    RenderOptions o = options();
    o.difficulty = levels[k];
    for (uint64_t seed = 0; seed < 8; ++seed) {
      const Phantom n = render(Finding::kCovid, seed, o);
      const Phantom c = render(Finding::kNormal, seed, o);
      rise[k] += mean_in_mask(n.image, n.mask) - mean_in_mask(c.image, c.mask);
    }
  }
  EXPECT_GT(rise[0], rise[1]);
  EXPECT_GT(rise[1], rise[2]);
  EXPECT_GT(rise[2], 0);
}

TEST(Phantom, MarkersOnlyWhereAskedAndAwayFromTheLungs) {
  RenderOptions none = options();
  RenderOptions all = options();
  all.marker_fraction = 1.0;
  for (uint64_t seed = 0; seed < 10; ++seed) {
    const Phantom plain = render(Finding::kNormal, seed, none);
    const Phantom marked = render(Finding::kNormal, seed, all);
    EXPECT_FALSE(plain.marked);
    EXPECT_TRUE(marked.marked);
    int changed = 0;
    for (size_t i = 0; i < plain.image.pixels.size(); ++i) {
      if (plain.image.pixels[i] == marked.image.pixels[i]) continue;
      ++changed;
      EXPECT_EQ(plain.mask.pixels[i], 0) << "marker over a lung, seed " << seed;
      EXPECT_GE(marked.image.pixels[i], 225);
    }
    EXPECT_GT(changed, 10);
    EXPECT_EQ(plain.mask.pixels, marked.mask.pixels);
  }
}
