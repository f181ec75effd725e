//! tshark's TCP sequence analysis finds every one of its flags in `fixtures/edge-tcp-analysis.pcap`.

use std::path::PathBuf;
use std::process::Command;

/// Every field the fixture must make tshark show on at least one frame.
const FIELDS: [&str; 32] = [
    "tcp.analysis.retransmission",
    "tcp.analysis.fast_retransmission",
    "tcp.analysis.spurious_retransmission",
    "tcp.analysis.out_of_order",
    "tcp.analysis.lost_segment",
    "tcp.analysis.ack_lost_segment",
    "tcp.analysis.duplicate_ack",
    "tcp.analysis.duplicate_ack_num",
    "tcp.analysis.duplicate_ack_frame",
    "tcp.analysis.zero_window",
    "tcp.analysis.zero_window_probe",
    "tcp.analysis.zero_window_probe_ack",
    "tcp.analysis.window_full",
    "tcp.analysis.window_update",
    "tcp.analysis.keep_alive",
    "tcp.analysis.keep_alive_ack",
    "tcp.analysis.reused_ports",
    "tcp.analysis.ack_rtt",
    "tcp.analysis.acks_frame",
    "tcp.analysis.bytes_in_flight",
    "tcp.analysis.push_bytes_sent",
    "tcp.analysis.initial_rtt",
    "tcp.analysis.rto",
    "tcp.analysis.rto_frame",
    "tcp.analysis.flags",
    "tcp.options.sack_le",
    "tcp.options.sack_re",
    "tcp.completeness",
    "tcp.time_relative",
    "tcp.time_delta",
    "tcp.payload",
    "frame.number",
];

fn fixture() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/edge-tcp-analysis.pcap");
    path.to_str().unwrap().to_owned()
}

