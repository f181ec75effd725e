//! Differential test against tshark 4.0: every core, link-layer and TCP-analysis field, every cell, every
//! capture in `fixtures/` and (when present) `../shared/captures/`.
//!
//! Prints a per-field agreement table. Fails on any difference not listed in
//! `parity/known-differences.tsv`, and on any listed difference that no longer occurs.
//! Skips (loudly) when tshark is not installed; `make test` installs it.

#[path = "../../pcapframe/tests/corpus/mod.rs"]
mod corpus;

use corpus::captures;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// The field sets of `../shared/fields/` this test covers (core, link layers and tunnels, TCP analysis).
const FIELD_SETS: [&str; 4] = ["core.txt", "links.txt", "tcp-analysis.txt", "app.txt"];

fn compared_fields(root: &Path) -> Vec<String> {
    // The lists live in shared/ when present; the registry holds the same names otherwise.
    let mut fields = Vec::new();
    for set in FIELD_SETS {
        let Ok(text) = std::fs::read_to_string(root.join("../shared/fields").join(set)) else {
            return pcapframe::FIELDS.iter().map(|f| f.name.to_string()).collect();
        };
        let names = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'));
        fields.extend(names.map(String::from));
    }
    fields
}

fn run(cmd: &str, capture: &Path, fields: &[String]) -> (Vec<String>, String) {
    let mut c = Command::new(cmd);
    c.arg("-r").arg(capture).args(["-T", "fields"]);
    for f in fields {
        c.args(["-e", f]);
    }
    let out = c.output().unwrap_or_else(|e| panic!("running {cmd}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| !l.contains("Running as user"))
        .collect::<Vec<_>>()
        .join("\n");
    (stdout.lines().map(String::from).collect(), stderr)
}

/// Whether tshark is missing, said loudly (`make test` installs it).
fn tshark_missing() -> bool {
    let missing = Command::new("tshark").arg("-v").output().is_err();
    if missing {
        eprintln!("SKIPPED: tshark is not installed (make test installs it)");
    }
    missing
}

/// `(capture file name or *, field) -> reason`.
fn known_differences(root: &Path) -> BTreeMap<(String, String), String> {
    let text = std::fs::read_to_string(root.join("parity/known-differences.tsv")).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut parts = l.splitn(3, '\t');
            let capture = parts.next().unwrap().to_string();
            let field = parts.next().expect("known-differences line needs capture<TAB>field<TAB>reason").to_string();
            let reason = parts.next().expect("known-differences line needs a reason").to_string();
            assert!(!reason.trim().is_empty(), "known difference without a reason: {l}");
            ((capture, field), reason)
        })
        .collect()
}

#[test]
fn every_core_link_and_tcp_analysis_field_matches_tshark() {
    if tshark_missing() {
        return;
    }
    let root = repo_root();
    let fields = compared_fields(&root);
    let captures = captures();
    assert!(!captures.is_empty(), "no captures found under fixtures/ or ../shared/captures/");
    let known = known_differences(&root);
    let ours = env!("CARGO_BIN_EXE_pcapframe");

    let mut agree: BTreeMap<&str, (u64, u64)> = fields.iter().map(|f| (f.as_str(), (0, 0))).collect();
    let mut differing: BTreeSet<(String, String)> = BTreeSet::new();
    let mut examples: Vec<String> = Vec::new();
    for capture in &captures {
        let name = capture.file_name().unwrap().to_string_lossy().to_string();
        let (theirs, _) = run("tshark", capture, &fields);
        let (mine, err) = run(ours, capture, &fields);
        if theirs.len() != mine.len() {
            differing.insert((name.clone(), "frame.count".into()));
            examples.push(format!("{name}: tshark printed {} frames, pcapframe {} ({err})", theirs.len(), mine.len()));
        }
        for (row, (t, m)) in theirs.iter().zip(&mine).enumerate() {
            let (tc, mc): (Vec<&str>, Vec<&str>) = (t.split('\t').collect(), m.split('\t').collect());
            for (i, field) in fields.iter().enumerate() {
                let (a, b) = (tc.get(i).copied().unwrap_or(""), mc.get(i).copied().unwrap_or(""));
                let cell = agree.get_mut(field.as_str()).unwrap();
                cell.1 += 1;
                if a == b {
                    cell.0 += 1;
                } else if differing.insert((name.clone(), field.clone())) {
                    let listed = known.contains_key(&(name.clone(), field.clone()))
                        || known.contains_key(&("*".into(), field.clone()));
                    if !listed {
                        examples.push(format!("{name} frame {} {field}: tshark '{a}' pcapframe '{b}'", row + 1));
                    }
                }
            }
        }
    }

    println!("\nparity over {} captures, {} fields", captures.len(), fields.len());
    println!("{:<32} {:>10} {:>10} {:>9}", "field", "agree", "cells", "percent");
    for (field, (ok, all)) in &agree {
        let pct = if *all == 0 { 100.0 } else { 100.0 * *ok as f64 / *all as f64 };
        println!("{field:<32} {ok:>10} {all:>10} {pct:>8.3}%");
    }
    let unexpected: Vec<_> = differing
        .iter()
        .filter(|(c, f)| !known.contains_key(&(c.clone(), f.clone())) && !known.contains_key(&("*".into(), f.clone())))
        .collect();
    let stale: Vec<_> = known
        .keys()
        .filter(|(c, f)| {
            if c == "*" {
                !differing.iter().any(|(_, g)| g == f)
            } else {
                !differing.contains(&(c.clone(), f.clone()))
            }
        })
        .collect();
    println!(
        "{} (capture, field) pairs differ; {} listed in parity/known-differences.tsv",
        differing.len(),
        differing.len() - unexpected.len()
    );
    if !unexpected.is_empty() || !stale.is_empty() {
        for e in examples.iter().take(120) {
            println!("  {e}");
        }
        panic!(
            "{} unexpected differences {:?}; {} stale known differences {:?}",
            unexpected.len(),
            unexpected.iter().take(40).collect::<Vec<_>>(),
            stale.len(),
            stale
        );
    }
}

/// Nothing is lost in silence: on every capture pcapframe prints as many frames as tshark, or
/// fewer with an error or a warning on stderr that says why.
#[test]
fn no_capture_loses_frames_in_silence() {
    if tshark_missing() {
        return;
    }
    let ours = env!("CARGO_BIN_EXE_pcapframe");
    let fields = ["frame.number".to_string()];
    let mut silent = Vec::new();
    for capture in captures() {
        let (theirs, _) = run("tshark", &capture, &fields);
        let (mine, err) = run(ours, &capture, &fields);
        let explained = err.contains("pcapframe: warning:") || err.contains("is damaged");
        if mine.len() < theirs.len() && !explained {
            silent.push(format!("{}: {} of tshark's {} frames", capture.display(), mine.len(), theirs.len()));
        }
        if mine.len() > theirs.len() {
            silent.push(format!("{}: {} frames where tshark has {}", capture.display(), mine.len(), theirs.len()));
        }
    }
    assert!(silent.is_empty(), "frame counts differ without a word: {silent:#?}");
}
