// Content hashes: SHA-256 through OpenSSL's libcrypto (Debian's libssl-dev), the one
// hash of every key the toolkit derives from bytes (the feature caches, the run and
// data keys, the weight ids): keys that stay valid across machines and runs, unlike
// size+mtime. libcrypto rather than the 115 lines of our own it replaced: maintained,
// validated code that uses the CPU's SHA extensions, 5.7x faster on a 256 MiB buffer
// here (tests/bench/results/core.md).
#pragma once
#include <cstddef>
#include <string>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace xr {

// A running SHA-256: update with bytes, then hex() once.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, size_t size);
  void update(const std::string& s) { update(s.data(), s.size()); }
  // The 64 hex digits; finishes the hash (the object must not be updated afterwards).
  std::string hex();

 private:
  evp_md_ctx_st* ctx_;
};

std::string sha256_hex(const std::string& bytes);

// The hash of a file's contents, read in chunks (kNoInput if missing, kIoErr if
// unreadable).
std::string sha256_file(const std::string& path);

}  // namespace xr