/// tshark's `-T fields` output (one line per frame, tab-separated), two-pass if `two_pass`;
/// `None` without tshark.
fn tshark_fields(fields: &[&str], filter: Option<&str>, two_pass: bool) -> Option<Vec<Vec<String>>> {
    let path = fixture();
    let mut args = vec!["-r", path.as_str(), "-T", "fields"];
    if two_pass {
        args.push("-2");
    }
    if let Some(filter) = filter {
        args.extend(["-Y", filter]);
    }
    for field in fields {
        args.extend(["-e", field]);
    }
    let out = Command::new("tshark").args(&args).output().ok()?;
    assert!(out.status.success(), "tshark {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    Some(text.lines().map(|l| l.split('\t').map(str::to_owned).collect()).collect())
}

fn column(rows: &[Vec<String>], i: usize) -> Vec<&str> {
    rows.iter().map(|r| r.get(i).map_or("", String::as_str)).filter(|v| !v.is_empty()).collect()
}

#[test]
fn tshark_shows_every_tcp_analysis_field() {
    let Some(rows) = tshark_fields(&FIELDS, None, false) else {
        eprintln!("SKIPPED: tshark is not installed");
        return;
    };
    assert!((60..=150).contains(&rows.len()), "{} frames", rows.len());
    let missing: Vec<&str> =
        FIELDS.iter().enumerate().filter(|(i, _)| column(&rows, *i).is_empty()).map(|(_, f)| *f).collect();
    assert!(missing.is_empty(), "tshark shows no {missing:?} in edge-tcp-analysis.pcap");

    let dup_nums = column(&rows, 7);
    let most = dup_nums.iter().map(|n| n.parse::<u32>().unwrap()).max().unwrap();
    assert!(most >= 3, "duplicate ACK numbers go up to {most}");
}

#[test]
fn every_tcp_stream_ends_as_described() {
    let Some(rows) = tshark_fields(&["tcp.stream", "tcp.completeness"], None, true) else {
        eprintln!("SKIPPED: tshark is not installed");
        return;
    };
    let mut completeness = std::collections::BTreeMap::new();
    for row in &rows {
        completeness.insert(row[0].parse::<u32>().unwrap(), row[1].parse::<u32>().unwrap());
    }
    // 31 = SYN, SYN-ACK, ACK, data, FIN; 47 = the same closed by RST instead of FIN; 12 = a
    // connection joined mid-stream (ACK and data only).
    let expected = [(0, 31), (1, 12), (2, 31), (3, 47), (4, 31)];
    assert_eq!(completeness.into_iter().collect::<Vec<_>>(), expected);
}

#[test]
fn tshark_4_0_flags_exactly_the_frames_the_generator_intends() {
    let version = Command::new("tshark").arg("--version").output();
    let Ok(version) = version else {
        eprintln!("SKIPPED: tshark is not installed");
        return;
    };
    if !String::from_utf8_lossy(&version.stdout).starts_with("TShark (Wireshark) 4.0.") {
        eprintln!("SKIPPED: the frame numbers below are tshark 4.0's");
        return;
    }
    let expected: [(&str, &[u32]); 16] = [
        // SYN, 5 ms late hole fill (no iRTT: threshold 3 ms), fast and spurious retransmissions
        // (tshark 4.0 marks those as retransmissions too), two on timeout, a FIN.
        ("tcp.analysis.retransmission", &[11, 15, 34, 45, 61, 63, 70]),
        ("tcp.analysis.fast_retransmission", &[34]),
        ("tcp.analysis.spurious_retransmission", &[45]),
        ("tcp.analysis.out_of_order", &[7, 38]),
        ("tcp.analysis.lost_segment", &[5, 9, 22, 36, 40]),
        // 66 is tshark's false positive: the retransmission in 63 runs past the highest segment
        // seen, which does not move tshark's "max sequence number to be ACKed".
        ("tcp.analysis.ack_lost_segment", &[41, 66]),
        ("tcp.analysis.duplicate_ack", &[6, 10, 23, 25, 27, 29, 31, 33, 37, 46]),
        ("tcp.analysis.zero_window", &[85, 87, 89]),
        ("tcp.analysis.zero_window_probe", &[86, 88]),
        ("tcp.analysis.zero_window_probe_ack", &[87, 89]),
        ("tcp.analysis.window_full", &[84]),
        ("tcp.analysis.window_update", &[90]),
        ("tcp.analysis.keep_alive", &[107, 109]),
        ("tcp.analysis.keep_alive_ack", &[108, 110]),
        ("tcp.analysis.reused_ports", &[98]),
        ("tcp.analysis.rto", &[11, 15, 61, 63, 70]),
    ];
    for (field, frames) in expected {
        let rows = tshark_fields(&["frame.number"], Some(field), false).unwrap();
        let got: Vec<u32> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
        assert_eq!(got, frames, "frames with {field}");
    }
    let rows = tshark_fields(
        &["frame.number", "tcp.analysis.duplicate_ack_num", "tcp.analysis.duplicate_ack_frame"],
        Some("tcp.analysis.duplicate_ack"),
        false,
    )
    .unwrap();
    let dups: Vec<(u32, u32, u32)> =
        rows.iter().map(|r| (r[0].parse().unwrap(), r[1].parse().unwrap(), r[2].parse().unwrap())).collect();
    let expected = [(6, 1, 4), (10, 1, 8), (23, 1, 21), (25, 2, 21), (27, 3, 21), (29, 4, 21), (31, 5, 21)];
    let expected = [&expected[..], &[(33, 6, 21), (37, 1, 35), (46, 1, 44)]].concat();
    assert_eq!(dups, expected, "(frame, duplicate ACK number, frame duplicated)");
    // The retransmission timeout runs from the oldest segment still unacknowledged.
    let rows = tshark_fields(&["frame.number", "tcp.analysis.rto_frame"], Some("tcp.analysis.rto"), false).unwrap();
    let rto: Vec<(u32, u32)> = rows.iter().map(|r| (r[0].parse().unwrap(), r[1].parse().unwrap())).collect();
    assert_eq!(rto, [(11, 9), (15, 1), (61, 57), (63, 58), (70, 69)]);
}
