// libFuzzer target: parse_safetensors on arbitrary bytes must either return tensors
// or throw xr::Error (a clear one-line message), never crash or over-read.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/errors.hpp"
#include "nn/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto st = xr::nn::parse_safetensors(std::string(reinterpret_cast<const char*>(data), size),
                                        "fuzz.safetensors");
    // Whatever was accepted must serialise and parse back to the same names.
    auto again = xr::nn::parse_safetensors(xr::nn::serialize_safetensors(st.tensors, st.metadata),
                                           "again.safetensors");
    if (again.tensors.size() != st.tensors.size()) __builtin_trap();
  } catch (const xr::Error&) {
  }
  return 0;
}
