//! Differential test of the statistics tables: `conversations` and `endpoints` of every type
//! against `tshark -n -q -z conv,TYPE -z endpoints,TYPE` on every fixture and shared capture
//! (one tshark run per capture for all ten tables). Differences are allowed only when listed with
//! a reason in `parity/statistics-differences.tsv`, and a listed one must still occur.

#[path = "../../pcapframe/tests/corpus/mod.rs"]
mod corpus;
mod ledger;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use ledger::{intact_captures, Intact, Ledger};
use pcapframe::polars::prelude::*;
use pcapframe::statistics::{conversations, endpoints, ConversationType};

const TYPES: [(ConversationType, &str); 5] = [
    (ConversationType::Eth, "Ethernet"),
    (ConversationType::Ip, "IPv4"),
    (ConversationType::Ipv6, "IPv6"),
    (ConversationType::Tcp, "TCP"),
    (ConversationType::Udp, "UDP"),
];

/// tshark's tables by title ("TCP Conversations"), each as its data lines.
fn tshark_tables(capture: &Path) -> Option<BTreeMap<String, Vec<String>>> {
    let mut args = vec!["-n".to_string(), "-q".into(), "-r".into(), capture.to_str()?.into()];
    for (ty, _) in TYPES {
        args.extend(["-z".to_string(), format!("conv,{}", ty.name())]);
        args.extend(["-z".to_string(), format!("endpoints,{}", ty.name())]);
    }
    let out = Command::new("tshark").args(&args).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut tables = BTreeMap::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if !(line.ends_with(" Conversations") || line.ends_with(" Endpoints")) {
            continue;
        }
        let title = line.to_string();
        let mut rows = Vec::new();
        for row in lines.by_ref() {
            if row.starts_with("====") {
                break;
            }
            if row.starts_with("Filter:") || row.trim_start().starts_with('|') {
                continue;
            }
            rows.push(row.to_string());
        }
        tables.insert(title, rows);
    }
    Some(tables)
}

/// tshark's byte count text ("619 bytes", "25 kB", "1244 kB", "3 MB") for an exact count.
fn byte_text(bytes: u64) -> String {
    // SI prefixes; below 10 000 the exact count.
    if bytes < 10_000 {
        format!("{bytes} bytes")
    } else if bytes < 10_000_000 {
        format!("{} kB", bytes / 1000)
    } else {
        format!("{} MB", bytes / 1_000_000)
    }
}

fn address(df: &DataFrame, column: &str, port: Option<&str>, row: usize) -> String {
    let a = df.column(column).unwrap().str().unwrap().get(row).unwrap_or("").to_string();
    match port.map(|p| df.column(p).unwrap().u32().unwrap().get(row)) {
        Some(Some(port)) => format!("{a}:{port}"),
        _ => a,
    }
}

fn u64_at(df: &DataFrame, column: &str, row: usize) -> u64 {
    df.column(column).unwrap().u64().unwrap().get(row).unwrap_or(0)
}

/// Our conversation table as tshark's text rows (whitespace-normalised).
fn our_conversation_rows(df: &DataFrame, ports: bool) -> Vec<String> {
    let (pa, pb) = if ports { (Some("port_a"), Some("port_b")) } else { (None, None) };
    (0..df.height())
        .map(|i| {
            let f = |c| u64_at(df, c, i);
            let start = df.column("rel_start").unwrap().f64().unwrap().get(i).unwrap();
            let duration = df.column("duration").unwrap().f64().unwrap().get(i).unwrap();
            format!(
                "{} <-> {} {} {} {} {} {} {} {:.9} {:.4}",
                address(df, "address_a", pa, i),
                address(df, "address_b", pb, i),
                f("frames_b_to_a"),
                byte_text(f("bytes_b_to_a")),
                f("frames_a_to_b"),
                byte_text(f("bytes_a_to_b")),
                f("frames"),
                byte_text(f("bytes")),
                start,
                duration
            )
        })
        .collect()
}

/// Our endpoint table as tshark's text rows.
fn our_endpoint_rows(df: &DataFrame, ports: bool) -> Vec<String> {
    (0..df.height())
        .map(|i| {
            let f = |c| u64_at(df, c, i);
            let port = if ports {
                format!(" {}", df.column("port").unwrap().u32().unwrap().get(i).unwrap_or(0))
            } else {
                String::new()
            };
            format!(
                "{}{} {} {} {} {} {} {}",
                df.column("address").unwrap().str().unwrap().get(i).unwrap_or(""),
                port,
                f("frames"),
                f("bytes"),
                f("tx_frames"),
                f("tx_bytes"),
                f("rx_frames"),
                f("rx_bytes")
            )
        })
        .collect()
}

