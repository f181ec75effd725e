//! `scan_pcap(..).collect()` equals `read_pcap` on every capture (fixtures and, when present,
//! `../shared/captures/`), for every field pcapframe knows; a damaged capture fails both ways.
#![cfg(feature = "lazy")]

mod corpus;

use pcapframe::lazy::{scan_pcap, ScanOptions};
use pcapframe::polars::prelude::*;
use pcapframe::{read_pcap, ReadOptions, FIELDS};

#[test]
fn lazy_equals_eager_on_every_capture() {
    let names: Vec<&str> = FIELDS.iter().map(|f| f.name).collect();
    let mut compared = 0;
    for path in corpus::captures() {
        let eager = read_pcap(&path, &ReadOptions::fields(names.iter().copied()));
        let lazy = scan_pcap(&path, &ScanOptions::fields(names.iter().copied())).unwrap().collect();
        match (eager, lazy) {
            (Ok(eager), Ok(lazy)) => {
                assert!(lazy.equals_missing(&eager), "{}", path.display());
                compared += 1;
            }
            (Err(_), Err(_)) => {}
            (eager, lazy) => panic!("{}: eager {:?}, lazy {:?}", path.display(), eager.err(), lazy.err()),
        }
        // A projection and a predicate give the rows and columns read_pcap gives with the filter.
        if let Ok(eager) =
            read_pcap(&path, &ReadOptions::fields(["frame.number", "tcp.len"]).display_filter("tcp.len > 0"))
        {
            let lazy = scan_pcap(&path, &ScanOptions::fields(names.iter().copied()))
                .unwrap()
                .filter(col("tcp.len").gt(lit(0u32)))
                .select([col("frame.number"), col("tcp.len")])
                .collect()
                .unwrap();
            assert!(lazy.equals_missing(&eager), "{} with a predicate", path.display());
        }
    }
    assert!(compared >= 30, "{compared} captures compared");
    eprintln!("lazy = eager on {compared} captures");
}
