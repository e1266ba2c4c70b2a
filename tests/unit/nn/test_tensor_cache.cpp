// The one on-disk tensor cache: computed once and read back, recomputed (with a
// warning) for another format, another row count or a damaged file, still computed
// when the cache cannot be written, and a compute() of the wrong size refused.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>

#include "../exit_code.hpp"
#include "../temp_dir.hpp"
#include "nn/tensor_cache.hpp"

namespace {

struct Counted {
  int calls = 0;
  int64_t rows = 3;
  at::Tensor operator()() {
    ++calls;
    return torch::arange(rows * 2, torch::kFloat).reshape({rows, 2}) + calls;
  }
};

}  // namespace

TEST(TensorCache, ComputedOnceThenReadBack) {
  const xr_test::TempDir tmp("xr-test-tcache");
  const std::string path = (tmp / "sub/f.safetensors").string();
  Counted c;
  const at::Tensor a = xr::nn::cached_tensor(path, "fmt-1", 3, [&] { return c(); }, "t");
  const at::Tensor b = xr::nn::cached_tensor(path, "fmt-1", 3, [&] { return c(); }, "t");
  EXPECT_EQ(c.calls, 1);
  EXPECT_TRUE(torch::equal(a, b));
}

TEST(TensorCache, AnotherFormatOrRowCountOrADamagedFileIsComputedAgain) {
  const xr_test::TempDir tmp("xr-test-tcache");
  const std::string path = (tmp / "f.safetensors").string();
  Counted c;
  xr::nn::cached_tensor(path, "fmt-1", 3, [&] { return c(); }, "t");
  testing::internal::CaptureStderr();
  xr::nn::cached_tensor(path, "fmt-2", 3, [&] { return c(); }, "t");  // another format
  EXPECT_EQ(c.calls, 2);
  c.rows = 4;
  xr::nn::cached_tensor(path, "fmt-2", 4, [&] { return c(); }, "t");  // another row count
  EXPECT_EQ(c.calls, 3);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << "not a safetensors file";
  const at::Tensor d = xr::nn::cached_tensor(path, "fmt-2", 4, [&] { return c(); }, "t");
  EXPECT_EQ(c.calls, 4);
  EXPECT_EQ(d.size(0), 4);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("does not match"), std::string::npos) << err;
  EXPECT_NE(err.find("unreadable cache file"), std::string::npos) << err;
  // The damaged file was replaced: now it is read back.
  xr::nn::cached_tensor(path, "fmt-2", 4, [&] { return c(); }, "t");
  EXPECT_EQ(c.calls, 4);
}

TEST(TensorCache, AnUnwritableCacheOnlyWarnsAndNoPathMeansNoCache) {
  const xr_test::TempDir tmp("xr-test-tcache");
  std::ofstream((tmp / "file").string()) << "x";  // a file where the cache folder should be
  Counted c;
  testing::internal::CaptureStderr();
  const at::Tensor a = xr::nn::cached_tensor((tmp / "file/f.safetensors").string(), "fmt", 3, [&] { return c(); }, "t");
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(a.size(0), 3);
  EXPECT_NE(err.find("continuing without it"), std::string::npos) << err;
  xr::nn::cached_tensor("", "fmt", 3, [&] { return c(); }, "t");
  xr::nn::cached_tensor("", "fmt", 3, [&] { return c(); }, "t");
  EXPECT_EQ(c.calls, 3);
}

TEST(TensorCache, AComputedTensorOfTheWrongSizeIsAnInternalError) {
  const xr_test::TempDir tmp("xr-test-tcache");
  Counted c;
  c.rows = 2;
  EXPECT_EQ(xr_test::code_of([&] {
              xr::nn::cached_tensor((tmp / "f.safetensors").string(), "fmt", 3, [&] { return c(); }, "t");
            }),
            xr::Exit::kSoftware);
  EXPECT_FALSE(std::filesystem::exists(tmp / "f.safetensors"));
}
