// scripts/convert_weights.py end to end: a random torchvision-layout (with AuxLogits)
// and a pytorch-fid-layout checkpoint (without num_batches_tracked) are made by Python
// at test time (100 MB each, in a temp folder), converted, loaded strictly into
// InceptionV3, and must give the pool features and logits Python computed. Keras .h5
// files in Keras' own layout (make_fake_keras_h5.py, h5py only) must give the
// deterministic weights back and the Keras reference's features.
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
  o.arch = variant == "fid" ? InceptionArch::kFid : InceptionArch::kTorchvision;
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
  other.arch = variant != "fid" ? InceptionArch::kFid : InceptionArch::kTorchvision;
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

bool have_h5py() { return std::system("/usr/bin/python3 -c 'import h5py, numpy' >/dev/null 2>&1") == 0; }

// make_fake_keras_h5.py's deterministic weights through the converter: the tensors,
// and the Keras network's features (and, with the top, logits) as the Keras reference
// of make_inception_golden.py computes them on the same weights.
void convert_keras_and_compare(const std::string& maker_flags, bool top) {
  if (!have_h5py()) GTEST_SKIP() << "needs /usr/bin/python3 with h5py (Debian: python3-h5py)";
  const auto src = xr::nn::testing::source_dir();
  TempDir dir;
  const std::string h5 = dir.path + "/inception_v3_notop.h5", out = dir.path + "/w.safetensors";
  ASSERT_EQ(run("/usr/bin/python3 '" + src + "/tests/golden/nn/make_fake_keras_h5.py' '" + h5 + "' " + maker_flags),
            0);
  ASSERT_EQ(run("/usr/bin/python3 '" + src + "/scripts/convert_weights.py' '" + h5 + "' '" + out + "' >/dev/null"),
            0);
  const auto file = read_safetensors(out);
  EXPECT_EQ(file.metadata.at("format"), "xr-inception-v3");
  EXPECT_EQ(file.metadata.at("variant"), "keras");
  EXPECT_EQ(file.metadata.at("num_classes"), top ? "1000" : "0");
  EXPECT_EQ(file.metadata.at("source_keras_version"), "2.0.8");
  EXPECT_EQ(file.tensors.count("fc.weight"), top ? 1u : 0u);

  InceptionV3Options o;
  o.arch = InceptionArch::kKeras;
  InceptionV3 m(o);
  xr::nn::testing::det_fill(*m);  // then overwritten: everything but fc must come from the file
  {
    torch::NoGradGuard no_grad;
    for (auto& p : m->named_parameters()) {
      if (p.key().rfind("fc.", 0) != 0) p.value().fill_(0);
    }
  }
  load_module_state(*m, file, out, "", /*strict=*/top);
  for (const auto& [name, t] : module_state(*m)) {
    if (name.rfind("fc.", 0) == 0 || xr::nn::testing::ends_with(name, "num_batches_tracked")) continue;
    const auto want = xr::nn::testing::ends_with(name, ".bn.weight") ? torch::ones_like(t)
                                                                    : xr::nn::testing::det_values(name, t.sizes());
    ASSERT_TRUE(torch::equal(t, want)) << name;
  }
  m->eval();
  torch::NoGradGuard no_grad;
  const auto golden = read_safetensors(src + "/tests/golden/nn/inception_golden.safetensors").tensors;
  const auto x = xr::nn::testing::det_input("input_96", {2, 3, 96, 96});
  EXPECT_LT(xr::nn::testing::rel_error(m->features(x), golden.at("keras96.features")), 1e-4);
  if (top) EXPECT_LT(xr::nn::testing::rel_error(m->forward(x), golden.at("keras96.logits")), 1e-4);
}

TEST(ConvertWeights, KerasNotopH5) { convert_keras_and_compare("", false); }

TEST(ConvertWeights, TfKerasNamesWithTheTopSavedAsAWholeModel) {
  convert_keras_and_compare("--tf-keras --top --model-save", true);
}

TEST(ConvertWeights, KerasFilesThatAreNotInceptionV3AreRefusedNamingTheLayer) {
  if (!have_h5py()) GTEST_SKIP() << "needs /usr/bin/python3 with h5py (Debian: python3-h5py)";
  const auto src = xr::nn::testing::source_dir();
  TempDir dir;
  for (const auto& [breakage, expected] :
       {std::pair<std::string, std::string>{"shape", "conv2d_10: kernel shape [3, 3, 96, 64], [3, 3, 64, 96] expected "
                                                     "for Mixed_5b.branch3x3dbl_2"},
        {"gamma", "batch_normalization_21: has a gamma other than 1"},
        {"missing", "93 Conv2D and 93 BatchNormalization layers"}}) {
    const std::string h5 = dir.path + "/" + breakage + ".h5", err = dir.path + "/err.txt";
    ASSERT_EQ(run("/usr/bin/python3 '" + src + "/tests/golden/nn/make_fake_keras_h5.py' '" + h5 + "' --break " +
                  breakage),
              0);
    EXPECT_EQ(run("/usr/bin/python3 '" + src + "/scripts/convert_weights.py' '" + h5 + "' '" + dir.path +
                  "/o' 2>'" + err + "'"),
              65)
        << breakage;
    const std::string msg = xr::read_file(err);
    EXPECT_NE(msg.find(expected), std::string::npos) << msg;
    EXPECT_NE(access((dir.path + "/o").c_str(), F_OK), 0);  // nothing written on failure
  }
  // .pth-only options on an .h5: a usage error.
  const std::string h5 = dir.path + "/missing.h5";
  EXPECT_EQ(run("/usr/bin/python3 '" + src + "/scripts/convert_weights.py' --keep-aux '" + h5 + "' '" + dir.path +
                "/o' 2>/dev/null"),
            64);
}

}  // namespace
