#!/usr/bin/env python3
"""The three-engine test: a dataset that `pcapframe --out DIR/` writes is read by polars, DuckDB and
Apache Spark (pyspark, local mode) with their default settings, and the three agree.

    engines.py --bin PCAPFRAME --out DIR CAPTURE...

1. `pcapframe -r C1 -r C2 ... -e <every field> --out DIR/dataset/` writes one partition per capture.
   Files that are not captures, or damaged ones, are reported in its summary and do not stop the
   others (exit status 2 then).
2. The same SQL runs in each engine: bytes per `tcp.stream` per capture, frames and bytes per
   `ip.src` (the top talkers), frames per hour, the non-null count of every column (so every column
   type the field sets produce is read), and the first and last timestamps as microseconds beside
   `frame.time_epoch_ns`.
3. The results must be equal across engines, the frames per capture must be those the CLI reports,
   and the microsecond timestamps must be the nanoseconds divided by 1000.
"""
import argparse
import os
import pathlib
import re
import subprocess
import sys
import time


def log(message):
    print(message, flush=True)


def export(binary, captures, out):
    """Runs the CLI; returns the dataset, the fields, and {partition name: frames written} for the
    captures its summary reports frames of."""
    fields = [line.split("\t")[2] for line in subprocess.run([binary, "-G", "fields"], check=True, capture_output=True, text=True).stdout.splitlines()]
    dataset = out / "dataset"
    args = [binary]
    for c in captures:
        args += ["-r", str(c)]
    for f in fields:
        args += ["-e", f]
    args += ["--out", f"{dataset}/"]
    started = time.time()
    run = subprocess.run(args, capture_output=True, text=True)
    log(f"    pcapframe --out {dataset}/: exit {run.returncode} in {time.time() - started:.1f} s")
    if run.returncode not in (0, 2):
        sys.exit(f"FAIL pcapframe --out: exit {run.returncode}\n{run.stderr}")
    frames = {}
    # The summary on standard error: "NAME  FRAMES  FILES  RESULT", one line per capture.
    for line in run.stderr.splitlines():
        m = re.match(r"^(\S+)\s+(\d+)\s+(\d+)  (.*)$", line)
        if m and int(m.group(2)) > 0:
            frames[m.group(1)] = int(m.group(2))
        if m and not m.group(4).startswith("written"):
            log(f"    {line.strip()}")
    return dataset, fields, frames


def columns_of(dataset):
    import pyarrow.parquet as pq

    first = next(dataset.rglob("*.parquet"))
    return [f.name for f in pq.read_schema(first)]


def queries(columns, q, micros):
    """The test's SQL, with Q quoting a name and MICROS(x) turning a timestamp into microseconds."""
    counts = ", ".join(f"COUNT({q(c)}) AS c{i}" for i, c in enumerate(columns))
    return {
        "bytes per tcp.stream": f"SELECT capture, {q('tcp.stream')} AS stream, COUNT(*) AS frames, SUM({q('frame.len')}) AS bytes "
        f"FROM frames WHERE {q('tcp.stream')} IS NOT NULL GROUP BY capture, {q('tcp.stream')}",
        "top talkers": f"SELECT {q('ip.src')} AS src, COUNT(*) AS frames, SUM({q('frame.len')}) AS bytes "
        f"FROM frames WHERE {q('ip.src')} IS NOT NULL GROUP BY {q('ip.src')}",
        "frames per hour": "SELECT capture, hour, COUNT(*) AS frames FROM frames GROUP BY capture, hour",
        "non-null per column": f"SELECT capture, {counts} FROM frames GROUP BY capture",
        "first and last time": f"SELECT capture, MIN({micros(q('frame.time_epoch'))}) AS first_us, MAX({micros(q('frame.time_epoch'))}) AS last_us, "
        f"MIN({q('frame.time_epoch_ns')}) AS first_ns, MAX({q('frame.time_epoch_ns')}) AS last_ns FROM frames GROUP BY capture",
    }


def normal(rows):
    """Rows as sorted tuples of plain Python values (ints for every integer type, str for hours)."""
    def value(v):
        if isinstance(v, bool):
            return v
        if hasattr(v, "__int__") and not isinstance(v, float):
            return int(v)
        return v
    return sorted((tuple(value(v) for v in row) for row in rows), key=repr)


