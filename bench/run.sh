#!/usr/bin/env bash
# tshark vs pcapframe on the same capture and fields, in one run, as ratios.
# usage: bench/run.sh PCAPFRAME_BIN FRAMES PYTHON
# (PYTHON: the venv with pyspark, for Spark reading the dataset pcapframe writes)
set -euo pipefail
bin=$1
frames=${2:-1000000}
python=${3:-python3}
dir=$(dirname "$bin")
cache=${BENCH_DIR:-${HOME}/.cache/pcapframe/bench}
mkdir -p "$cache"
# generate FRAMES: the path of a generated capture of about FRAMES frames
generate() {
  local path="$cache/bench-$1.pcap"
  if [ ! -f "$path" ]; then
    echo "==> generating $path (~$1 frames)" >&2
    "$dir/pcapframe-fixtures" --bench "$1" "$path" >&2
  fi
  echo "$path"
}
capture=$(generate "$frames")
# A quarter of it, to show that exporting a dataset takes no more memory for a bigger capture.
small_frames=$((frames / 4))
small_capture=$(generate "$small_frames")
echo "==> capture: $capture ($(du -h "$capture" | cut -f1), $("$bin" -r "$capture" -T fields -e frame.number | wc -l) frames)"
# The 79 core fields: ../shared/fields/core.txt, or the registry's first 79 entries (the link-layer
# fields come after them).
core_list="$(dirname "$0")/../../shared/fields/core.txt"
if [ -f "$core_list" ]; then
  core_names=$(grep -v '^#' "$core_list" | grep . | tr '\n' ' ')
else
  core_names=$("$bin" -G fields | head -n 79 | cut -f3 | tr '\n' ' ')
fi
core=$(echo "$core_names" | tr ' ' '\n' | grep . | sed 's/^/-e /' | tr '\n' ' ')
# The library's calls, timed through a small example binary (crates/pcapframe/examples/read_bench.rs).
read_bench="$dir/examples/read_bench"
rm -rf "$cache/dataset-small" "$cache/dataset"

# The walkthrough's Stevens-graph fields, and the same with four TCP-analysis fields.
stevens="-e tcp.stream -e ip.src -e ip.dst -e tcp.seq -e tcp.ack -e tcp.window_size -e tcp.len"
analysis="-e tcp.analysis.flags -e tcp.analysis.ack_rtt -e tcp.analysis.bytes_in_flight -e tcp.analysis.retransmission"

# run LABEL CMD...: wall seconds and peak RSS (MiB) of CMD, output discarded
run() {
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$cache/time.txt" "$@" > /dev/null 2> "$cache/stderr.txt" || { cat "$cache/stderr.txt"; exit 1; }
  read -r secs kib < "$cache/time.txt"
  echo "$label $secs $((kib / 1024))"
}

results=$(
  run "tshark:frame.len,tcp.stream"        tshark -r "$capture" -T fields -e frame.len -e tcp.stream
  run "pcapframe:frame.len,tcp.stream"     "$bin" -r "$capture" -T fields -e frame.len -e tcp.stream
  run "tshark:all-79-core-fields"          tshark -r "$capture" -T fields $core
  run "pcapframe:all-79-core-fields"       "$bin" -r "$capture" -T fields $core
  run "pcapframe:core-fields-to-parquet"   "$bin" -r "$capture" $core --out "$cache/bench.parquet"
  run "tshark:stevens-7-fields"            tshark -r "$capture" -T fields $stevens
  run "pcapframe:stevens-7-fields"         "$bin" -r "$capture" -T fields $stevens
  run "tshark:stevens-7+analysis-4"        tshark -r "$capture" -T fields $stevens $analysis
  run "pcapframe:stevens-7+analysis-4"     "$bin" -r "$capture" -T fields $stevens $analysis
  run "tshark:http.host,dns.qry.name"     tshark -r "$capture" -T fields -e http.host -e dns.qry.name
  run "pcapframe:http.host,dns.qry.name"  "$bin" -r "$capture" -T fields -e http.host -e dns.qry.name
  run "tshark:filtered-tcp.len>1000"       tshark -r "$capture" -Y "tcp.len > 1000 && ip.addr == 172.16.0.0/24" -T fields -e frame.len -e tcp.stream
  run "pcapframe:filtered-tcp.len>1000"    "$bin" -r "$capture" -Y "tcp.len > 1000 && ip.addr == 172.16.0.0/24" -T fields -e frame.len -e tcp.stream
  run "read_pcap:all-79-core-fields"       "$read_bench" eager "$capture" $core_names
  run "scan_pcap:frame.len-of-79"          "$read_bench" lazy-select "$capture" frame.len $core_names
  run "dataset:79-fields,quarter-capture"  "$bin" -r "$small_capture" $core --out "$cache/dataset-small/"
  run "dataset:79-fields,whole-capture"    "$bin" -r "$capture" $core --out "$cache/dataset/"
  run "spark:read-the-dataset"             "$python" "$(dirname "$0")/spark_read.py" "$cache/dataset"
)
echo
printf '%-36s %10s %12s\n' "run" "seconds" "peak RSS MiB"
echo "$results" | while read -r label secs mib; do printf '%-36s %10s %12s\n' "$label" "$secs" "$mib"; done
echo
echo "$results" | awk '
  { t[$1] = $2; m[$1] = $3 }
  END {
    printf "speed-up, frame.len + tcp.stream:  %.1fx\n", t["tshark:frame.len,tcp.stream"] / t["pcapframe:frame.len,tcp.stream"]
    printf "speed-up, all 79 core fields:      %.1fx\n", t["tshark:all-79-core-fields"] / t["pcapframe:all-79-core-fields"]
    printf "speed-up, filtered read:           %.1fx\n", t["tshark:filtered-tcp.len>1000"] / t["pcapframe:filtered-tcp.len>1000"]
    printf "speed-up, Stevens 7 + analysis 4:  %.1fx\n", t["tshark:stevens-7+analysis-4"] / t["pcapframe:stevens-7+analysis-4"]
    printf "speed-up, http.host + dns.qry.name: %.1fx (goal: at least 30x)\n", t["tshark:http.host,dns.qry.name"] / t["pcapframe:http.host,dns.qry.name"]
    printf "app-layer read in pcapframe:       %.2fx the frame.len + tcp.stream read\n", t["pcapframe:http.host,dns.qry.name"] / t["pcapframe:frame.len,tcp.stream"]
    printf "TCP analysis cost in pcapframe:    %.2fx the 7 Stevens fields alone (goal: at most 1.5x)\n", t["pcapframe:stevens-7+analysis-4"] / t["pcapframe:stevens-7-fields"]
    printf "filter cost in pcapframe:          %.2fx the unfiltered two-field read\n", t["pcapframe:filtered-tcp.len>1000"] / t["pcapframe:frame.len,tcp.stream"]
    printf "scan_pcap selecting frame.len:     %.1fx faster than read_pcap of the 79 core fields\n", t["read_pcap:all-79-core-fields"] / t["scan_pcap:frame.len-of-79"]
    printf "dataset export peak RSS:           %d MiB (quarter capture), %d MiB (whole capture); goal: at most 256 MiB, not growing\n", m["dataset:79-fields,quarter-capture"], m["dataset:79-fields,whole-capture"]
    printf "Spark reading the dataset:         %.1f s, JVM start-up included\n", t["spark:read-the-dataset"]
  }'
