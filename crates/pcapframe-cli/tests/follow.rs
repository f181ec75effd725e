//! Differential test of `follow_tcp_stream` against `tshark -q -z follow,tcp,yaml,N`: the first
//! TCP streams of every capture, and every stream of the TCP edge fixtures.

#[path = "../../pcapframe/tests/corpus/mod.rs"]
mod corpus;

use std::path::Path;
use std::process::Command;

use base64::Engine;
use corpus::captures;
use pcapframe::follow::{follow_tcp_chunks, follow_tcp_text, follow_tcp_yaml, Chunk};

/// One packet of tshark's YAML: number, peer, timestamp text, data.
type Packet = (u64, u8, String, Vec<u8>);

fn tshark_follow(capture: &Path, stream: u64) -> Option<Vec<Packet>> {
    let out = Command::new("tshark")
        .args(["-q", "-r"])
        .arg(capture)
        .args(["-z", &format!("follow,tcp,yaml,{stream}")])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut packets = Vec::new();
    let mut lines = text.lines().skip_while(|l| *l != "packets:").skip(1).peekable();
    while let Some(line) = lines.next() {
        let Some(number) = line.strip_prefix("  - packet: ") else { continue };
        let peer = lines.next()?.trim().strip_prefix("peer: ")?.parse().ok()?;
        let timestamp = lines.next()?.trim().strip_prefix("timestamp: ")?.to_string();
        lines.next(); // data: !!binary |
        let mut b64 = String::new();
        while let Some(l) = lines.peek().filter(|l| l.starts_with("      ")) {
            b64.push_str(l.trim());
            lines.next();
        }
        let data = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
        packets.push((number.parse().ok()?, peer, timestamp, data));
    }
    Some(packets)
}

/// Seconds as tshark prints them (whole seconds plus nanoseconds over 10^9, in doubles).
fn timestamp(chunk: &Chunk) -> String {
    let ns = chunk.time_ns.unwrap_or(0);
    let s = ns.div_euclid(1_000_000_000) as f64 + ns.rem_euclid(1_000_000_000) as f64 / 1e9;
    format!("{s:.9}")
}

fn streams_to_check(capture: &Path) -> Vec<u64> {
    let name = capture.file_name().unwrap().to_string_lossy();
    if name.starts_with("edge-app-reassembly") || name.starts_with("edge-tcp-analysis") {
        (0..16).collect()
    } else {
        vec![0, 1]
    }
}

#[test]
fn followed_streams_match_tshark() {
    if Command::new("tshark").arg("--version").output().is_err() {
        eprintln!("SKIPPED: tshark is not installed (make test installs it)");
        return;
    }
    let mut failures = Vec::new();
    let mut compared = 0;
    for capture in captures() {
        let name = capture.file_name().unwrap().to_string_lossy().to_string();
        for stream in streams_to_check(&capture) {
            let Ok((_, chunks)) = follow_tcp_chunks(&capture, stream) else { continue };
            let Some(theirs) = tshark_follow(&capture, stream) else { continue };
            if theirs.is_empty() && chunks.is_empty() {
                continue;
            }
            compared += 1;
            let ours: Vec<Packet> = chunks.iter().map(|c| (c.frame, c.peer, timestamp(c), c.data.clone())).collect();
            if ours != theirs {
                let first = ours.iter().zip(&theirs).position(|(a, b)| a != b).unwrap_or(ours.len().min(theirs.len()));
                let show = |p: Option<&Packet>| {
                    p.map(|p| format!("packet {} peer {} at {} ({} bytes)", p.0, p.1, p.2, p.3.len()))
                };
                failures.push(format!(
                    "{name} stream {stream}: {} chunks vs tshark's {}; first difference at {first}: ours {:?}, tshark {:?}",
                    ours.len(),
                    theirs.len(),
                    show(ours.get(first)),
                    show(theirs.get(first))
                ));
            }
        }
    }
    eprintln!("{compared} streams compared, {} differ", failures.len());
    for f in &failures {
        eprintln!("{f}");
    }
    assert!(failures.is_empty(), "{} followed streams differ from tshark", failures.len());
}

#[test]
fn followed_text_is_tshark_ascii_and_yaml_byte_for_byte() {
    if Command::new("tshark").arg("--version").output().is_err() {
        eprintln!("SKIPPED: tshark is not installed (make test installs it)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut compared = 0;
    for (file, stream) in [
        ("edge-app-reassembly.pcap", 1),
        ("edge-app-reassembly.pcap", 5),
        ("edge-app-reassembly.pcap", 9),
        ("edge-app-reassembly.pcap", 99),
        ("edge-ipv6-ext-headers.pcap", 0),
        ("dorm-room.pcap", 3),
    ] {
        let capture = root.join(file);
        let tshark = |format: &str| {
            let spec = format!("follow,tcp,{format},{stream}");
            Command::new("tshark").args(["-q", "-r"]).arg(&capture).args(["-z", &spec]).output().unwrap().stdout
        };
        let (theirs, ours) = (tshark("ascii"), follow_tcp_text(&capture, stream).unwrap());
        assert!(follow_tcp_yaml(&capture, stream).unwrap() == tshark("yaml"), "{file} stream {stream}: YAML differs");
        if ours != theirs {
            let dir = std::env::temp_dir();
            std::fs::write(dir.join("follow-ours.txt"), &ours).unwrap();
            std::fs::write(dir.join("follow-tshark.txt"), &theirs).unwrap();
            panic!("{file} stream {stream} differs: see follow-ours.txt and follow-tshark.txt in {}", dir.display());
        }
        compared += 1;
    }
    assert_eq!(compared, 6);
}
