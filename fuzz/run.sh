#!/usr/bin/env bash
# make fuzz: every fuzz target for FUZZ_SECONDS each (default 180), seeded from fixtures/,
# ../shared/captures/ (whole files, and single frames for dissect_frame) and parity/filters.txt.
# FUZZ_TARGETS picks some ("read_capture field_text").
# Each target's summary line reports executions and coverage (libFuzzer's `cov`: instrumented
# edges reached; `ft`: features). Crashes land in fuzz/artifacts/<target>/; turn each into a
# regression test in crates/pcapframe/tests/mutations.rs. Full logs: fuzz/logs/<target>.log.
# An input that takes over 10 s counts as a crash (a hang).
# cargo fuzz wants nightly flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${FUZZ_SECONDS:-180}
targets=${FUZZ_TARGETS:-read_capture dissect_frame display_filter field_text}
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-$HOME/.cache/pcapframe/fuzz-target}
command -v cargo-fuzz >/dev/null 2>&1 || { echo "==> cargo install cargo-fuzz --locked"; env -u CARGO_TARGET_DIR cargo install cargo-fuzz --locked; }
mkdir -p corpus/read_capture corpus/field_text corpus/dissect_frame corpus/display_filter logs
for f in ../fixtures/edge-* ../../shared/captures/*.pcap* ../../shared/captures/*.cap ../../shared/captures/*.ntar; do
  [ -f "$f" ] && [ "$(stat -c %s "$f")" -lt 100000 ] && cp -n "$f" corpus/read_capture/ && cp -n "$f" corpus/field_text/
done
python3 tools/seed_frames.py corpus/dissect_frame ../fixtures/*.pcap ../../shared/captures/*.pcap ../../shared/captures/*.cap
grep -v '^#' ../parity/filters.txt | awk '{ f = sprintf("corpus/display_filter/seed%03d", NR); printf "%s", $0 > f; close(f) }'
echo "==> building the fuzz targets (first build: ~7 min)"
cargo fuzz build -s none
status=0
for target in $targets; do
  echo "==> fuzzing $target for ${seconds}s"
  log=logs/$target.log
  cargo fuzz run -s none "$target" "corpus/$target" -- -max_total_time="$seconds" -max_len=65536 \
    -print_final_stats=1 -timeout=10 >"$log" 2>&1 || status=1
  edges=$(grep -o 'Loaded [0-9]* modules *([0-9]* inline 8-bit counters)' "$log" | grep -o '([0-9]*' | tr -d '(' | head -1 || true)
  { grep -E '^#[0-9]+[[:space:]]+DONE' "$log" || true; } | tail -1 | sed "s/^/   $target: /; s/\$/ (of ${edges:-?} instrumented edges)/"
  { grep -E '^Done [0-9]+ runs' "$log" || true; } | sed "s/^/   $target: /"
  grep -E 'panicked at|ERROR: libFuzzer|SUMMARY' "$log" | head -5 || true
  # A stack overflow kills the target before libFuzzer can save the input: only the signal shows.
  grep -E 'exited with signal' "$log" && echo "CRASH without an artifact (a stack overflow?): see $log" || true
  if find "artifacts/$target" \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) 2>/dev/null | grep -q .; then
    echo "CRASH: see fuzz/artifacts/$target/ and $log"
    status=1
  fi
done
exit $status
