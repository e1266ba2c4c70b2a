// scripts/convert_weights.py end to end: a random torchvision-layout (with AuxLogits)
// and a pytorch-fid-layout checkpoint (without num_batches_tracked) are made by Python
// at test time (100 MB each, in a temp folder), converted, loaded strictly into
// InceptionV3, and must give the pool features and logits Python computed.
// Skips when Debian's python3-torch / python3-torchvision are absent, and the two
// checkpoint conversions skip with XR_SKIP_SLOW_TESTS=1 (about 10 s of CPU, 15-50 s
// of wall time on a busy 2-core machine).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <unistd.h>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "det_weights.hpp"
#include "nn/inception_v3.hpp"
#include "nn/safetensors.hpp"

namespace {

using namespace xr::nn;

bool have_torch() {
  return std::system("/usr/bin/python3 -c 'import torch, torchvision' >/dev/null 2>&1") == 0;
}

struct TempDir {
  std::string path;
  TempDir() {
    std::string t = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                    "/xr-convert-test-XXXXXX";
    path = mkdtemp(t.data()) ? t : "";
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

int run(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

void convert_and_compare(const std::string& variant) {
  if (!have_torch()) GTEST_SKIP() << "needs /usr/bin/python3 with torch and torchvision";
  if (const char* s = std::getenv("XR_SKIP_SLOW_TESTS"); s && std::string(s) == "1") {
    GTEST_SKIP() << "XR_SKIP_SLOW_TESTS=1";
  }
  const auto src = xr::nn::testing::source_dir();
  TempDir dir;
  ASSERT_EQ(run("/usr/bin/python3 '" + src + "/tests/golden/nn/make_fake_checkpoint.py' " +
                variant + " '" + dir.path + "'"),
            0);
  const auto out = dir.path + "/w.safetensors";
  ASSERT_EQ(run("/usr/bin/python3 '" + src + "/scripts/convert_weights.py' '" + dir.path +
                "/model.pth' '" + out + "' >/dev/null"),
            0);
  auto file = read_safetensors(out);
  EXPECT_EQ(file.metadata.at("format"), "xr-inception-v3");
  EXPECT_EQ(file.metadata.at("variant"), variant);
  EXPECT_EQ(file.metadata.at("aux_logits"), "false");
  EXPECT_EQ(file.metadata.at("source"), "model.pth");
  EXPECT_EQ(file.metadata.at("source_sha256").size(), 64u);
  EXPECT_EQ(file.metadata.at("num_classes"), variant == "fid" ? "1008" : "1000");

  InceptionV3Options o;
  o.fid_variant = variant == "fid";
  InceptionV3 m(o);
  load_module_state(*m, file, out);  // strict: every name and shape present
  m->eval();
  auto expected = read_safetensors(dir.path + "/expected.safetensors").tensors;
  torch::NoGradGuard no_grad;
  auto x = xr::nn::testing::det_input("input_96", {2, 3, 96, 96});
  EXPECT_LT(xr::nn::testing::rel_error(m->features(x), expected.at("features")), 1e-4);
  EXPECT_LT(xr::nn::testing::rel_error(m->forward(x), expected.at("logits")), 1e-4);

  // The other architecture refuses the file, naming the tensor.
  InceptionV3Options other;
  other.fid_variant = variant != "fid";
  InceptionV3 wrong(other);
  try {
    load_module_state(*wrong, file, out);
    ADD_FAILURE() << "loaded into the wrong variant";
  } catch (const xr::Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("fc.", 0), 0u) << e.what();
  }

  // With --keep-aux the head is kept, and loads into aux_logits=true.
  if (variant == "torchvision") {
    ASSERT_EQ(run("/usr/bin/python3 '" + src + "/scripts/convert_weights.py' --keep-aux --dtype f16 '" +
                  dir.path + "/model.pth' '" + out + "' >/dev/null"),
              0);
    auto aux_file = read_safetensors(out);
    EXPECT_EQ(aux_file.tensors.at("AuxLogits.fc.weight").scalar_type(), torch::kHalf);
    InceptionV3Options a;
    a.aux_logits = true;
    InceptionV3 with_aux(a);
    load_module_state(*with_aux, aux_file, out);
    with_aux->eval();
    // Half-precision weights: agreement to about 1e-3.
    EXPECT_LT(xr::nn::testing::rel_error(with_aux->features(x), expected.at("features")), 1e-2);
  }
}

TEST(ConvertWeights, TorchvisionCheckpoint) { convert_and_compare("torchvision"); }

TEST(ConvertWeights, PytorchFidCheckpoint) { convert_and_compare("fid"); }

TEST(ConvertWeights, BadInputsGiveExitCodes) {
  if (!have_torch()) GTEST_SKIP() << "needs /usr/bin/python3 with torch and torchvision";
  const auto script = xr::nn::testing::source_dir() + "/scripts/convert_weights.py";
  TempDir dir;
  EXPECT_EQ(run("/usr/bin/python3 '" + script + "' 2>/dev/null"), 64);
  EXPECT_EQ(run("/usr/bin/python3 '" + script + "' '" + dir.path + "/none.pth' '" + dir.path +
                "/o' 2>/dev/null"),
            66);
  ASSERT_EQ(run("echo garbage > '" + dir.path + "/bad.pth'"), 0);
  EXPECT_EQ(run("/usr/bin/python3 '" + script + "' '" + dir.path + "/bad.pth' '" + dir.path +
                "/o' 2>/dev/null"),
            65);
  // A state dict with a wrong shape names the tensor.
  ASSERT_EQ(run("cd '" + dir.path + "' && /usr/bin/python3 -c \"import torch, torchvision; "
                "s = torchvision.models.inception_v3(weights=None, aux_logits=False, "
                "init_weights=False).state_dict(); "
                "s['Mixed_6a.branch3x3.conv.weight'] = torch.zeros(384, 288, 1, 1); "
                "torch.save(s, 'shape.pth')\""),
            0);
  const auto err = dir.path + "/err.txt";
  EXPECT_EQ(run("/usr/bin/python3 '" + script + "' '" + dir.path + "/shape.pth' '" + dir.path +
                "/o' 2>'" + err + "'"),
            65);
  std::string msg = xr::read_file(err);
  EXPECT_NE(msg.find("Mixed_6a.branch3x3.conv.weight: shape [384,288,1,1] in the checkpoint, "
                     "[384,288,3,3] expected"),
            std::string::npos)
      << msg;
  EXPECT_NE(access((dir.path + "/o").c_str(), F_OK), 0);  // nothing written on failure
}

}  // namespace
