// safetensors files (the format of Hugging Face's `safetensors`): the toolkit's model
// weight format, readable from Python and every major framework. Reader, atomic
// writer, and the bridge between a file and a LibTorch module's named tensors.
#pragma once
#include <torch/torch.h>

#include <map>
#include <string>

namespace xr::nn {

using TensorMap = std::map<std::string, torch::Tensor>;  // sorted by name
struct Safetensors {
  TensorMap tensors;
  std::map<std::string, std::string> metadata;  // "__metadata__" of the file
};

// Reads every tensor to CPU memory. Supported dtypes: F64 F32 F16 BF16 I64 I32 I16
// I8 U8 BOOL. Errors: kNoInput (missing file), kDataErr naming the first bad tensor.
Safetensors read_safetensors(const std::string& path);
// Parses an in-memory file image (the same checks; `path` only names it in errors).
Safetensors parse_safetensors(const std::string& bytes, const std::string& path);

void write_safetensors(const std::string& path, const TensorMap& tensors,
                       const std::map<std::string, std::string>& metadata = {});  // atomic
// The bytes write_safetensors would write (tensors made contiguous, moved to CPU).
std::string serialize_safetensors(const TensorMap& tensors,
                                  const std::map<std::string, std::string>& metadata = {});

TensorMap module_state(const torch::nn::Module& m);  // named parameters + buffers

// Loads tensors into the module by name (prefix stripped from file names first);
// strict: every module tensor must be present with the same shape, and no extra
// tensor under the prefix. Errors (kDataErr, path) name the first bad tensor, e.g.
// "Mixed_6a.branch3x3.conv.weight: shape [384,288,1,1] in the file, [384,288,3,3] expected".
// Non-strict (as PyTorch's load_state_dict): missing and extra tensors are allowed,
// a wrong shape or dtype is still an error. Floating-point tensors convert between
// F16/BF16/F32/F64; other dtypes must match. Nothing is copied unless all checks pass.
void load_module_state(torch::nn::Module& m, const Safetensors& file, const std::string& path,
                       const std::string& prefix = "", bool strict = true);

}  // namespace xr::nn
