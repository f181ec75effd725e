#!/usr/bin/env bash
# make fuzz: every fuzz target for FUZZ_SECONDS each (default 180), seeded from fixtures/,
# ../shared/captures/ and parity/filters.txt. Crashes land in fuzz/artifacts/<target>/; turn each
# into a regression test in crates/pcapframe/tests/mutations.rs.
# cargo fuzz wants nightly flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${FUZZ_SECONDS:-180}
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-$HOME/.cache/pcapframe/fuzz-target}
command -v cargo-fuzz >/dev/null 2>&1 || { echo "==> cargo install cargo-fuzz --locked"; env -u CARGO_TARGET_DIR cargo install cargo-fuzz --locked; }
mkdir -p corpus/read_capture corpus/field_text corpus/dissect_frame corpus/display_filter
for f in ../fixtures/edge-* ../../shared/captures/*.pcap* ../../shared/captures/*.cap; do
  [ -f "$f" ] && [ "$(stat -c %s "$f")" -lt 100000 ] && cp -n "$f" corpus/read_capture/ && cp -n "$f" corpus/field_text/
done
grep -v '^#' ../parity/filters.txt | awk '{ f = sprintf("corpus/display_filter/seed%03d", NR); printf "%s", $0 > f; close(f) }'
status=0
for target in read_capture dissect_frame display_filter field_text; do
  echo "==> fuzzing $target for ${seconds}s"
  if ! cargo fuzz run -s none "$target" "corpus/$target" -- -max_total_time="$seconds" -max_len=65536 2>&1 | grep -E "^Done|ERROR|panicked at"; then
    status=1
  fi
  if ls "artifacts/$target"/crash-* >/dev/null 2>&1; then
    echo "CRASH: see fuzz/artifacts/$target/"
    status=1
  fi
done
exit $status
