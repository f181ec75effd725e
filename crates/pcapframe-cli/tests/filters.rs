//! Differential test of display filters: every filter in `parity/filters.txt` selects the same
//! frames as `tshark -Y` on one capture that concatenates every fixture and every shared capture
//! (one tshark run per filter instead of one per filter and capture), as many filters at once as
//! the machine has cores. Differences are allowed only when listed with a reason in
//! `parity/filter-differences.tsv`.

#[path = "../../pcapframe/tests/corpus/mod.rs"]
mod corpus;

use corpus::captures;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn selected(program: &str, capture: &Path, filter: &str) -> Result<String, String> {
    let out = Command::new(program)
        .arg("-r")
        .arg(capture)
        .args(["-Y", filter, "-T", "fields", "-e", "frame.number"])
        .output()
        .unwrap();
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| !l.contains("Running as user"))
            .collect::<Vec<_>>()
            .join("\n"))
    }
}

#[test]
fn every_filter_selects_the_frames_tshark_selects() {
    let root = root();
    let merged = std::env::temp_dir().join(format!("pcapframe-filters-{}.pcapng", std::process::id()));
    let merge = Command::new("mergecap").args(["-a", "-F", "pcapng", "-w"]).arg(&merged).args(captures()).output();
    match merge {
        Ok(o) if o.status.success() => {}
        _ => {
            eprintln!("SKIPPED: mergecap (tshark's companion) is not installed (make test installs it)");
            return;
        }
    }
    let filters: Vec<String> = std::fs::read_to_string(root.join("parity/filters.txt"))
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    assert!(filters.len() >= 80, "the suite needs at least 80 filters, has {}", filters.len());
    let known: BTreeMap<String, String> = std::fs::read_to_string(root.join("parity/filter-differences.tsv"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t').map(|(f, why)| (f.to_string(), why.to_string())))
        .collect();
    let ours = env!("CARGO_BIN_EXE_pcapframe");
    let failures = Mutex::new(Vec::new());
    let agreeing = AtomicUsize::new(0);
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Each worker takes the next filter; a line is printed as each filter is compared.
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(filter) = filters.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let theirs = selected("tshark", &merged, filter);
                    let mine = selected(ours, &merged, filter);
                    let same = match (&theirs, &mine) {
                        (Ok(a), Ok(b)) => a == b,
                        (Err(_), Err(_)) => true,
                        _ => false,
                    };
                    let count = |r: &Result<String, String>| {
                        r.as_ref()
                            .map(|s| s.lines().count().to_string())
                            .unwrap_or_else(|e| format!("error: {}", e.lines().next().unwrap_or("")))
                    };
                    let verdict = if same { "agree" } else { "DIFFER" };
                    println!("{verdict:<8} {:>6} {:>6}  {filter}", count(&theirs), count(&mine));
                    if same {
                        agreeing.fetch_add(1, Ordering::Relaxed);
                    } else if !known.contains_key(filter) {
                        let failure = format!("{filter}: tshark {} frames, pcapframe {}", count(&theirs), count(&mine));
                        failures.lock().unwrap().push(failure);
                    }
                }
            });
        }
    });
    let (failures, agreeing) = (failures.into_inner().unwrap(), agreeing.into_inner());
    let _ = std::fs::remove_file(&merged);
    println!("{agreeing} of {} filters select exactly tshark's frames", filters.len());
    assert!(failures.is_empty(), "{} filters differ from tshark:\n{}", failures.len(), failures.join("\n"));
}
