// Speed of the core image and CSV paths every stage uses: PNG decode to 8-bit gray,
// area resize 299x299 -> 128x128, PNG encode of 128x128, CSV parsing. The images
// are the first 64 (by name) of the real sample's "Viral Pneumonia" class (299x299
// gray PNGs), held in memory; bench_core_baseline.py does the same with PIL and
// Python's csv module. See tests/bench/results/core.md.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/image.hpp"
#include "core/image_io.hpp"

namespace fs = std::filesystem;

namespace {

const std::vector<std::string>& sample_files() {
  static const std::vector<std::string> files = [] {
    const char* env = std::getenv("XR_SHARED_DIR");
    const fs::path dir = fs::path(env && *env ? env : "/work/shared") / "data" / "covid-radiography-sample" /
                         "Viral Pneumonia" / "images";
    std::vector<std::string> names;
    if (fs::is_directory(dir)) {
      for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().string());
    }
    std::sort(names.begin(), names.end());
    if (names.size() > 64) names.resize(64);
    std::vector<std::string> bytes;
    for (const auto& n : names) bytes.push_back(xr::read_file(n));
    return bytes;
  }();
  return files;
}

void BM_DecodePngToGray8(benchmark::State& state) {
  const auto& files = sample_files();
  if (files.empty()) {
    state.SkipWithError("no sample data");
    return;
  }
  size_t i = 0;
  for (auto _ : state) {
    const std::string& f = files[i++ % files.size()];
    xr::GrayImage g = xr::to_gray8(xr::decode_image(reinterpret_cast<const uint8_t*>(f.data()), f.size(), "b"));
    benchmark::DoNotOptimize(g.pixels.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodePngToGray8);

void BM_Resize299To128(benchmark::State& state) {
  const auto& files = sample_files();
  if (files.empty()) {
    state.SkipWithError("no sample data");
    return;
  }
  std::vector<xr::GrayImage> images;
  for (const auto& f : files) {
    images.push_back(xr::to_gray8(xr::decode_image(reinterpret_cast<const uint8_t*>(f.data()), f.size(), "b")));
  }
  size_t i = 0;
  for (auto _ : state) {
    xr::GrayImage r = xr::resize(images[i++ % images.size()], 128, 128);
    benchmark::DoNotOptimize(r.pixels.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Resize299To128);

void BM_EncodePng128(benchmark::State& state) {
  const auto& files = sample_files();
  if (files.empty()) {
    state.SkipWithError("no sample data");
    return;
  }
  std::vector<xr::GrayImage> images;
  for (const auto& f : files) {
    images.push_back(xr::resize(
        xr::to_gray8(xr::decode_image(reinterpret_cast<const uint8_t*>(f.data()), f.size(), "b")), 128, 128));
  }
  size_t i = 0;
  for (auto _ : state) {
    std::string png = xr::encode_png_gray8(images[i++ % images.size()]);
    benchmark::DoNotOptimize(png.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodePng128);

// A split.csv of 10,000 rows, with a quoted class name in every fourth row.
std::string csv_text() {
  std::string t = "path,split,class,source\n";
  for (int i = 0; i < 10000; ++i) {
    const std::string cls = i % 4 == 0 ? "\"Viral, Pneumonia\"" : "COVID";
    const std::string name = "img" + std::to_string(i) + ".png";
    t += "train/x/" + name + ",train," + cls + ",x/" + name + "\n";
  }
  return t;
}

void BM_ParseCsv10kRows(benchmark::State& state) {
  const std::string text = csv_text();
  for (auto _ : state) {
    xr::CsvTable t = xr::parse_csv(text, "b.csv");
    benchmark::DoNotOptimize(t.rows.data());
  }
  state.SetItemsProcessed(state.iterations() * 10000);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ParseCsv10kRows);

}  // namespace

BENCHMARK_MAIN();
