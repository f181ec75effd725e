//! What the statistics differential tests share: whether tshark is there, the captures to
//! compare, the differences accepted in `parity/statistics-differences.tsv`, and the bookkeeping
//! of compared, differing and listed tables. (The including test declares `mod corpus`.)
#![allow(dead_code)] // each test file uses part of it

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::corpus::captures;
use pcapframe::polars::prelude::ChunkAgg;

/// A capture pcapframe reads to the end: its file name, path and latest relative time (s).
pub struct Intact {
    pub name: String,
    pub path: PathBuf,
    pub latest: f64,
}

impl Intact {
    /// About twenty I/O intervals over the capture, a whole number of seconds each.
    pub fn twenty_intervals(&self) -> u64 {
        ((self.latest / 20.0).ceil() as u64).max(1)
    }
}

/// The corpus's captures that pcapframe reads without damage (those damaged on purpose are
/// left out: tshark reads on where pcapframe stops).
pub fn intact_captures() -> Vec<Intact> {
    let options = pcapframe::ReadOptions::fields(["frame.time_relative"]);
    captures()
        .into_iter()
        .filter_map(|path| {
            let read = pcapframe::read_pcap_partial(&path, &options).ok().filter(|r| r.problem.is_none())?;
            let latest = read.frame.column("frame.time_relative").ok()?.f64().ok()?.max().unwrap_or(0.0);
            Some(Intact { name: path.file_name()?.to_string_lossy().into_owned(), path, latest })
        })
        .collect()
}

/// The file names of the captures present.
fn present_names() -> Vec<String> {
    captures().iter().map(|c| c.file_name().unwrap().to_string_lossy().to_string()).collect()
}

/// Whether tshark can run; says the test is skipped when it cannot.
pub fn tshark_available() -> bool {
    let available = Command::new("tshark").arg("--version").output().is_ok();
    if !available {
        eprintln!("SKIPPED: tshark is not installed (make test installs it)");
    }
    available
}

/// Tallies one test's comparisons against the listed differences.
pub struct Ledger {
    listed: Vec<(String, String)>,
    seen: Vec<(String, String)>,
    failures: Vec<String>,
    compared: usize,
}

impl Ledger {
    /// The listed differences whose table is accepted by `table`.
    pub fn new(table: impl Fn(&str) -> bool) -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let listed = std::fs::read_to_string(root.join("parity/statistics-differences.tsv"))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let mut parts = l.split('\t');
                (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string())
            })
            .filter(|(_, t)| table(t))
            .collect();
        Ledger { listed, seen: Vec::new(), failures: Vec::new(), compared: 0 }
    }

    /// Records one comparison of `table` on capture `name`: `difference` is `None` when equal,
    /// else what differs (a failure unless listed).
    pub fn record(&mut self, name: &str, table: &str, difference: Option<String>) {
        self.compared += 1;
        let Some(difference) = difference else { return };
        let key = (name.to_string(), table.to_string());
        if !self.listed.contains(&key) {
            self.failures.push(format!("{name} {table}:\n{difference}"));
        }
        self.seen.push(key);
    }

    /// Prints the summary; fails on an unlisted difference, or a listed one that no longer occurs
    /// on a capture that is present.
    pub fn finish(self, what: &str) {
        let Ledger { listed, seen, failures, compared } = self;
        let present = present_names();
        eprintln!("{compared} {what} compared, {} differ ({} listed)", seen.len(), seen.len() - failures.len());
        for f in &failures {
            eprintln!("{}", &f[..f.len().min(2000)]);
        }
        let stale: Vec<_> = listed.iter().filter(|l| present.contains(&l.0) && !seen.contains(l)).collect();
        assert!(stale.is_empty(), "listed in parity/statistics-differences.tsv but no longer differing: {stale:?}");
        assert!(failures.is_empty(), "{} {what} differ from tshark and are not listed", failures.len());
    }
}
