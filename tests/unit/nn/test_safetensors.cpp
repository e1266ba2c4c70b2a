// safetensors reader/writer: round trips of every dtype, the byte layout, each kind of
// damaged file (a clear kDataErr naming the first bad tensor), loading into a module,
// and interoperability with an independent Python implementation both ways.
#include "nn/safetensors.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "core/errors.hpp"
#include "det_weights.hpp"

namespace {

using namespace xr::nn;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp");
    tmpl += "/xr-nn-test-XXXXXX";
    path_ = mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string le64(uint64_t v) {
  std::string s;
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return s;
}

std::string raw_file(const std::string& header, const std::string& data) {
  return le64(header.size()) + header + data;
}

// Parses and returns the error, or "" when the bytes were accepted.
std::string parse_error(const std::string& bytes, xr::Exit expected = xr::Exit::kDataErr) {
  try {
    parse_safetensors(bytes, "w.safetensors");
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), expected) << e.what();
    EXPECT_EQ(e.path(), "w.safetensors");
    return e.what();
  }
  return "";
}

TensorMap reference_tensors() {
  TensorMap t;
  t["a_f32"] = torch::arange(6, torch::kFloat).view({2, 3}) * 0.5;
  t["b_i64"] = torch::tensor({int64_t{-3}, int64_t{1} << 40}, torch::kLong);
  t["c_u8"] = torch::tensor({0, 255, 7}, torch::kByte);
  t["d_bool"] = torch::tensor({true, false, true}, torch::kBool);
  t["e_f16"] = torch::tensor({1.5, -2.0}, torch::kHalf);
  t["f_f64"] = torch::scalar_tensor(M_PI, torch::kDouble);  // shape []
  t["g_i32"] = torch::tensor({-1, 2}, torch::kInt).view({2, 1});
  t["h_bf16"] = torch::tensor({1.0, -0.5, 3.140625}, torch::kBFloat16);
  t["i_empty"] = torch::zeros({0, 4}, torch::kFloat);
  return t;
}

void expect_reference(const TensorMap& got) {
  auto ref = reference_tensors();
  ASSERT_EQ(got.size(), ref.size());
  for (const auto& [name, t] : ref) {
    ASSERT_TRUE(got.count(name)) << name;
    const auto& g = got.at(name);
    EXPECT_EQ(g.scalar_type(), t.scalar_type()) << name;
    EXPECT_EQ(g.sizes(), t.sizes()) << name;
    EXPECT_TRUE(torch::equal(g, t)) << name << ": " << g;
  }
}

bool have_python_numpy() {
  return std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
}

TEST(Safetensors, RoundTripsEveryDtypeAndMetadata) {
  TempDir dir;
  write_safetensors(dir.file("t.safetensors"), reference_tensors(), {{"k", "v"}, {"x", "y z"}});
  auto st = read_safetensors(dir.file("t.safetensors"));
  expect_reference(st.tensors);
  EXPECT_EQ(st.metadata, (std::map<std::string, std::string>{{"k", "v"}, {"x", "y z"}}));
}

TEST(Safetensors, ByteLayoutIsTheFormat) {
  TensorMap t;
  t["w"] = torch::tensor({1.0f, -2.0f});
  auto bytes = serialize_safetensors(t);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<uint8_t>(bytes[i]);
  EXPECT_EQ(n % 8, 0u);  // data 8-byte aligned
  ASSERT_EQ(bytes.size(), 8 + n + 8);
  auto header = nlohmann::json::parse(bytes.substr(8, n));
  EXPECT_EQ(header["w"]["dtype"], "F32");
  EXPECT_EQ(header["w"]["shape"], nlohmann::json::array({2}));
  EXPECT_EQ(header["w"]["data_offsets"], nlohmann::json::array({0, 8}));
  EXPECT_FALSE(header.contains("__metadata__"));
  // 1.0f and -2.0f little-endian.
  EXPECT_EQ(bytes.substr(8 + n), std::string("\x00\x00\x80\x3f\x00\x00\x00\xc0", 8));
}

