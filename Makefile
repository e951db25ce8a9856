# The README's commands. Each target installs what is missing first.
BUILD ?= build
JOBS ?= 2
MAKEFLAGS += --no-print-directory
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: all deps configure build test demo bench fuzz-smoke clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

demo: build
	@bash scripts/demo.sh

# The whole record path per core with each stage's share (see bench/README.md).
bench: build
	@$(BUILD)/bench/processor_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

# Builds the libFuzzer targets with clang and runs each briefly on its corpus.
fuzz-smoke: deps
	@bash scripts/fuzz-smoke.sh

clean:
	rm -rf $(BUILD)
