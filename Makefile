# SPDX-License-Identifier: Apache-2.0
# The two commands of the README: `make run` and `make test`. Each installs what is missing first.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
PORT ?= 5488
DATA_DIR ?= ./freshet-data
JOBS ?= $(shell nproc)

.PHONY: all deps configure build run test unit-test slt bench bench-kafka format check-format clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@BUILD_DIR=$(BUILD_DIR) scripts/run.sh --port $(PORT) --data-dir $(DATA_DIR)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 1200 -LE slt
	@$(BUILD_DIR)/bin/freshet_slt --binary $(BUILD_DIR)/bin/freshet sql_tests

# Nexmark q0, q1, q2, q5, q7, q8 over the built-in generator (bench/nexmark/run.sh --help);
# NEXMARK_EVENTS=1000000 for a quick run. Builds first (`make build`; if that fails it says so
# and uses the existing binary). Writes bench/results/nexmark.json.
bench:
	@BUILD_DIR=$(BUILD_DIR) bench/nexmark/run.sh

# Nexmark bids through the Kafka dev broker: raw librdkafka consumption, JSON decoding, and q0, q1,
# q5 over a Kafka source (bench/kafka/run.sh --help); KAFKA_BENCH_EVENTS bids (default 1000000).
# Builds first, like `bench`. Writes bench/results/kafka.json.
bench-kafka:
	@BUILD_DIR=$(BUILD_DIR) bench/kafka/run.sh

unit-test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L unit

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

check-format:
	@git ls-files '*.h' '*.cc' | xargs clang-format --dry-run --Werror

clean:
	@rm -rf $(BUILD_DIR)