TEST(Safetensors, ReadsHandWrittenBytes) {
  std::string data("\x01\x00\x02\x00\x03\x00\xff\xff", 8);  // I16 [1, 2, 3, -1]
  auto st = parse_safetensors(
      raw_file(R"({"x":{"dtype":"I16","shape":[2,2],"data_offsets":[0,8]},"__metadata__":{"a":"b"}})", data),
      "w");
  ASSERT_EQ(st.tensors.count("x"), 1u);
  EXPECT_TRUE(torch::equal(st.tensors["x"], torch::tensor({1, 2, 3, -1}, torch::kShort).view({2, 2})));
  EXPECT_EQ(st.metadata.at("a"), "b");
}

TEST(Safetensors, MissingFileIsNoInput) {
  try {
    read_safetensors("/nonexistent/w.safetensors");
    FAIL();
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kNoInput);
    EXPECT_EQ(e.path(), "/nonexistent/w.safetensors");
  }
}

TEST(Safetensors, TruncatedDataNamesTheTensor) {
  TensorMap t;
  t["a"] = torch::ones({4});
  t["b"] = torch::ones({4});
  auto bytes = serialize_safetensors(t);
  auto err = parse_error(bytes.substr(0, bytes.size() - 3));
  EXPECT_NE(err.find("b: data_offsets [16,32] beyond the 29 data bytes (file truncated?)"),
            std::string::npos) << err;
}

TEST(Safetensors, TruncatedHeader) {
  auto bytes = serialize_safetensors({{"a", torch::ones({4})}});
  EXPECT_NE(parse_error(bytes.substr(0, 20)).find("truncated: header of"), std::string::npos);
  EXPECT_NE(parse_error(bytes.substr(0, 5)).find("shorter than the 8-byte"), std::string::npos);
  EXPECT_NE(parse_error("").find("not a safetensors file"), std::string::npos);
  EXPECT_NE(parse_error(le64(uint64_t{1} << 60) + "{}").find("implausible"), std::string::npos);
}

TEST(Safetensors, BadHeaderJson) {
  auto err = parse_error(raw_file(R"({"a":{"dtype":"F32",)", ""));
  EXPECT_NE(err.find("bad header JSON"), std::string::npos) << err;
  EXPECT_NE(parse_error(raw_file("[1,2]", "")).find("bad header JSON (not an object)"),
            std::string::npos);
  EXPECT_NE(parse_error(raw_file(R"({"a":{"dtype":"F32","shape":[1]}})", "1234"))
                .find("a: header entry needs dtype, shape and data_offsets"),
            std::string::npos);
  EXPECT_NE(parse_error(raw_file(R"({"__metadata__":{"k":1}})", ""))
                .find("__metadata__: value of \"k\" is not a string"),
            std::string::npos);
}

TEST(Safetensors, OffsetsOutOfRangeOrOverlapping) {
  const std::string data(16, '\0');
  auto err = parse_error(
      raw_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}})", data));
  EXPECT_NE(err.find("a: data_offsets [12,20] beyond the 16 data bytes"), std::string::npos) << err;
  err = parse_error(raw_file(
      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
      data));
  EXPECT_NE(err.find("b: data overlaps that of a"), std::string::npos) << err;
  err = parse_error(
      raw_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", data));
  EXPECT_NE(err.find("a: data_offsets [8,0] end before begin"), std::string::npos) << err;
  err = parse_error(
      raw_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[-1,7]}})", data));
  EXPECT_NE(err.find("a: data_offsets [-1,7] is not [begin, end]"), std::string::npos) << err;
}

