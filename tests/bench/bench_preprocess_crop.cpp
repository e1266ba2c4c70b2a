// xr-crop's per-image work, stage by stage, on one image of the real sample's
// "Viral Pneumonia" class (299x299 gray, mask 256x256 RGB) or, without it, on a
// synthetic pair of the same sizes. The end-to-end figure against the PIL baseline
// comes from tests/bench/crop_speed.sh; this says where the time goes.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/atomic_file.hpp"
#include "core/image_io.hpp"
#include "preprocess/lung_crop.hpp"

namespace fs = std::filesystem;

namespace {

struct Sample {
  std::string image_bytes, mask_bytes;
  xr::RawEntry entry;
};

const Sample& sample() {
  static const Sample s = [] {
    Sample s;
    const char* shared = std::getenv("XR_SHARED_DIR");
    const fs::path vp = fs::path(shared ? shared : "/work/shared") / "data/covid-radiography-sample/Viral Pneumonia";
    const std::string name = "Viral Pneumonia-10.png";
    if (fs::exists(vp / "images" / name) && fs::exists(vp / "masks" / name)) {
      s.entry.image_path = (vp / "images" / name).string();
      s.entry.mask_path = (vp / "masks" / name).string();
    } else {
      // A smooth synthetic image and an elliptic lung mask of the real sizes.
      const fs::path dir = fs::temp_directory_path() / "xr-bench-crop";
      xr::ensure_directory(dir.string());
      xr::GrayImage img(299, 299), mask(256, 256, 0);
      for (int y = 0; y < 299; ++y)
        for (int x = 0; x < 299; ++x) img.at(x, y) = static_cast<uint8_t>((x * x + 3 * y * y) / 700 % 256);
      for (int y = 0; y < 256; ++y)
        for (int x = 0; x < 256; ++x) {
          const double dx = (x - 128) / 100.0, dy = (y - 128) / 110.0;
          if (dx * dx + dy * dy < 1.0 && std::abs(x - 128) > 12) mask.at(x, y) = 255;
        }
      s.entry.image_path = (dir / "image.png").string();
      s.entry.mask_path = (dir / "mask.png").string();
      xr::write_png_gray8(s.entry.image_path, img);
      xr::write_png_gray8(s.entry.mask_path, mask);
    }
    s.entry.name = fs::path(s.entry.image_path).filename().string();
    s.image_bytes = xr::read_file(s.entry.image_path);
    s.mask_bytes = xr::read_file(s.entry.mask_path);
    return s;
  }();
  return s;
}

xr::GrayImage decode(const std::string& bytes) {
  return xr::to_gray8(xr::decode_image(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "bench"));
}

void BM_DecodeImage(benchmark::State& state) {
  const auto& s = sample();
  for (auto _ : state) benchmark::DoNotOptimize(decode(s.image_bytes));
}
BENCHMARK(BM_DecodeImage);

void BM_DecodeMask(benchmark::State& state) {
  const auto& s = sample();
  for (auto _ : state) benchmark::DoNotOptimize(decode(s.mask_bytes));
}
BENCHMARK(BM_DecodeMask);

void BM_DecodeImageFast(benchmark::State& state) {
  const auto& s = sample();
  for (auto _ : state) benchmark::DoNotOptimize(xr::decode_gray8(reinterpret_cast<const uint8_t*>(s.image_bytes.data()), s.image_bytes.size(), "bench"));
}
BENCHMARK(BM_DecodeImageFast);

void BM_DecodeMaskFast(benchmark::State& state) {
  const auto& s = sample();
  for (auto _ : state) benchmark::DoNotOptimize(xr::decode_gray8(reinterpret_cast<const uint8_t*>(s.mask_bytes.data()), s.mask_bytes.size(), "bench"));
}
BENCHMARK(BM_DecodeMaskFast);

void BM_LungBox(benchmark::State& state) {
  const auto& s = sample();
  const xr::GrayImage img = decode(s.image_bytes), mask = decode(s.mask_bytes);
  for (auto _ : state) benchmark::DoNotOptimize(xr::preprocess::lung_box(mask, img.width, img.height, xr::preprocess::MaskRules{}));
}
BENCHMARK(BM_LungBox);

void BM_CropResize(benchmark::State& state) {
  const auto& s = sample();
  const xr::GrayImage img = decode(s.image_bytes), mask = decode(s.mask_bytes);
  const xr::Box box = xr::preprocess::lung_box(mask, img.width, img.height, xr::preprocess::MaskRules{}).box;
  for (auto _ : state) benchmark::DoNotOptimize(xr::resize(xr::crop(img, box), 128, 128));
}
BENCHMARK(BM_CropResize);

void BM_EncodePng(benchmark::State& state) {
  const auto& s = sample();
  const xr::GrayImage out = xr::resize(decode(s.image_bytes), 128, 128);
  for (auto _ : state) benchmark::DoNotOptimize(xr::encode_png_gray8(out));
}
BENCHMARK(BM_EncodePng);

void BM_EncodePngFast(benchmark::State& state) {
  const auto& s = sample();
  const xr::GrayImage out = xr::resize(decode(s.image_bytes), 128, 128);
  for (auto _ : state) benchmark::DoNotOptimize(xr::encode_png_gray8(out));
}
BENCHMARK(BM_EncodePngFast);

// Everything but the write: read both files, box, crop, resize, encode.
void BM_CropEntry(benchmark::State& state) {
  const auto& s = sample();
  for (auto _ : state) {
    const xr::preprocess::CropOutcome o = xr::preprocess::crop_entry(s.entry, xr::preprocess::CropSettings{});
    benchmark::DoNotOptimize(xr::encode_png_gray8(o.image));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CropEntry);

}  // namespace

BENCHMARK_MAIN();
