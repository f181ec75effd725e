//! The captures the differential tests read: every fixture, and every shared capture when
//! `../shared/captures/` exists, sorted by path.

use std::path::{Path, PathBuf};

/// Every capture file in `fixtures/` and `../shared/captures/`.
pub fn captures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = Vec::new();
    for dir in [root.join("fixtures"), root.join("../shared/captures")] {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if [".pcap", ".pcapng", ".cap", ".ntar"].iter().any(|x| name.ends_with(x)) {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}
