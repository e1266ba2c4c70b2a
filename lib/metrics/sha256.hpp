// SHA-256 (FIPS 180-4) for the feature cache's keys and the extractors' weight ids:
// content hashes that stay valid across machines and runs, unlike size+mtime.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace xr::metrics {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  void update(const std::string& s) { update(s.data(), s.size()); }
  std::string hex();  // finishes the hash; the object must not be updated afterwards

 private:
  void block(const uint8_t* p);
  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buf_{};
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

std::string sha256_hex(const std::string& bytes);
// Hash of a file's contents, read in chunks (kNoInput if missing, kIoErr if unreadable).
std::string sha256_file(const std::string& path);

}  // namespace xr::metrics
