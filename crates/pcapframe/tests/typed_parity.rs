//! The typed DataFrame holds tshark's values: every registered field of every capture, first
//! occurrence, compared cell by cell with `tshark -T fields -E occurrence=f`.
//! Relative times are f64 seconds: equal to tshark's to within f64 precision.

mod corpus;

use std::path::Path;
use std::process::Command;

use corpus::captures;
use pcapframe::fields::FieldType;
use pcapframe::polars::prelude::*;
use pcapframe::{read_pcap, ReadOptions, FIELDS};

/// A typed cell rendered the way tshark prints the field.
fn as_tshark_text(ty: FieldType, v: AnyValue<'_>) -> Option<String> {
    let unsigned = |n: u64| match ty {
        FieldType::Hex { digits, .. } => format!("0x{:0width$x}", n, width = digits as usize),
        _ => n.to_string(),
    };
    Some(match v {
        AnyValue::Null => return None,
        AnyValue::UInt8(n) => unsigned(n.into()),
        AnyValue::UInt16(n) => unsigned(n.into()),
        AnyValue::UInt32(n) => unsigned(n.into()),
        AnyValue::UInt64(n) => unsigned(n),
        AnyValue::Int32(n) => n.to_string(),
        AnyValue::Boolean(b) => if b { "1" } else { "0" }.to_string(),
        AnyValue::String(s) if ty == FieldType::Str => escaped(s),
        AnyValue::StringOwned(s) if ty == FieldType::Str => escaped(&s),
        AnyValue::String(s) => s.to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        AnyValue::BinaryOwned(b) if b.is_empty() => "<MISSING>".to_string(),
        AnyValue::Binary([]) => "<MISSING>".to_string(),
        AnyValue::BinaryOwned(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
        AnyValue::Binary(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
        AnyValue::Datetime(ns, _, _) | AnyValue::DatetimeOwned(ns, _, _) => {
            let mut s = String::new();
            pcapframe::fields::write_seconds(ns, &mut s);
            s
        }
        AnyValue::Float64(x) if ty == FieldType::Float => {
            let mut s = String::new();
            pcapframe::fields::write_float(x as f32, &mut s);
            s
        }
        AnyValue::Float64(x) => format!("{x}"),
        other => panic!("unexpected cell {other:?}"),
    })
}

fn escaped(s: &str) -> String {
    let mut out = String::new();
    pcapframe::fields::write_escaped(s, &mut out);
    out
}

/// The `(capture, field)` pairs of `parity/known-differences.tsv`, where the text already differs.
fn known_differences() -> std::collections::HashSet<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../parity/known-differences.tsv");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.split('\t');
            Some((parts.next()?.to_string(), parts.next()?.to_string()))
        })
        .collect()
}

#[test]
fn typed_columns_hold_tsharks_values() {
    if Command::new("tshark").arg("-v").output().is_err() {
        eprintln!("SKIPPED: tshark is not installed (make test installs it)");
        return;
    }
    let names: Vec<String> = FIELDS.iter().map(|f| f.name.to_string()).collect();
    let known = known_differences();
    let mut cells = 0u64;
    for capture in captures() {
        let file_name = capture.file_name().unwrap().to_string_lossy().to_string();
        let df = read_pcap(&capture, &ReadOptions::fields(names.iter().cloned())).unwrap();
        let mut cmd = Command::new("tshark");
        cmd.arg("-r").arg(&capture).args(["-T", "fields", "-E", "occurrence=f"]);
        for n in &names {
            cmd.args(["-e", n]);
        }
        let text = String::from_utf8(cmd.output().unwrap().stdout).unwrap();
        let rows: Vec<&str> = text.lines().collect();
        assert_eq!(rows.len(), df.height(), "{}: frame count", capture.display());
        for (i, def) in FIELDS.iter().enumerate() {
            if known.contains(&(file_name.clone(), def.name.to_string())) {
                continue; // a text difference listed with its reason; the parity test checks it is still there
            }
            let column = df.column(def.name).unwrap();
            for (r, line) in rows.iter().enumerate() {
                let theirs = line.split('\t').nth(i).unwrap_or("");
                let ours = as_tshark_text(def.ty, column.get(r).unwrap());
                cells += 1;
                match (def.ty, ours.as_deref()) {
                    (FieldType::RelTime, Some(x)) => {
                        let (a, b): (f64, f64) = (x.parse().unwrap(), theirs.parse().unwrap());
                        assert!(
                            (a - b).abs() <= 1e-9 + b.abs() * 1e-15,
                            "{} frame {} {}: {a} vs {b}",
                            capture.display(),
                            r + 1,
                            def.name
                        );
                    }
                    (_, mine) => {
                        assert_eq!(mine.unwrap_or(""), theirs, "{} frame {} {}", capture.display(), r + 1, def.name)
                    }
                }
            }
        }
    }
    println!("{cells} typed cells agree with tshark");
}

#[test]
fn timeseries_adds_a_sorted_time_column_and_strict_drops_incomplete_frames() {
    let capture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/edge-icmp-errors.pcap");
    let df = read_pcap(&capture, &ReadOptions::fields(["tcp.srcport", "frame.number"]).timeseries(true).strict(true))
        .unwrap();
    assert_eq!(df.get_column_names()[0].as_str(), "time");
    assert!(matches!(df.column("time").unwrap().dtype(), DataType::Datetime(TimeUnit::Nanoseconds, None)));
    let numbers: Vec<u64> = df.column("frame.number").unwrap().u64().unwrap().into_no_null_iter().collect();
    // Frames carrying a TCP header, including the ones quoted inside ICMP errors.
    assert_eq!(numbers, vec![3, 4, 5, 8, 9, 10]);
    let all = read_pcap(&capture, &ReadOptions::fields(["frame.number"])).unwrap();
    assert!(all.height() > df.height());
}

#[test]
fn unknown_fields_and_bad_filters_are_errors_that_say_so() {
    let capture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/edge-icmp-errors.pcap");
    let err = read_pcap(&capture, &ReadOptions::fields(["tcp.sream"])).unwrap_err().to_string();
    assert!(err.contains("unknown field 'tcp.sream'") && err.contains("tcp.stream"), "{err}");
    let err =
        read_pcap(&capture, &ReadOptions::fields(["frame.len"]).display_filter("tcp xor udp")).unwrap_err().to_string();
    assert!(err.starts_with("\"xor\" was unexpected in this context.\n    tcp xor udp\n        ^~~"), "{err}");
    let err = read_pcap(&capture, &ReadOptions::fields(["frame.len"]).display_filter("ip.scr == 1.2.3.4"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"ip.scr\" is neither a field nor a protocol name") && err.contains("\"ip.src\""), "{err}");
    let err = read_pcap("/nonexistent.pcap", &ReadOptions::fields(["frame.len"])).unwrap_err().to_string();
    assert!(err.contains("cannot open /nonexistent.pcap"), "{err}");
}
