// SHA-256 through libcrypto against FIPS 180-4's example vectors (the empty string,
// "abc", the 448-bit message, a million 'a's fed in uneven pieces) and a file's hash
// against the same bytes' hash, with the missing-file error.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "../exit_code.hpp"
#include "../temp_dir.hpp"
#include "core/hash.hpp"

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(xr::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(xr::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(xr::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  std::string million(1000000, 'a');
  xr::Sha256 h;  // fed in uneven pieces
  for (size_t i = 0; i < million.size(); i += 777) h.update(million.data() + i, std::min<size_t>(777, million.size() - i));
  EXPECT_EQ(h.hex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, FileHashIsTheHashOfItsBytes) {
  const xr_test::TempDir tmp("xr-test-hash");
  const std::string bytes(3u << 20, 'q');  // more than one 1 MiB read
  std::ofstream((tmp / "f.bin").string(), std::ios::binary) << bytes;
  EXPECT_EQ(xr::sha256_file((tmp / "f.bin").string()), xr::sha256_hex(bytes));
  EXPECT_EQ(xr_test::code_of([&] { xr::sha256_file((tmp / "none.bin").string()); }), xr::Exit::kNoInput);
}
