//! Differential test of the protocol hierarchy and the HTTP and DNS trees: `protocol_hierarchy`,
//! `http_tree` and `dns_tree` against `tshark -q -z io,phs -z http,tree -z dns,tree` on every
//! fixture and shared capture (one tshark run per capture for the three tables). Each table is
//! compared row by row, in order: the hierarchy's depth, name, frames and bytes; the trees'
//! depth, topic and count (the DNS tree's "Total Packets" subtree only: its other rows are
//! not reproduced). Differences are allowed only when listed with a reason in
//! `parity/statistics-differences.tsv` (tables `io,phs`, `http,tree`, `dns,tree`), and a
//! listed one must still occur.

#[path = "../../pcapframe/tests/corpus/mod.rs"]
mod corpus;
mod ledger;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use ledger::{intact_captures, Intact, Ledger};
use pcapframe::polars::prelude::*;
use pcapframe::statistics::{dns_tree, http_tree, protocol_hierarchy};

const TABLES: [&str; 3] = ["io,phs", "http,tree", "dns,tree"];

/// tshark's three tables, each as normalised rows ("DEPTH NAME COUNTS").
fn tshark_tables(capture: &Path) -> Option<BTreeMap<&'static str, Vec<String>>> {
    let out = Command::new("tshark")
        .args(["-q", "-r"])
        .arg(capture)
        .args(["-z", "io,phs", "-z", "http,tree", "-z", "dns,tree"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    let mut tables = BTreeMap::new();
    tables.insert("io,phs", phs_rows(&lines));
    tables.insert("http,tree", tree_rows(&lines, "HTTP/Packet Counter:"));
    let mut dns = tree_rows(&lines, "DNS:");
    // Only the "Total Packets" subtree: the next top-level topic ends it.
    if let Some(end) = dns.iter().skip(1).position(|r| r.starts_with("0 ")) {
        dns.truncate(end + 1);
    }
    tables.insert("dns,tree", dns);
    Some(tables)
}

/// The hierarchy's rows: "DEPTH NAME FRAMES BYTES".
fn phs_rows(lines: &[&str]) -> Vec<String> {
    let Some(start) = lines.iter().position(|l| *l == "Protocol Hierarchy Statistics") else { return Vec::new() };
    lines[start + 1..]
        .iter()
        .take_while(|l| !l.starts_with("===="))
        .filter(|l| l.contains("frames:"))
        .map(|l| {
            let depth = (l.len() - l.trim_start().len()) / 2;
            let tokens: Vec<&str> = l.split_whitespace().collect();
            let number = |prefix: &str| tokens.iter().find_map(|t| t.strip_prefix(prefix)).unwrap_or("?");
            format!("{depth} {} {} {}", tokens[0], number("frames:"), number("bytes:"))
        })
        .collect()
}

/// A stats tree's rows: "DEPTH TOPIC COUNT", from the table headed `title`.
fn tree_rows(lines: &[&str], title: &str) -> Vec<String> {
    let Some(start) = lines.iter().position(|l| *l == title) else { return Vec::new() };
    lines[start + 1..]
        .iter()
        .skip_while(|l| !l.starts_with("----"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty() && !l.starts_with("----"))
        .map(|l| {
            let depth = l.len() - l.trim_start().len();
            let rest = l.trim_start();
            let (topic, counts) = rest.split_once("  ").unwrap_or((rest, ""));
            format!("{depth} {topic} {}", counts.split_whitespace().next().unwrap_or("?"))
        })
        .collect()
}

fn column<'a>(df: &'a DataFrame, name: &str) -> &'a Column {
    df.column(name).unwrap()
}

/// Our hierarchy as rows.
fn our_phs(df: &DataFrame) -> Vec<String> {
    let (protocol, depth) = (column(df, "protocol").str().unwrap(), column(df, "depth").u32().unwrap());
    let (frames, bytes) = (column(df, "frames").u64().unwrap(), column(df, "bytes").u64().unwrap());
    (0..df.height())
        .map(|i| {
            let p = protocol.get(i).unwrap_or("");
            format!("{} {p} {} {}", depth.get(i).unwrap(), frames.get(i).unwrap(), bytes.get(i).unwrap())
        })
        .collect()
}

/// Our tree as rows.
fn our_tree(df: &DataFrame) -> Vec<String> {
    let (topic, depth, count) =
        (column(df, "topic").str().unwrap(), column(df, "depth").u32().unwrap(), column(df, "count").u64().unwrap());
    (0..df.height())
        .map(|i| format!("{} {} {}", depth.get(i).unwrap(), topic.get(i).unwrap_or(""), count.get(i).unwrap()))
        .collect()
}

/// The first rows where the two differ, for the report.
fn difference(theirs: &[String], ours: &[String]) -> String {
    let first = theirs.iter().zip(ours).position(|(a, b)| a != b).unwrap_or(theirs.len().min(ours.len()));
    let from = first.saturating_sub(1);
    format!(
        "  {} rows vs tshark's {}; from row {from}:\n  tshark {:?}\n  ours   {:?}",
        ours.len(),
        theirs.len(),
        &theirs[from.min(theirs.len())..(from + 6).min(theirs.len())],
        &ours[from.min(ours.len())..(from + 6).min(ours.len())]
    )
}

#[test]
fn hierarchy_and_trees_match_tshark_on_every_capture() {
    if !ledger::tshark_available() {
        return;
    }
    let mut ledger = Ledger::new(|t| TABLES.contains(&t));
    for Intact { name, path: capture, .. } in intact_captures() {
        let Some(tables) = tshark_tables(&capture) else { continue };
        let ours = [
            ("io,phs", our_phs(&protocol_hierarchy(&capture).unwrap())),
            ("http,tree", our_tree(&http_tree(&capture).unwrap())),
            ("dns,tree", our_tree(&dns_tree(&capture).unwrap())),
        ];
        for (table, ours) in ours {
            let theirs = &tables[table];
            ledger.record(&name, table, (&ours != theirs).then(|| difference(theirs, &ours)));
        }
    }
    ledger.finish("tables");
}
