//! `--out DIR/`: a hive-partitioned Parquet dataset (`capture=NAME/hour=.../part-N.parquet`),
//! read back and compared with `read_pcap`; unchanged captures skipped; a damaged capture keeps
//! its intact frames and sets exit status 2.

use std::path::{Path, PathBuf};
use std::process::Command;

use pcapframe::polars::prelude::*;
use pcapframe::{read_pcap, read_pcap_partial, ReadOptions};

const FIELDS: [&str; 6] = ["frame.number", "frame.len", "frame.time_epoch", "ip.src", "tcp.stream", "eth.trailer"];

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(name)
}

fn pcapframe(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pcapframe")).args(args).output().unwrap()
}

fn parquet_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let path = e.path();
        if path.is_dir() {
            parquet_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "parquet") {
            out.push(path);
        }
    }
}

fn all_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            all_files(&e.path(), out);
        } else {
            out.push(e.path());
        }
    }
}

/// Every part of one capture's partition, concatenated in frame order, and each part's hour.
fn read_partition(dir: &Path) -> (DataFrame, Vec<(String, DataFrame)>) {
    let mut files = Vec::new();
    parquet_files(dir, &mut files);
    files.sort();
    let mut parts = Vec::new();
    let mut all: Option<DataFrame> = None;
    for file in files {
        let df = ParquetReader::new(std::fs::File::open(&file).unwrap()).finish().unwrap();
        assert!(std::fs::read(&file).unwrap().windows(16).any(|w| w == b"pcapframe.fields"), "{}", file.display());
        let hour =
            file.parent().unwrap().file_name().unwrap().to_string_lossy().trim_start_matches("hour=").to_string();
        match all.as_mut() {
            Some(a) => {
                a.vstack_mut(&df).unwrap();
            }
            None => all = Some(df.clone()),
        }
        parts.push((hour, df));
    }
    let all = all.unwrap().sort(["frame.number"], Default::default()).unwrap();
    (all, parts)
}

fn same(ours: &DataFrame, eager: &DataFrame, what: &str) {
    assert_eq!(ours.height(), eager.height(), "{what}");
    for name in FIELDS {
        let theirs = eager.column(name).unwrap();
        let (ours, theirs) = if name == "frame.time_epoch" {
            (ours.column("frame.time_epoch_ns").unwrap().clone(), theirs.cast(&DataType::Int64).unwrap())
        } else {
            (ours.column(name).unwrap().clone(), theirs.clone())
        };
        assert!(ours.as_materialized_series().equals_missing(theirs.as_materialized_series()), "{what}: {name}");
    }
    let micros = ours.column("frame.time_epoch").unwrap();
    assert_eq!(micros.dtype(), &DataType::Datetime(TimeUnit::Microseconds, None), "Spark reads microseconds");
}

#[test]
fn a_dataset_holds_every_frame_once_by_capture_and_hour() {
    let dir = std::env::temp_dir().join(format!("pcapframe-dataset-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // A damaged capture: dorm-room cut in the middle of a packet.
    let dorm = std::fs::read(fixture("dorm-room.pcap")).unwrap();
    let cut = dir.join("cut.pcap");
    std::fs::write(&cut, &dorm[..dorm.len() / 2 + 7]).unwrap();
    // Two files that are no capture: one that is not there, one that holds text. They are
    // reported and do not stop the others.
    let notes = dir.join("notes.txt");
    std::fs::write(&notes, "# what we found\n").unwrap();
    let missing = dir.join("missing.pcap");
    let captures = [
        fixture("edge-tcp-analysis.pcap"),
        notes.clone(),
        fixture("edge-ethernet-trailers.pcap"),
        missing.clone(),
        fixture("dorm-room.pcap"),
        cut.clone(),
    ];
    let out = dir.join("dataset/");
    let mut args: Vec<String> = Vec::new();
    for c in &captures {
        args.extend(["-r".into(), c.display().to_string()]);
    }
    for f in FIELDS {
        args.extend(["-e".into(), f.into()]);
    }
    args.extend(["--out".into(), format!("{}/", out.display())]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let first = pcapframe(&argv);
    let stderr = String::from_utf8_lossy(&first.stderr).into_owned();
    assert_eq!(first.status.code(), Some(2), "a damaged capture sets exit status 2: {stderr}");
    assert!(stderr.contains("cut.pcap") && stderr.contains("damaged"), "{stderr}");
    for (name, why) in [("notes.txt", "not a pcap or pcapng file"), ("missing.pcap", "cannot open")] {
        let line = stderr.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name}: {stderr}"));
        assert!(line.contains("not read") && line.contains(why), "{line}");
        assert!(!out.join(format!("capture={name}")).exists());
    }
    // Nothing but Parquet parts, in capture partitions: polars refuses a folder of files of two
    // extensions, and Spark reads `_NAME=...` files as data.
    let mut files = Vec::new();
    all_files(&out, &mut files);
    for file in &files {
        let inside = file.strip_prefix(&out).unwrap().to_string_lossy().into_owned();
        assert!(inside.starts_with("capture=") && inside.ends_with(".parquet"), "{inside}");
    }
    for capture in captures.iter().filter(|c| **c != notes && **c != missing) {
        let name = capture.file_name().unwrap().to_string_lossy().into_owned();
        let (ours, parts) = read_partition(&out.join(format!("capture={name}")));
        let eager = if capture == &cut {
            read_pcap_partial(capture, &ReadOptions::fields(FIELDS)).unwrap().frame
        } else {
            read_pcap(capture, &ReadOptions::fields(FIELDS)).unwrap()
        };
        assert!(eager.height() > 0);
        same(&ours, &eager, &name);
        for (hour, part) in parts {
            let ns = part.column("frame.time_epoch_ns").unwrap().i64().unwrap().clone();
            for t in ns.iter().flatten() {
                let h = t.div_euclid(3_600_000_000_000);
                assert!(
                    hour.ends_with(&format!("T{:02}", h.rem_euclid(24))),
                    "{name}: {hour} holds a frame of hour {h}"
                );
            }
        }
    }
    // The dorm-room capture spans 14:02 to 14:30 UTC on 2025-03-14: one hour partition.
    assert!(out.join("capture=dorm-room.pcap/hour=2025-03-14T14").is_dir());
    // A second run skips what is unchanged.
    let second = pcapframe(&argv);
    let stderr = String::from_utf8_lossy(&second.stderr).into_owned();
    assert_eq!(stderr.matches("skipped").count(), 3, "{stderr}");
    assert_eq!(second.status.code(), Some(2), "the damaged capture is written and reported again: {stderr}");
    std::fs::remove_dir_all(&dir).ok();
}
