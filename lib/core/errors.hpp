// Exit codes (sysexits) and the one exception type tools throw: the shared entry
// point turns it into "tool: error: path: what (value)" and the matching exit code.
#pragma once
#include <stdexcept>
#include <string>

namespace xr {

enum class Exit : int {
  kOk = 0,
  kCheckFailed = 1,   // a requested check failed
  kUsage = 64,        // bad command line
  kDataErr = 65,      // bad input data
  kNoInput = 66,      // input missing
  kUnavailable = 69,  // requested device unavailable
  kSoftware = 70,     // internal error
  kCantCreate = 73,   // cannot create output
  kIoErr = 74,        // I/O error
};

class Error : public std::runtime_error {
 public:
  // `path` may be empty when the error is not about one file.
  Error(Exit code, std::string path, const std::string& what)
      : std::runtime_error(what), code_(code), path_(std::move(path)) {}
  Exit code() const { return code_; }
  const std::string& path() const { return path_; }

 private:
  Exit code_;
  std::string path_;
};

// Shorthands for the common cases, so call sites read as the rule they enforce.
[[noreturn]] inline void fail_data(const std::string& path, const std::string& what) {
  throw Error(Exit::kDataErr, path, what);
}
[[noreturn]] inline void fail_missing(const std::string& path, const std::string& what) {
  throw Error(Exit::kNoInput, path, what);
}
[[noreturn]] inline void fail_usage(const std::string& what) {
  throw Error(Exit::kUsage, "", what);
}
[[noreturn]] inline void fail_create(const std::string& path, const std::string& what) {
  throw Error(Exit::kCantCreate, path, what);
}
[[noreturn]] inline void fail_io(const std::string& path, const std::string& what) {
  throw Error(Exit::kIoErr, path, what);
}

}  // namespace xr
