# pcapframe: `make run` and `make test` install what they need, then do everything.
# Cargo's build cache lives outside the clone so fresh clones (CI) reuse compiled polars.
SHELL := /bin/bash
CACHE ?= $(HOME)/.cache/pcapframe
export CARGO_TARGET_DIR ?= $(CACHE)/target
CARGO ?= cargo
BIN := $(CARGO_TARGET_DIR)/release/pcapframe
OUT ?= out
BENCH_FRAMES ?= 1000000
VENV := $(CACHE)/venv
PY := $(VENV)/bin/python
NOTEBOOKS := notebooks/tools/notebooks.py

.PHONY: all run test lint unit parity engines bench build tshark java engines-python bench-python help fixtures jupyter evcxr kernel chromium notebooks notebook-test export fuzz
all: test

help:
	@echo "make run     install what is missing, execute the notebooks headless, write $(OUT)/*.html"
	@echo "make test    install what is missing; lint, unit tests, parity with tshark, notebook checks"
	@echo "make notebooks  re-execute the notebooks and store their outputs in notebooks/ (to commit)"
	@echo "make export  every field of every capture to $(OUT)/*.parquet"
	@echo "make fuzz    every fuzz target (or FUZZ_TARGETS) for FUZZ_SECONDS (default 180) each; see fuzz/README.md"
	@echo "make parity  the tshark comparisons: per-field table, per-filter agreement, statistics, follow"
	@echo "make engines polars, DuckDB and Spark query the Parquet dataset pcapframe writes, and agree"
	@echo "make bench   tshark, tshark | pandas and pcapframe on a ~$(BENCH_FRAMES)-frame capture and real traffic, as ratios ($(OUT)/bench.json)"

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
	$(CARGO) clippy --release --workspace --all-targets --all-features -- -D warnings

unit: build
	@echo "==> unit and integration tests"
	$(CARGO) test --release --workspace --all-features --exclude pcapframe-cli
	$(CARGO) test --release -p pcapframe-cli --bins --test cli --test answer_key --test dataset --test threads

parity: tshark build
	@echo "==> parity with tshark (every field and filter, statistics, followed streams and exported objects, every capture)"
	$(CARGO) test --release -p pcapframe-cli --test parity --test filters --test statistics --test follow --test hierarchy --test export_objects -- --nocapture

java:
	@command -v java >/dev/null 2>&1 || { \
	  echo "==> installing Java 17 for Spark (Debian package openjdk-17-jre-headless)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; }

# The engines that read pcapframe's datasets, pinned: Spark's Parquet reader has refused
# timestamps that others read (see crates/pcapframe/src/dataset.rs).
engines-python: jupyter java
	@$(PY) -c "import pyspark, duckdb, polars, pyarrow" 2>/dev/null || { \
	  echo "==> pyspark, duckdb, polars and pyarrow into $(VENV)"; \
	  $(VENV)/bin/pip install -q pyspark==4.3.0 duckdb==2.0.1 polars==2.1.0 pyarrow==26.0.1; }

jupyter:
	@$(PY) -c "import nbclient, nbconvert, selenium" 2>/dev/null || { \
	  echo "==> Jupyter (nbclient, nbconvert) and selenium into $(VENV)"; \
	  python3 -m venv $(VENV) && $(VENV)/bin/pip install -q nbclient nbconvert nbformat ipykernel jupyter_client selenium; }

evcxr:
	@command -v evcxr_jupyter >/dev/null 2>&1 || test -x $(HOME)/.cargo/bin/evcxr_jupyter || { \
	  echo "==> cargo install evcxr_jupyter --locked (15 to 25 minutes, once per machine)"; \
	  rustup component add rust-src && env -u CARGO_TARGET_DIR $(CARGO) install evcxr_jupyter --locked; }

kernel: jupyter evcxr
	@$(PY) $(NOTEBOOKS) kernel --cache $(CACHE)

chromium:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || { \
	  echo "==> installing chromium and chromium-driver (Debian packages)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

notebook-test: kernel chromium
	@echo "==> notebooks: execute, check outputs against the committed ones, render, check in Chromium"
	$(PY) $(NOTEBOOKS) check --out $(OUT)/notebook-check

notebooks: kernel
	$(PY) $(NOTEBOOKS) update --out $(OUT)

engines: build engines-python
	$(PY) crates/pcapframe-cli/tests/engines.py --bin $(BIN) --out $(OUT)/engines \
	  fixtures/*.pcap* $$(ls -d ../shared/captures/* 2>/dev/null)

test: tshark lint unit parity engines notebook-test
	@echo "==> all tests passed"

run: kernel
	@echo "==> executing the notebooks on fixtures/dorm-room.pcap (set PCAPFRAME_CAPTURE for another file)"
	$(PY) $(NOTEBOOKS) run --out $(OUT)
	@echo "==> rendered notebooks: $$(ls $(OUT)/*.html)"

export: build
	@mkdir -p $(OUT)
	@echo "==> exporting every field of every capture to $(OUT)/"
	@fields=$$($(BIN) -G fields | cut -f3 | sed 's/^/-e /' | tr '\n' ' '); \
	for f in fixtures/*.pcap* ../shared/captures/*.pcap* ../shared/captures/*.cap ../shared/captures/*.ntar; do \
	  [ -f "$$f" ] || continue; b=$$(basename "$$f"); \
	  $(BIN) -r "$$f" $$fields --out "$(OUT)/$$b.parquet" && echo "   $(OUT)/$$b.parquet"; \
	done

fuzz:
	@bash fuzz/run.sh

# The seed's pipeline (tshark piped into pandas) is one of the runs.
bench-python: engines-python
	@$(PY) -c "import pandas" 2>/dev/null || { echo "==> pandas into $(VENV)"; $(VENV)/bin/pip install -q pandas==3.1.1; }

bench: tshark build bench-python
	$(CARGO) build --release --workspace --exclude pcapframe-cli --all-features --example read_bench
	$(PY) bench/bench.py --bin $(BIN) --read-bench $(CARGO_TARGET_DIR)/release/examples/read_bench \
	  --fixtures-bin $(CARGO_TARGET_DIR)/release/pcapframe-fixtures --frames $(BENCH_FRAMES) --json $(OUT)/bench.json
