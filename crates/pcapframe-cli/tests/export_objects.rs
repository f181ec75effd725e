//! Differential test of `export_http_objects` against `tshark -q --export-objects http,DIR`:
//! for every capture, the same file names holding the same bytes (through the library for all,
//! through the CLI for a few). Captures allowed to differ are listed, with the reason, in
//! `parity/export-differences.tsv`; a listed capture must still differ.

#[path = "../../pcapframe/tests/corpus/mod.rs"]
mod corpus;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use corpus::captures;
use pcapframe::export::export_http_objects;

/// A directory's files: name to bytes.
type Tree = BTreeMap<OsString, Vec<u8>>;

/// Captures also exported through the CLI binary.
const THROUGH_CLI: [&str; 4] =
    ["dorm-room.pcap", "edge-app-reassembly.pcap", "arkime__80211http.pcap", "chrissanders__http_espn.pcapng"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read_tree(dir: &Path) -> Tree {
    let mut tree = Tree::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        tree.insert(entry.file_name(), std::fs::read(entry.path()).unwrap_or_default());
    }
    tree
}

fn fresh_dir(path: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(path);
    std::fs::create_dir_all(path).unwrap();
    path.to_path_buf()
}

/// The captures allowed to differ, with the reasons.
fn listed_differences() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(root().join("parity/export-differences.tsv")).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .map(|(capture, reason)| (capture.to_string(), reason.to_string()))
        .collect()
}

/// How two trees differ, in a line (`None` when they are the same).
fn describe(ours: &Tree, theirs: &Tree) -> Option<String> {
    let names: BTreeSet<&OsString> = ours.keys().chain(theirs.keys()).collect();
    let mut problems = Vec::new();
    for name in names {
        match (ours.get(name), theirs.get(name)) {
            (Some(_), None) => problems.push(format!("only ours: {name:?}")),
            (None, Some(_)) => problems.push(format!("only tshark's: {name:?}")),
            (Some(a), Some(b)) if a != b => {
                problems.push(format!("{name:?}: {} bytes vs tshark's {}", a.len(), b.len()))
            }
            _ => {}
        }
    }
    (!problems.is_empty()).then(|| format!("{} of {} objects: {}", problems.len(), theirs.len(), problems.join("; ")))
}

fn tshark_available() -> bool {
    Command::new("tshark").arg("--version").output().is_ok()
}

#[test]
fn exported_objects_match_tshark() {
    if !tshark_available() {
        eprintln!("SKIPPED: tshark is not installed (make test installs it)");
        return;
    }
    let base = std::env::temp_dir().join(format!("pcapframe-export-objects-{}", std::process::id()));
    let listed = listed_differences();
    let (mut failures, mut still_listed) = (Vec::new(), BTreeSet::new());
    let (mut captures_compared, mut objects_compared, mut through_cli) = (0, 0, 0);
    for capture in captures() {
        let name = capture.file_name().unwrap().to_string_lossy().to_string();
        let theirs_dir = fresh_dir(&base.join(&name).join("tshark"));
        let status = Command::new("tshark")
            .args(["-q", "-r"])
            .arg(&capture)
            .arg("--export-objects")
            .arg(format!("http,{}", theirs_dir.display()))
            .output()
            .unwrap();
        assert!(status.status.code().is_some(), "tshark was killed on {name}");
        let ours_dir = base.join(&name).join("ours");
        let _ = std::fs::remove_dir_all(&ours_dir);
        let summary = export_http_objects(&capture, &ours_dir).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (ours, theirs) = (read_tree(&ours_dir), read_tree(&theirs_dir));
        assert_eq!(summary.objects.len(), ours.len(), "{name}: the listing counts every file written");
        captures_compared += 1;
        objects_compared += theirs.len();
        let mut difference = describe(&ours, &theirs);
        if THROUGH_CLI.contains(&name.as_str()) {
            through_cli += 1;
            let cli = cli_tree(&capture, &base.join(&name).join("cli"));
            assert!(cli == ours, "{name}: the CLI wrote other files than the library");
        }
        match (difference.take(), listed.get(&name)) {
            (Some(_), Some(_)) => {
                still_listed.insert(name);
            }
            (Some(d), None) => failures.push(format!("{name}: {d}")),
            (None, _) => {}
        }
    }
    let _ = std::fs::remove_dir_all(&base);
    eprintln!(
        "{captures_compared} captures compared ({through_cli} also through the CLI), {objects_compared} tshark \
         objects; {} differ unlisted, {} listed differences",
        failures.len(),
        still_listed.len()
    );
    for f in &failures {
        eprintln!("{f}");
    }
    let stale: Vec<&String> = listed.keys().filter(|c| !still_listed.contains(*c)).collect();
    assert!(failures.is_empty(), "{} captures export other objects than tshark", failures.len());
    assert!(stale.is_empty(), "listed in parity/export-differences.tsv but the same as tshark now: {stale:?}");
}

/// The CLI's export of `capture` into `dir`.
fn cli_tree(capture: &Path, dir: &Path) -> Tree {
    let _ = std::fs::remove_dir_all(dir);
    let out = Command::new(env!("CARGO_BIN_EXE_pcapframe"))
        .args(["-q", "-r"])
        .arg(capture)
        .arg("--export-objects")
        .arg(format!("http,{}", dir.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty(), "the export prints nothing");
    read_tree(dir)
}

#[test]
fn cli_names_an_unusable_directory() {
    let file = std::env::temp_dir().join(format!("pcapframe-export-not-a-dir-{}", std::process::id()));
    std::fs::write(&file, b"").unwrap();
    let capture = root().join("fixtures/edge-app-reassembly.pcap");
    let target = file.join("objects");
    let out = Command::new(env!("CARGO_BIN_EXE_pcapframe"))
        .args(["-r"])
        .arg(&capture)
        .arg("--export-objects")
        .arg(format!("http,{}", target.display()))
        .output()
        .unwrap();
    std::fs::remove_file(&file).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains(&target.display().to_string()), "{stderr}");
}
