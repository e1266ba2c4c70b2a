// Shared by the unit tests of every area: the exit code an xr::Error carries.
#pragma once
#include <functional>

#include "core/errors.hpp"

namespace xr_test {

// Runs fn; the code of the xr::Error it throws, or kOk when it throws none.
inline xr::Exit code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const xr::Error& e) {
    return e.code();
  }
  return xr::Exit::kOk;
}

}  // namespace xr_test
