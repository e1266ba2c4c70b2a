# The front door of the xr toolkit. `make demo` runs the whole pipeline on generated
# data; `make test` runs every test. Both install missing Debian packages (make deps)
# and build first. See README.md.

BUILD_DIR ?= build
BUILD_TYPE ?= Release
PREFIX ?= /usr/local
JOBS ?= $(shell nproc)
CMAKE_ARGS ?=
BIN := $(CURDIR)/$(BUILD_DIR)/bin

.DEFAULT_GOAL := build
.DELETE_ON_ERROR:
.PHONY: build configure deps deps-dev test unit-test cli-test bench fuzz install clean demo help

help:
	@echo "make deps        install missing Debian packages (apt-get, --no-install-recommends)"
	@echo "make deps-dev    also the packages for golden files and fuzzing (PyTorch, sklearn, afl++)"
	@echo "make             build the tools into $(BUILD_DIR)/bin"
	@echo "make configure   install missing packages and run CMake, without building"
	@echo "make test        build, then run the unit (GoogleTest) and CLI (bats) tests"
	@echo "make unit-test / make cli-test   one half of make test"
	@echo "make demo        build, then run the whole pipeline on generated data (minutes on a laptop)"
	@echo "make small DATA=DIR / make micro DATA=DIR   the paper's experiments (1000 / 500 a class)"
	@echo "make both DATA=DIR    small and micro, and a report of both"
	@echo "make sweep DATA=DIR   one experiment per size in SIZES (default 2000 1000 500 250)"
	@echo "make cpu-study DATA=DIR   the small experiment on real data, sized for a 2-core CPU (about an hour)"
	@echo "make bench       build and run the benchmarks (tests/bench)"
	@echo "make fuzz        build the fuzz targets with clang into $(BUILD_DIR)-fuzz"
	@echo "make install PREFIX=/usr/local"
	@echo "make clean       remove $(BUILD_DIR) and $(BUILD_DIR)-fuzz"
	@echo "Settings of the experiments: pipelines/experiment.mk; README.md"

deps:
	@scripts/install-deps

deps-dev:
	@scripts/install-deps --dev

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@scripts/run-tests $(BUILD_DIR)

unit-test: build
	@scripts/run-tests $(BUILD_DIR) --unit-only

cli-test: build
	@scripts/run-tests $(BUILD_DIR) --cli-only

bench: build
	@scripts/run-benchmarks $(BUILD_DIR)

fuzz: deps
	cmake -S . -B $(BUILD_DIR)-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DXR_BUILD_FUZZ=ON \
	  -DXR_BUILD_TESTS=OFF -DXR_BUILD_BENCH=OFF -DXR_PCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD_DIR)-fuzz -j $(JOBS)

install: build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD_DIR) $(BUILD_DIR)-fuzz

# The experiment pipelines (demo, small, micro, sweep).
include pipelines/paper.mk
include pipelines/demo.mk
include pipelines/cpu-study.mk