def in_polars(dataset, columns):
    import polars as pl

    # The folder itself, as a user would first try it: the dataset holds nothing but its parts.
    frames = pl.scan_parquet(dataset, hive_partitioning=True)
    ctx = pl.SQLContext()
    ctx.register("frames", frames)
    found = {}
    for name, sql in queries(columns, lambda c: f'"{c}"', lambda x: f"CAST({x} AS BIGINT)").items():
        df = ctx.execute(sql).collect()
        found[name] = normal(df.rows())
    schema = frames.collect_schema()
    return found, {"capture": str(schema["capture"]), "hour": str(schema["hour"])}


def in_duckdb(dataset, columns):
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE VIEW frames AS SELECT * FROM read_parquet('{dataset}/**/*.parquet', hive_partitioning = true)")
    found = {}
    for name, sql in queries(columns, lambda c: f'"{c}"', lambda x: f"epoch_us({x})").items():
        found[name] = normal(con.execute(sql).fetchall())
    types = dict((r[0], r[1]) for r in con.execute("DESCRIBE frames").fetchall())
    return found, {"capture": types["capture"], "hour": types["hour"]}


def in_spark(dataset, columns):
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").appName("pcapframe-engines")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        spark.read.parquet(str(dataset)).createOrReplaceTempView("frames")
        found = {}
        for name, sql in queries(columns, lambda c: f"`{c}`", lambda x: f"unix_micros(CAST({x} AS TIMESTAMP))").items():
            found[name] = normal(tuple(r) for r in spark.sql(sql).collect())
        types = dict(spark.table("frames").dtypes)
        return found, {"capture": types["capture"], "hour": types["hour"]}
    finally:
        spark.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("captures", nargs="+")
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    if out.exists():
        import shutil

        shutil.rmtree(out)
    out.mkdir(parents=True)
    log(f"==> engines: {len(args.captures)} files into one dataset, then polars, DuckDB and Spark")
    dataset, fields, reported = export(args.bin, args.captures, out)
    columns = columns_of(dataset)
    missing = [f for f in fields if f not in columns]
    failures = [f"field {f} has no column in the dataset" for f in missing]
    log(f"    {len(reported)} captures written, {len(columns)} columns")

    results, partition_types = {}, {}
    for engine, read in (("polars", in_polars), ("duckdb", in_duckdb), ("spark", in_spark)):
        started = time.time()
        results[engine], partition_types[engine] = read(dataset, columns)
        log(f"    {engine}: {len(results[engine])} queries in {time.time() - started:.1f} s; partition columns {partition_types[engine]}")

    reference = results["polars"]
    for name, rows in reference.items():
        log(f"    {name}: {len(rows)} rows")
        for engine in ("duckdb", "spark"):
            if results[engine][name] != rows:
                theirs = results[engine][name]
                diff = [r for r in rows if r not in theirs][:3] + [r for r in theirs if r not in rows][:3]
                failures.append(f"{name}: {engine} differs from polars ({len(theirs)} vs {len(rows)} rows), e.g. {diff}")

    per_capture = {row[0]: row[1:] for row in reference["first and last time"]}
    for capture, (first_us, last_us, first_ns, last_ns) in per_capture.items():
        if first_ns is not None and (first_us != first_ns // 1000 or last_us != last_ns // 1000):
            failures.append(f"{capture}: frame.time_epoch {first_us}..{last_us} µs is not frame.time_epoch_ns {first_ns}..{last_ns} / 1000")
    hours = {}
    for capture, hour, frames in reference["frames per hour"]:
        hours[capture] = hours.get(capture, 0) + frames
    if hours != reported:
        failures.append(f"frames per capture differ from the CLI's summary: {sorted(set(hours.items()) ^ set(reported.items()))[:5]}")
    if not reported:
        failures.append("the CLI's summary names no capture")

    talkers = sorted(reference["top talkers"], key=lambda r: (-r[2], r[0]))[:5]
    log("    top talkers (all captures): " + ", ".join(f"{src} {b} bytes" for src, _, b in talkers))
    for f in failures:
        log(f"FAIL {f}")
    log(f"engines: {sum(len(r) for r in reference.values())} result rows compared across 3 engines, {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
