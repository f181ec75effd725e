//! What the statistics differential tests share: whether tshark is there, the differences
//! accepted in `parity/statistics-differences.tsv`, and the bookkeeping of compared, differing
//! and listed tables.

use std::path::Path;
use std::process::Command;

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
    pub fn finish(self, what: &str, present: &[String]) {
        let Ledger { listed, seen, failures, compared } = self;
        eprintln!("{compared} {what} compared, {} differ ({} listed)", seen.len(), seen.len() - failures.len());
        for f in &failures {
            eprintln!("{}", &f[..f.len().min(2000)]);
        }
        let stale: Vec<_> = listed.iter().filter(|l| present.contains(&l.0) && !seen.contains(l)).collect();
        assert!(stale.is_empty(), "listed in parity/statistics-differences.tsv but no longer differing: {stale:?}");
        assert!(failures.is_empty(), "{} {what} differ from tshark and are not listed", failures.len());
    }
}
