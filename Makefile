# pcapframe: `make run` and `make test` install what they need, then do everything.
# Cargo's build cache lives outside the clone so fresh clones (CI) reuse compiled polars.
SHELL := /bin/bash
CACHE ?= $(HOME)/.cache/pcapframe
export CARGO_TARGET_DIR ?= $(CACHE)/target
CARGO ?= cargo
BIN := $(CARGO_TARGET_DIR)/release/pcapframe
OUT ?= out
BENCH_FRAMES ?= 1000000

.PHONY: all run test lint unit parity bench build tshark help fixtures
all: test

help:
	@echo "make run     build pcapframe and export the shared captures' core fields to $(OUT)/"
	@echo "make test    install tshark if missing, lint, unit tests, parity with tshark"
	@echo "make parity  only the tshark parity test, with its per-field table"
	@echo "make bench   tshark vs pcapframe on a ~$(BENCH_FRAMES)-frame capture, as ratios"

tshark:
	@command -v tshark >/dev/null 2>&1 || { \
	  echo "==> installing tshark (Debian package)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tshark >/dev/null; }
	@tshark -v 2>/dev/null | head -1

build:
	@echo "==> cargo build --release (first build compiles polars: ~10 min on 2 cores)"
	$(CARGO) build --release --workspace

fixtures: build
	@echo "==> regenerating fixtures/ (deterministic: a test checks they match byte for byte)"
	$(CARGO_TARGET_DIR)/release/pcapframe-fixtures fixtures

lint:
	@echo "==> cargo fmt --check, clippy -D warnings"
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --workspace --all-targets -- -D warnings

unit: build
	@echo "==> unit and integration tests"
	$(CARGO) test --release --workspace --exclude pcapframe-cli
	$(CARGO) test --release -p pcapframe-cli --bins --test cli

parity: tshark build
	@echo "==> parity with tshark (every core field, every capture)"
	$(CARGO) test --release -p pcapframe-cli --test parity -- --nocapture

test: tshark lint unit parity
	@echo "==> all tests passed"

run: build
	@mkdir -p $(OUT)
	@echo "==> exporting core fields of every capture to $(OUT)/"
	@fields=$$($(BIN) -G fields | cut -f3 | sed 's/^/-e /' | tr '\n' ' '); \
	for f in fixtures/*.pcap* ../shared/captures/*.pcap*; do \
	  [ -f "$$f" ] || continue; b=$$(basename "$$f"); \
	  $(BIN) -r "$$f" $$fields --out "$(OUT)/$$b.parquet" && echo "   $(OUT)/$$b.parquet"; \
	done

bench: tshark build
	@bash bench/run.sh "$(BIN)" "$(BENCH_FRAMES)"
