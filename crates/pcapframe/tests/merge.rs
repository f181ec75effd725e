//! Several captures read as one (`read_pcaps`) equal the capture `mergecap` writes from them,
//! read by `read_pcap` (whose values the parity test checks against tshark), in both orders; and
//! tshark's own frame numbers and TCP streams of the merged file agree.

use std::path::{Path, PathBuf};
use std::process::Command;

use pcapframe::polars::prelude::*;
use pcapframe::{read_pcap, read_pcaps, MergeOrder, ReadOptions, FIELDS};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(name)
}

/// Fields whose values depend on the file layout rather than the packets: mergecap renumbers
/// pcapng interfaces.
const LAYOUT_FIELDS: [&str; 1] = ["frame.interface_id"];

const SETS: [&[&str]; 3] = [
    &["edge-tcp-analysis.pcap", "edge-app-reassembly.pcap"],
    &["edge-quic.pcap", "edge-tcp-port-reuse.pcap", "edge-icmp-errors.pcap"],
    &["edge-fragments.pcap", "edge-ip-in-ip.pcap", "edge-nanosecond.pcap"],
];

fn mergecap(paths: &[PathBuf], order: MergeOrder, out: &Path) -> bool {
    let mut cmd = Command::new("mergecap");
    if order == MergeOrder::Concatenated {
        cmd.arg("-a");
    }
    cmd.arg("-w").arg(out).args(paths);
    cmd.output().is_ok_and(|o| o.status.success())
}

#[test]
fn read_pcaps_equals_reading_mergecaps_output() {
    if Command::new("mergecap").arg("-v").output().is_err() {
        eprintln!("SKIPPED: mergecap is not installed (make test installs tshark, which brings it)");
        return;
    }
    let names: Vec<&str> = FIELDS.iter().map(|f| f.name).filter(|n| !LAYOUT_FIELDS.contains(n)).collect();
    let dir = std::env::temp_dir().join(format!("pcapframe-merge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for set in SETS {
        let paths: Vec<PathBuf> = set.iter().map(|n| fixture(n)).collect();
        for order in [MergeOrder::Chronological, MergeOrder::Concatenated] {
            let merged = dir.join("merged.pcapng");
            assert!(mergecap(&paths, order, &merged), "mergecap {set:?}");
            let ours = read_pcaps(&paths, order, &ReadOptions::fields(names.iter().copied())).unwrap();
            let theirs = read_pcap(&merged, &ReadOptions::fields(names.iter().copied())).unwrap();
            assert_eq!(ours.height(), theirs.height(), "{set:?} {order:?}");
            for name in &names {
                let (a, b) = (ours.column(name).unwrap(), theirs.column(name).unwrap());
                assert!(
                    a.as_materialized_series().equals_missing(b.as_materialized_series()),
                    "{set:?} {order:?}: {name}\n{a:?}\n{b:?}"
                );
            }
            // tshark's own numbering of the merged file.
            let out = Command::new("tshark")
                .args(["-r", merged.to_str().unwrap(), "-T", "fields", "-e", "frame.number", "-e", "tcp.stream"])
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            let ours_text = pcapframe_text(&ours);
            assert_eq!(
                text.lines().collect::<Vec<_>>(),
                ours_text.iter().map(String::as_str).collect::<Vec<_>>(),
                "{set:?} {order:?}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// `frame.number<TAB>tcp.stream` per row, as tshark prints them.
fn pcapframe_text(df: &DataFrame) -> Vec<String> {
    let numbers = df.column("frame.number").unwrap().cast(&DataType::UInt64).unwrap();
    let streams = df.column("tcp.stream").unwrap().cast(&DataType::UInt64).unwrap();
    let (numbers, streams) = (numbers.u64().unwrap(), streams.u64().unwrap());
    (0..df.height())
        .map(|i| format!("{}\t{}", numbers.get(i).unwrap(), streams.get(i).map(|s| s.to_string()).unwrap_or_default()))
        .collect()
}

#[test]
fn the_file_column_names_each_frames_capture() {
    let paths = [fixture("edge-quic.pcap"), fixture("edge-tcp-port-reuse.pcap")];
    let options = ReadOptions { file_column: true, ..ReadOptions::fields(["frame.number"]) };
    let df = read_pcaps(&paths, MergeOrder::Concatenated, &options).unwrap();
    let files = df.column("file").unwrap().str().unwrap();
    let first = read_pcap(&paths[0], &ReadOptions::fields(["frame.number"])).unwrap().height();
    assert!(files.get(0).unwrap().ends_with("edge-quic.pcap"));
    assert!(files.get(first - 1).unwrap().ends_with("edge-quic.pcap"));
    assert!(files.get(first).unwrap().ends_with("edge-tcp-port-reuse.pcap"));
    assert_eq!(df.height(), files.len());
}

#[test]
fn a_missing_or_foreign_file_is_an_error_naming_it() {
    let e = read_pcaps(
        &[fixture("edge-quic.pcap"), fixture("no-such.pcap")],
        MergeOrder::Chronological,
        &ReadOptions::fields(["frame.len"]),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("no-such.pcap"), "{e}");
    let e = read_pcaps(&[fixture("README.md")], MergeOrder::Chronological, &ReadOptions::fields(["frame.len"]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("README.md"), "{e}");
}

#[test]
fn damage_in_a_later_file_names_that_file_and_keeps_what_came_before() {
    let whole = std::fs::read(fixture("edge-tcp-port-reuse.pcap")).unwrap();
    let dir = std::env::temp_dir().join(format!("pcapframe-merge-cut-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cut = dir.join("cut-short.pcap");
    std::fs::write(&cut, &whole[..whole.len() - 10]).unwrap();
    let paths = [fixture("edge-quic.pcap"), cut.clone()];
    let e = read_pcaps(&paths, MergeOrder::Concatenated, &ReadOptions::fields(["frame.len"])).unwrap_err().to_string();
    assert!(e.contains("cut-short.pcap") && e.contains("cut short"), "{e}");
    let partial =
        pcapframe::read_pcaps_partial(&paths, MergeOrder::Concatenated, &ReadOptions::fields(["frame.len"])).unwrap();
    let quic = read_pcap(fixture("edge-quic.pcap"), &ReadOptions::fields(["frame.len"])).unwrap().height();
    assert!(partial.frame.height() > quic, "the intact frames of both files are kept");
    std::fs::remove_dir_all(&dir).ok();
}