TEST(Safetensors, WrongDtypeOrShape) {
  const std::string data(16, '\0');
  auto err = parse_error(
      raw_file(R"({"a":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}})", data));
  EXPECT_NE(err.find("a: unsupported dtype (Q7)"), std::string::npos) << err;
  err = parse_error(
      raw_file(R"({"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}})", data));
  EXPECT_NE(err.find("a: data_offsets [0,8] hold 8 bytes, F64 [2] needs 16"), std::string::npos)
      << err;
  err = parse_error(
      raw_file(R"({"a":{"dtype":"F32","shape":[2,-1],"data_offsets":[0,8]}})", data));
  EXPECT_NE(err.find("a: shape [2,-1] is not a list of sizes"), std::string::npos) << err;
}

TEST(Safetensors, FirstBadTensorIsNamed) {
  // Both are bad; names are checked in sorted order.
  const std::string data(8, '\0');
  auto err = parse_error(raw_file(
      R"({"z":{"dtype":"X","shape":[1],"data_offsets":[0,4]},"m":{"dtype":"F32","shape":[9],"data_offsets":[0,4]}})",
      data));
  EXPECT_EQ(err.rfind("m: ", 0), 0u) << err;
}

TEST(Safetensors, ModuleStateLoadsByNameWithPrefix) {
  torch::nn::Sequential src(torch::nn::Linear(3, 2), torch::nn::BatchNorm1d(2));
  torch::nn::Sequential dst(torch::nn::Linear(3, 2), torch::nn::BatchNorm1d(2));
  xr::nn::testing::det_fill(*src);
  TensorMap prefixed;
  for (auto& [k, v] : module_state(*src)) prefixed["net." + k] = v;
  prefixed["other.thing"] = torch::ones({1});  // outside the prefix: ignored
  Safetensors file{prefixed, {}};
  load_module_state(*dst, file, "w", "net.");
  for (auto& [k, v] : module_state(*dst)) {
    EXPECT_TRUE(torch::equal(v, module_state(*src).at(k))) << k;
  }
  EXPECT_EQ(module_state(*dst).size(), 7u);  // weight bias | weight bias mean var count
}

std::string load_error(torch::nn::Module& m, const TensorMap& tensors, bool strict = true) {
  try {
    load_module_state(m, Safetensors{tensors, {}}, "w.safetensors", "", strict);
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kDataErr);
    EXPECT_EQ(e.path(), "w.safetensors");
    return e.what();
  }
  return "";
}

TEST(Safetensors, LoadErrorsNameTheFirstBadTensor) {
  torch::nn::Sequential m(torch::nn::Linear(3, 2), torch::nn::BatchNorm1d(2));
  const auto good = module_state(*m);
  auto before = good.at("0.weight").clone();

  auto t = good;
  t.erase("0.bias");
  EXPECT_EQ(load_error(*m, t), "0.bias: missing from the file");
  EXPECT_EQ(load_error(*m, t, /*strict=*/false), "");

  t = good;
  t["0.weight"] = torch::zeros({2, 4});
  EXPECT_EQ(load_error(*m, t), "0.weight: shape [2,4] in the file, [2,3] expected");
  EXPECT_EQ(load_error(*m, t, false), "0.weight: shape [2,4] in the file, [2,3] expected");

  t = good;
  t["1.running_var"] = torch::ones({2}, torch::kLong);
  EXPECT_EQ(load_error(*m, t), "1.running_var: dtype I64 in the file, F32 expected");
  t = good;
  t["1.num_batches_tracked"] = torch::zeros({}, torch::kFloat);
  EXPECT_EQ(load_error(*m, t), "1.num_batches_tracked: dtype F32 in the file, I64 expected");

  t = good;
  t["2.weight"] = torch::ones({1});
  EXPECT_EQ(load_error(*m, t), "2.weight: in the file but not in the module");
  EXPECT_EQ(load_error(*m, t, false), "");
  EXPECT_TRUE(torch::equal(module_state(*m).at("0.weight"), before));
}

