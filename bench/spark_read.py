#!/usr/bin/env python3
"""Spark (local mode, every core) reads a dataset that `pcapframe --out DIR/` wrote: frames, and
bytes per tcp.stream per capture. Prints the query's own seconds beside the rows.

    spark_read.py DATASET_DIR
"""
import sys
import time

from pyspark.sql import SparkSession

spark = (SparkSession.builder.master("local[*]").appName("pcapframe-bench")
         .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
         .config("spark.sql.session.timeZone", "UTC").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
started = time.time()
spark.read.parquet(sys.argv[1]).createOrReplaceTempView("frames")
frames = spark.sql("SELECT COUNT(*) FROM frames").collect()[0][0]
streams = spark.sql("SELECT capture, `tcp.stream`, SUM(`frame.len`) FROM frames "
                    "WHERE `tcp.stream` IS NOT NULL GROUP BY capture, `tcp.stream`").collect()
print(f"spark: {frames} frames, {len(streams)} TCP streams in {time.time() - started:.1f} s (after start-up)")
spark.stop()
