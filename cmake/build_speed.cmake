# Build speed: precompiled headers and the compiler cache. Neither changes what is
# compiled, only how often: a build with both off (-DXR_PCH=OFF -DXR_CCACHE=OFF)
# gives the same binaries' behaviour. Figures: BENCHMARKS.md, "Build".

# Precompiled headers, off by default because measured they cost more than they
# give here (BENCHMARKS.md, "Build"; GCC 12, LibTorch 1.13): a unit that includes
# <torch/torch.h> spends most of its ~10 s not in parsing, which a PCH saves, but in
# instantiating and compiling what the header itself needs (GCC's "phase lang.
# deferred" and "opt and generate"), which every unit that loads the PCH still pays:
# fit.cpp took 10.0 s with the PCH against 10.5 s without, while csv.cpp, which
# includes no LibTorch header, took 9.6 s instead of 0.7 s. -DXR_PCH=ON builds with
# them (for another compiler, or a LibTorch whose headers parse slower).
#
# The list holds only headers from outside the project, in angle brackets: CMake
# then writes them into its generated cmake_pch.hxx as they are, with no absolute
# path, so the PCH of a clone in another folder hashes the same for ccache.
option(XR_PCH "Precompile LibTorch, CLI11, nlohmann/json and the standard library headers" OFF)
set(XR_PCH_HEADERS
  <torch/torch.h> <nlohmann/json.hpp> <CLI/CLI.hpp>
  <algorithm> <cmath> <cstdint> <cstdlib> <filesystem> <fstream> <functional> <map>
  <memory> <set> <sstream> <stdexcept> <string> <vector>)

# GCC refuses a PCH made with other code-generation flags (-fPIC for the shared
# libraries, -fPIE for the executables: "created and used with differing settings"),
# so there are two: xr_core's, reused by every library area, and xr_pch_host's, a
# program that exists only to own the PCH every executable (tools, unit tests,
# benchmarks) reuses. Both link xr_core, so the definitions (LibTorch's ABI macro
# among them) are the same as their users'. GCC also refuses a PCH made with a macro
# the user lacks ("not used because `xr_core_EXPORTS' not defined"), and CMake
# defines <target>_EXPORTS in each shared library: no code reads it, so the
# libraries are built without it.
function(xr_pch_unexport target)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "SHARED_LIBRARY")
    set_target_properties(${target} PROPERTIES DEFINE_SYMBOL "")
  endif()
endfunction()
function(xr_pch_own target)
  if(XR_PCH)
    xr_pch_unexport(${target})
    target_precompile_headers(${target} PRIVATE ${XR_PCH_HEADERS})
  endif()
endfunction()
function(xr_pch_reuse target owner)
  if(XR_PCH)
    xr_pch_unexport(${target})
    target_precompile_headers(${target} REUSE_FROM ${owner})
  endif()
endfunction()

# The compiler cache, used when Debian's ccache is installed (make deps installs it):
# CI and a second clone on the same machine then reuse what the first one compiled.
#  - base_dir = the source folder: ccache rewrites absolute paths inside it (-I,
#    the source file, the build folder) to relative ones, so a clone in another
#    folder hashes the same.
#  - with -DXR_PCH=ON, sloppiness pch_defines,time_macros: ccache cannot see a
#    #define or __TIME__ used through a PCH, so it must be told that the sources do not
#    depend on them (none does: every project header is outside the PCH);
#    include_file_mtime/ctime: a PCH just written is "too new" for ccache, which would
#    otherwise not cache the units that use it. Without a PCH ccache keeps its strict
#    defaults.
#  - depend mode: on a miss ccache takes the headers from the compiler's own -MD list
#    instead of running the preprocessor, which would re-read all of LibTorch's text
#    (GCC's -E ignores the PCH).
# A user's own CMAKE_CXX_COMPILER_LAUNCHER wins; -DXR_CCACHE=OFF turns it off.
option(XR_CCACHE "Compile through ccache when it is installed" ON)
if(XR_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(XR_CCACHE_PROGRAM ccache)
  if(XR_CCACHE_PROGRAM)
    set(xr_ccache_env CCACHE_BASEDIR=${CMAKE_SOURCE_DIR} CCACHE_DEPEND=1)
    if(XR_PCH)
      list(APPEND xr_ccache_env CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime)
    endif()
    set(CMAKE_CXX_COMPILER_LAUNCHER ${CMAKE_COMMAND} -E env ${xr_ccache_env} ${XR_CCACHE_PROGRAM})
    message(STATUS "Compiler cache: ${XR_CCACHE_PROGRAM}")
  else()
    message(STATUS "Compiler cache: none (ccache not installed)")
  endif()
endif()