TEST(Safetensors, FailedLoadLeavesTheModuleUnchanged) {
  torch::nn::Sequential m(torch::nn::Linear(3, 2), torch::nn::BatchNorm1d(2));
  auto before = module_state(*m).at("0.weight").clone();
  auto t = module_state(*m);
  t["0.weight"] = torch::full({2, 3}, 7.0f);
  t["1.weight"] = torch::zeros({5});
  EXPECT_NE(load_error(*m, t), "");
  EXPECT_TRUE(torch::equal(module_state(*m).at("0.weight"), before));
}

TEST(Safetensors, HalfPrecisionFileLoadsIntoFloat) {
  torch::nn::Linear m(2, 2);
  TensorMap t;
  t["weight"] = torch::tensor({1.5, -2.0, 0.25, 4.0}, torch::kHalf).view({2, 2});
  t["bias"] = torch::tensor({1.0, 2.0}, torch::kBFloat16);
  load_module_state(*m, Safetensors{t, {}}, "w");
  EXPECT_TRUE(torch::equal(m->weight, torch::tensor({1.5f, -2.0f, 0.25f, 4.0f}).view({2, 2})));
  EXPECT_EQ(m->bias.scalar_type(), torch::kFloat);
}

TEST(Safetensors, ReadsPythonWrittenFile) {
  if (!have_python_numpy()) GTEST_SKIP() << "needs /usr/bin/python3 with numpy";
  TempDir dir;
  const auto script = xr::nn::testing::source_dir() + "/tests/golden/nn/safetensors_interop.py";
  ASSERT_EQ(std::system(("/usr/bin/python3 '" + script + "' write '" + dir.file("py.safetensors") + "'").c_str()), 0);
  auto st = read_safetensors(dir.file("py.safetensors"));
  expect_reference(st.tensors);
  EXPECT_EQ(st.metadata.at("note"), "written by python");
}

TEST(Safetensors, PythonReadsCppWrittenFile) {
  if (!have_python_numpy()) GTEST_SKIP() << "needs /usr/bin/python3 with numpy";
  TempDir dir;
  write_safetensors(dir.file("cpp.safetensors"), reference_tensors(),
                    {{"format", "interop-test"}, {"note", "written by c++"}});
  const auto script = xr::nn::testing::source_dir() + "/tests/golden/nn/safetensors_interop.py";
  EXPECT_EQ(std::system(("/usr/bin/python3 '" + script + "' check '" + dir.file("cpp.safetensors") + "'").c_str()), 0);
  // And the checker can fail: metadata that differs is refused.
  write_safetensors(dir.file("bad.safetensors"), reference_tensors(), {{"note", "other"}});
  EXPECT_NE(std::system(("/usr/bin/python3 '" + script + "' check '" + dir.file("bad.safetensors") + "' 2>/dev/null").c_str()), 0);
}

TEST(Safetensors, ReadsTheCommittedGolden) {
  auto st = read_safetensors(xr::nn::testing::source_dir() +
                             "/tests/golden/nn/inception_golden.safetensors");
  EXPECT_EQ(st.metadata.at("script"), "tests/golden/nn/make_inception_golden.py");
  EXPECT_EQ(st.tensors.at("tv96.features").sizes().vec(), (std::vector<int64_t>{2, 2048}));
}

TEST(Safetensors, WriteIsAtomicAndReplaces) {
  TempDir dir;
  const auto path = dir.file("w.safetensors");
  write_safetensors(path, {{"a", torch::ones({2})}});
  write_safetensors(path, {{"b", torch::zeros({3})}});
  auto st = read_safetensors(path);
  EXPECT_EQ(st.tensors.size(), 1u);
  EXPECT_EQ(st.tensors.count("b"), 1u);
  try {
    write_safetensors(dir.file("no/such/dir/w.safetensors"), {{"a", torch::ones({2})}});
    FAIL();
  } catch (const xr::Error& e) {
    EXPECT_NE(e.code(), xr::Exit::kOk);
  }
}

}  // namespace