/// Rows with single spaces, sorted. A conversation's start time is re-read as a double (tshark
/// prints it exactly to the nanosecond; a DataFrame holds the nearest double).
fn normalised(rows: &[String]) -> Vec<String> {
    let mut rows: Vec<String> = rows
        .iter()
        .map(|r| {
            let mut tokens: Vec<String> = r.split_whitespace().map(str::to_owned).collect();
            let n = tokens.len();
            if tokens.iter().any(|t| t == "<->") && n >= 2 {
                if let Ok(start) = tokens[n - 2].parse::<f64>() {
                    tokens[n - 2] = format!("{start:.9}");
                }
            }
            tokens.join(" ")
        })
        .collect();
    rows.sort();
    rows
}

/// The rows only one side has.
fn difference(theirs: &[String], ours: &[String]) -> String {
    let only = |a: &[String], b: &[String]| a.iter().filter(|r| !b.contains(r)).cloned().collect::<Vec<_>>();
    format!("  tshark only {:?}\n  ours only   {:?}", only(theirs, ours), only(ours, theirs))
}

#[test]
fn conversations_and_endpoints_match_tshark_on_every_capture() {
    if !ledger::tshark_available() {
        return;
    }
    let mut ledger = Ledger::new(|t| t.starts_with("conv,") || t.starts_with("endpoints,"));
    for Intact { name, path: capture, .. } in intact_captures() {
        let Some(tables) = tshark_tables(&capture) else { continue };
        for (ty, title) in TYPES {
            let ports = matches!(ty, ConversationType::Tcp | ConversationType::Udp);
            let conv = our_conversation_rows(&conversations(&capture, ty).unwrap(), ports);
            let ends = our_endpoint_rows(&endpoints(&capture, ty).unwrap(), ports);
            for (ours, kind, heading) in [(conv, "conv", "Conversations"), (ends, "endpoints", "Endpoints")] {
                let ours = normalised(&ours);
                let theirs = normalised(tables.get(&format!("{title} {heading}")).map_or(&[][..], |v| v));
                let table = format!("{kind},{}", ty.name());
                ledger.record(&name, &table, (ours != theirs).then(|| difference(&theirs, &ours)));
            }
        }
    }
    ledger.finish("tables");
}

/// tshark's I/O table rows: the numbers after the interval label.
fn tshark_io_rows(capture: &Path, interval: u64, filters: &[&str]) -> Option<Vec<Vec<u64>>> {
    let cells = tshark_io_cells(capture, interval, filters)?;
    Some(cells.into_iter().map(|row| row.iter().filter_map(|cell| cell.parse().ok()).collect()).collect())
}

#[test]
fn io_stat_matches_tshark_on_every_capture() {
    if !ledger::tshark_available() {
        return;
    }
    let filters = ["frame", "tcp", "dns"];
    let mut failures = Vec::new();
    let mut compared = 0;
    for intact in intact_captures() {
        let (name, capture, interval) = (&intact.name, &intact.path, intact.twenty_intervals());
        let Some(theirs) = tshark_io_rows(capture, interval, &filters) else { continue };
        let df = pcapframe::statistics::io_stat(capture, interval as f64, &filters).unwrap();
        let column = |name: &str| df.column(name).unwrap().u64().unwrap().into_no_null_iter().collect::<Vec<_>>();
        let cols: Vec<Vec<u64>> =
            (1..=3).flat_map(|i| [column(&format!("frames_{i}")), column(&format!("bytes_{i}"))]).collect();
        let ours: Vec<Vec<u64>> = (0..df.height()).map(|r| cols.iter().map(|c| c[r]).collect()).collect();
        compared += 1;
        if ours != theirs {
            let first = ours.iter().zip(&theirs).position(|(a, b)| a != b);
            failures.push(format!(
                "{name} io,stat,{interval}: {} rows vs tshark's {}; first different row {first:?}: ours {:?} tshark {:?}",
                ours.len(),
                theirs.len(),
                first.and_then(|i| ours.get(i)),
                first.and_then(|i| theirs.get(i))
            ));
        }
    }
    eprintln!("{compared} captures compared, {} differ", failures.len());
    for f in &failures {
        eprintln!("{f}");
    }
    assert!(failures.is_empty(), "{} I/O tables differ from tshark", failures.len());
}

