//! What `make bench` times of the library (feature `lazy`): one call, its rows printed.
//!
//!     read_bench lazy-select CAPTURE SELECTED FIELD...   scan_pcap offering FIELD..., a query selecting SELECTED
//!     read_bench eager CAPTURE FIELD...                  read_pcap of every FIELD
//!     read_bench eager-filter CAPTURE FILTER FIELD...    the same, of the frames that pass FILTER
//!
//! `READ_BENCH_THREADS=N` sets `read_pcap`'s threads (default: one per core).
//!
//! Prints the DataFrame's rows, columns and bytes, then the seconds the call took: `make bench`
//! times the call, not the process around it (whose start, loading this binary, a notebook pays
//! once).
use std::process::ExitCode;
use std::time::Instant;

use pcapframe::lazy::{scan_pcap, ScanOptions};
use pcapframe::polars::prelude::*;
use pcapframe::{read_pcap, ReadOptions};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let threads = std::env::var("READ_BENCH_THREADS").ok().and_then(|n| n.parse().ok());
    let eager = |fields: &[&str]| ReadOptions { threads, ..ReadOptions::fields(fields.iter().copied()) };
    let started = Instant::now();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["lazy-select", capture, selected, fields @ ..] => {
            scan_pcap(capture, &ScanOptions::fields(fields.iter().copied()))
                .and_then(|lf| Ok(lf.select([col(*selected)]).collect()?))
        }
        ["eager", capture, fields @ ..] => read_pcap(capture, &eager(fields)),
        ["eager-filter", capture, filter, fields @ ..] => read_pcap(capture, &eager(fields).display_filter(*filter)),
        _ => {
            eprintln!("usage: read_bench lazy-select CAPTURE SELECTED FIELD... | eager CAPTURE FIELD... | eager-filter CAPTURE FILTER FIELD...");
            return ExitCode::from(64);
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    match result {
        Ok(df) => {
            // The bytes are what `make bench` divides the peak RSS by.
            println!("{} rows, {} columns, {} bytes", df.height(), df.width(), held_bytes(&df));
            println!("{seconds:.6} seconds in the call");
            // A notebook keeps what it read: freeing it, chunk by chunk, is not part of the call
            // timed (it took a tenth as long as the read). The process's exit returns the memory.
            std::mem::forget(df);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("read_bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The bytes a DataFrame's arrays hold. `estimated_size` counts only the characters of a string
/// column; its 16-byte views and whole data buffers are counted here too.
fn held_bytes(df: &DataFrame) -> usize {
    df.columns()
        .iter()
        .map(|column| {
            // 16 bytes of view per row, the data buffers, a validity bit per row when nulls occur.
            let validity = if column.null_count() > 0 { column.len().div_ceil(8) } else { 0 };
            match column.dtype() {
                DataType::String => column.str().map_or(0, |ca| {
                    ca.downcast_iter().map(|a| a.len() * 16 + a.total_buffer_len()).sum::<usize>() + validity
                }),
                DataType::Binary => column.binary().map_or(0, |ca| {
                    ca.downcast_iter().map(|a| a.len() * 16 + a.total_buffer_len()).sum::<usize>() + validity
                }),
                _ => column.as_materialized_series().estimated_size(),
            }
        })
        .sum()
}
