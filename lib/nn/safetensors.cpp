// safetensors: 8-byte little-endian header length N, N bytes of JSON
// {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}},
// then the raw little-endian tensor bytes (offsets relative to the data's start).
#include "nn/safetensors.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"

namespace xr::nn {

namespace {

using json = nlohmann::json;

// Header sizes above this are refused, as the reference implementation does: a
// corrupt length field must not make the reader allocate gigabytes.
constexpr uint64_t kMaxHeaderBytes = 100u << 20;

struct DtypeInfo {
  const char* name;
  torch::ScalarType type;
  size_t bytes;
};
constexpr DtypeInfo kDtypes[] = {
    {"F64", torch::kDouble, 8}, {"F32", torch::kFloat, 4},  {"F16", torch::kHalf, 2},
    {"BF16", torch::kBFloat16, 2}, {"I64", torch::kLong, 8}, {"I32", torch::kInt, 4},
    {"I16", torch::kShort, 2},  {"I8", torch::kChar, 1},    {"U8", torch::kByte, 1},
    {"BOOL", torch::kBool, 1},
};

const DtypeInfo* dtype_by_name(const std::string& name) {
  for (const auto& d : kDtypes) {
    if (name == d.name) return &d;
  }
  return nullptr;
}

const DtypeInfo* dtype_by_type(torch::ScalarType t) {
  for (const auto& d : kDtypes) {
    if (t == d.type) return &d;
  }
  return nullptr;
}

bool little_endian_host() {
  const uint16_t one = 1;
  uint8_t first = 0;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

std::string shape_str(torch::IntArrayRef shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

std::string dtype_name(torch::ScalarType t) {
  const auto* d = dtype_by_type(t);
  return d ? d->name : std::string(c10::toString(t));
}

}  // namespace

Safetensors parse_safetensors(const std::string& bytes, const std::string& path) {
  if (!little_endian_host()) fail_data(path, "safetensors needs a little-endian host");
  if (bytes.size() < 8) {
    fail_data(path, "not a safetensors file: " + std::to_string(bytes.size()) +
                        " bytes, shorter than the 8-byte header length");
  }
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | static_cast<uint8_t>(bytes[i]);
  if (header_len > kMaxHeaderBytes) {
    fail_data(path, "not a safetensors file: header length " + std::to_string(header_len) +
                        " is implausible");
  }
  if (header_len > bytes.size() - 8) {
    fail_data(path, "truncated: header of " + std::to_string(header_len) + " bytes, but only " +
                        std::to_string(bytes.size() - 8) + " follow the length field");
  }
  json header;
  try {
    header = json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<long>(header_len));
  } catch (const json::exception& e) {
    fail_data(path, std::string("bad header JSON (") + e.what() + ")");
  }
  if (!header.is_object()) fail_data(path, "bad header JSON (not an object)");

  const uint64_t data_size = bytes.size() - 8 - header_len;
  const char* data = bytes.data() + 8 + header_len;
  Safetensors out;
  struct Span {
    uint64_t begin, end;
    std::string name;
  };
  std::vector<Span> spans;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const json& entry = it.value();
    if (name == "__metadata__") {
      if (!entry.is_object()) fail_data(path, "__metadata__: not an object of strings");
      for (auto m = entry.begin(); m != entry.end(); ++m) {
        if (!m.value().is_string()) {
          fail_data(path, "__metadata__: value of \"" + m.key() + "\" is not a string");
        }
        out.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = name + ": ";
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
        !entry.contains("data_offsets")) {
      fail_data(path, where + "header entry needs dtype, shape and data_offsets");
    }
    const json& jd = entry["dtype"];
    const json& js = entry["shape"];
    const json& jo = entry["data_offsets"];
    if (!jd.is_string()) fail_data(path, where + "dtype is not a string");
    const DtypeInfo* dt = dtype_by_name(jd.get<std::string>());
    if (!dt) fail_data(path, where + "unsupported dtype (" + jd.get<std::string>() + ")");
    if (!js.is_array()) fail_data(path, where + "shape is not an array");
    std::vector<int64_t> shape;
    uint64_t numel = 1;
    for (const auto& d : js) {
      if (!d.is_number_unsigned()) fail_data(path, where + "shape " + js.dump() + " is not a list of sizes");
      const uint64_t v = d.get<uint64_t>();
      if (v > (uint64_t{1} << 40) || (v && numel > (uint64_t{1} << 50) / v)) {
        fail_data(path, where + "shape " + js.dump() + " is implausibly large");
      }
      numel *= v;
      shape.push_back(static_cast<int64_t>(v));
    }
    if (!jo.is_array() || jo.size() != 2 || !jo[0].is_number_unsigned() ||
        !jo[1].is_number_unsigned()) {
      fail_data(path, where + "data_offsets " + jo.dump() + " is not [begin, end]");
    }
    const uint64_t begin = jo[0].get<uint64_t>(), end = jo[1].get<uint64_t>();
    if (end < begin) fail_data(path, where + "data_offsets " + jo.dump() + " end before begin");
    const uint64_t expected = numel * dt->bytes;
    if (end - begin != expected) {
      fail_data(path, where + "data_offsets " + jo.dump() + " hold " + std::to_string(end - begin) +
                          " bytes, " + dt->name + " " + js.dump() + " needs " +
                          std::to_string(expected));
    }
    if (end > data_size) {
      fail_data(path, where + "data_offsets " + jo.dump() + " beyond the " +
                          std::to_string(data_size) + " data bytes (file truncated?)");
    }
    auto t = torch::empty(shape, torch::TensorOptions().dtype(dt->type));
    if (expected) std::memcpy(t.data_ptr(), data + begin, expected);
    out.tensors.emplace(name, std::move(t));
    spans.push_back({begin, end, name});
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  for (size_t i = 1; i < spans.size(); ++i) {
    if (spans[i].begin < spans[i - 1].end) {
      fail_data(path, spans[i].name + ": data overlaps that of " + spans[i - 1].name);
    }
  }
  return out;
}

Safetensors read_safetensors(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail_missing(path, "no such weights file");
  if (S_ISDIR(st.st_mode)) fail_data(path, "is a folder, not a safetensors file");
  return parse_safetensors(read_file(path), path);
}

std::string serialize_safetensors(const TensorMap& tensors,
                                  const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) {
    json m = json::object();
    for (const auto& [k, v] : metadata) m[k] = v;
    header["__metadata__"] = m;
  }
  std::vector<torch::Tensor> blobs;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (name == "__metadata__") {
      throw Error(Exit::kSoftware, "", "safetensors: a tensor cannot be named __metadata__");
    }
    if (!tensor.defined()) throw Error(Exit::kSoftware, "", name + ": undefined tensor");
    const auto* dt = dtype_by_type(tensor.scalar_type());
    if (!dt) {
      throw Error(Exit::kSoftware, "",
                  name + ": dtype " + std::string(c10::toString(tensor.scalar_type())) +
                      " cannot be stored in safetensors");
    }
    auto t = tensor.detach().to(torch::kCPU).contiguous();
    const uint64_t n = static_cast<uint64_t>(t.numel()) * dt->bytes;
    header[name] = {{"dtype", dt->name},
                    {"shape", t.sizes().vec()},
                    {"data_offsets", {offset, offset + n}}};
    offset += n;
    blobs.push_back(t);
  }
  std::string head = header.dump();
  // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
  head.append((8 - head.size() % 8) % 8, ' ');
  std::string out;
  out.reserve(8 + head.size() + offset);
  uint64_t len = head.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  out += head;
  for (const auto& t : blobs) {
    out.append(static_cast<const char*>(t.data_ptr()),
               static_cast<size_t>(t.numel()) * t.element_size());
  }
  return out;
}

void write_safetensors(const std::string& path, const TensorMap& tensors,
                       const std::map<std::string, std::string>& metadata) {
  write_file_atomic(path, serialize_safetensors(tensors, metadata));
}

TensorMap module_state(const torch::nn::Module& m) {
  TensorMap out;
  for (const auto& p : m.named_parameters(true)) out.emplace(p.key(), p.value().detach());
  for (const auto& b : m.named_buffers(true)) out.emplace(b.key(), b.value().detach());
  return out;
}

void load_module_state(torch::nn::Module& m, const Safetensors& file, const std::string& path,
                       const std::string& prefix, bool strict) {
  std::vector<std::pair<std::string, torch::Tensor>> targets;
  for (const auto& p : m.named_parameters(true)) targets.emplace_back(p.key(), p.value());
  for (const auto& b : m.named_buffers(true)) targets.emplace_back(b.key(), b.value());

  // Check everything before copying anything: a bad file leaves the module as it was.
  std::vector<std::pair<torch::Tensor, torch::Tensor>> copies;
  std::set<std::string> used;
  for (const auto& [name, target] : targets) {
    const std::string file_name = prefix + name;
    auto it = file.tensors.find(file_name);
    if (it == file.tensors.end()) {
      if (strict) fail_data(path, file_name + ": missing from the file");
      continue;
    }
    used.insert(file_name);
    const torch::Tensor& src = it->second;
    if (src.sizes() != target.sizes()) {
      fail_data(path, file_name + ": shape " + shape_str(src.sizes()) + " in the file, " +
                          shape_str(target.sizes()) + " expected");
    }
    // Floating-point weights convert (an F16 or BF16 file loads into F32); anything
    // else must match exactly.
    const bool both_float = torch::isFloatingType(src.scalar_type()) &&
                            torch::isFloatingType(target.scalar_type());
    if (!both_float && src.scalar_type() != target.scalar_type()) {
      fail_data(path, file_name + ": dtype " + dtype_name(src.scalar_type()) + " in the file, " +
                          dtype_name(target.scalar_type()) + " expected");
    }
    copies.emplace_back(target, src);
  }
  if (strict) {
    for (const auto& [name, t] : file.tensors) {
      if (name.compare(0, prefix.size(), prefix) == 0 && !used.count(name)) {
        fail_data(path, name + ": in the file but not in the module");
      }
    }
  }
  torch::NoGradGuard no_grad;
  for (auto& [target, src] : copies) target.copy_(src);
}

}  // namespace xr::nn
