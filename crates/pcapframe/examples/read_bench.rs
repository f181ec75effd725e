//! What `make bench` times of the library (feature `lazy`): one call, its rows printed.
//!
//!     read_bench lazy-select CAPTURE SELECTED FIELD...   scan_pcap offering FIELD..., a query selecting SELECTED
//!     read_bench eager CAPTURE FIELD...                  read_pcap of every FIELD
//!     read_bench eager-filter CAPTURE FILTER FIELD...    the same, of the frames that pass FILTER
use std::process::ExitCode;

use pcapframe::lazy::{scan_pcap, ScanOptions};
use pcapframe::polars::prelude::*;
use pcapframe::{read_pcap, ReadOptions};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["lazy-select", capture, selected, fields @ ..] => {
            scan_pcap(capture, &ScanOptions::fields(fields.iter().copied()))
                .and_then(|lf| Ok(lf.select([col(*selected)]).collect()?))
        }
        ["eager", capture, fields @ ..] => read_pcap(capture, &ReadOptions::fields(fields.iter().copied())),
        ["eager-filter", capture, filter, fields @ ..] => {
            read_pcap(capture, &ReadOptions::fields(fields.iter().copied()).display_filter(*filter))
        }
        _ => {
            eprintln!("usage: read_bench lazy-select CAPTURE SELECTED FIELD... | eager CAPTURE FIELD... | eager-filter CAPTURE FILTER FIELD...");
            return ExitCode::from(64);
        }
    };
    match result {
        Ok(df) => {
            println!("{} rows, {} columns", df.height(), df.width());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("read_bench: {e}");
            ExitCode::FAILURE
        }
    }
}