/// Aggregate specs compared on every capture, in one tshark run. tshark decodes a field only
/// when some filter of the run names it, so every aggregated field is named by one (a spec
/// without a filter relies on another spec's). tshark's `MIN` is 0 when the first passing frame
/// of an interval lacks the field, so a `MIN` filter names its field (or every frame has it).
const AGGREGATES: [&str; 21] = [
    "COUNT(tcp.analysis.retransmission)tcp.analysis.retransmission",
    "SUM(tcp.len)tcp.len",
    "MIN(frame.len)",
    "MAX(frame.len)frame.len",
    "AVG(frame.len)frame.len",
    "COUNT(udp.length)udp.length",
    "SUM(udp.length)udp",
    "COUNT(ip.len)ip.len",
    "SUM(ip.len)ip.len",
    "MIN(ip.len)ip.len",
    "MAX(ip.len)",
    "AVG(ip.len)ip.len && icmp",
    "MAX(frame.time_delta)frame.time_delta",
    "SUM(frame.time_delta)frame.time_delta",
    "AVG(tcp.analysis.ack_rtt)tcp.analysis.ack_rtt",
    "MIN(tcp.analysis.ack_rtt)tcp.analysis.ack_rtt",
    "MAX(dns.time)dns.time",
    "AVG(frame.time_relative)frame.time_relative && tcp",
    "MAX(eth.type)eth.type",
    "FRAMES()tcp",
    "BYTES()udp",
];

/// tshark's I/O table rows: the cells after the interval label, as text.
fn tshark_io_cells(capture: &Path, interval: u64, specs: &[&str]) -> Option<Vec<Vec<String>>> {
    let spec = format!("io,stat,{interval},{}", specs.join(","));
    let out = Command::new("tshark").arg("-q").arg("-r").arg(capture).args(["-z", &spec]).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let rows = text
        .lines()
        .skip_while(|l| !l.starts_with("| Interval "))
        .skip(2)
        .take_while(|l| !l.starts_with("===="))
        .map(|l| l.split('|').skip(2).map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect())
        .collect();
    Some(rows)
}

/// Whether our cell shows what tshark printed: integers exactly (null as tshark's 0), seconds
/// within tshark's six decimals (it rounds to the microsecond).
fn cell_matches(column: &Column, row: usize, theirs: &str) -> bool {
    match column.dtype() {
        DataType::Float64 => {
            let ours = column.f64().unwrap().get(row).unwrap_or(0.0);
            theirs.parse::<f64>().is_ok_and(|t| (t - ours).abs() <= 0.501e-6)
        }
        DataType::Int64 => column.i64().unwrap().get(row).unwrap_or(0).to_string() == theirs,
        _ => column.u64().unwrap().get(row).unwrap_or(0).to_string() == theirs,
    }
}

/// The first row where our column differs from tshark's `index`-th cells, with both texts.
fn first_difference(column: &Column, theirs: &[Vec<String>], index: usize) -> Option<String> {
    if column.len() != theirs.len() {
        return Some(format!("{} rows vs tshark's {}", column.len(), theirs.len()));
    }
    (0..column.len()).find_map(|row| {
        let cell = theirs[row].get(index).map_or("", String::as_str);
        (!cell_matches(column, row, cell))
            .then(|| format!("row {row}: ours {:?}, tshark {cell:?}", column.get(row).unwrap().to_string()))
    })
}

#[test]
fn io_stat_aggregates_match_tshark_on_every_capture() {
    if !ledger::tshark_available() {
        return;
    }
    let mut ledger = Ledger::new(|t| t.starts_with("io,stat,"));
    for intact in intact_captures() {
        let (name, capture, interval) = (&intact.name, &intact.path, intact.twenty_intervals());
        let Some(theirs) = tshark_io_cells(capture, interval, &AGGREGATES) else { continue };
        let df = pcapframe::statistics::io_stat(capture, interval as f64, &AGGREGATES).unwrap();
        // Column 0 is `start`; the specs' columns follow, one each (FRAMES() and BYTES() too).
        for (index, spec) in AGGREGATES.iter().enumerate() {
            let column = &df.columns()[index + 1];
            let diff = first_difference(column, &theirs, index).map(|d| format!("interval {interval}: {d}"));
            ledger.record(name, &format!("io,stat,{spec}"), diff);
        }
    }
    ledger.finish("capture × spec columns");
}
