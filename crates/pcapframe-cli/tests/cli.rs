//! The CLI on crafted inputs: damaged files, wrong names, unknown link types, Parquet output.

use std::path::PathBuf;
use std::process::{Command, Output};

/// A legacy pcap file (little-endian, microseconds) with the given link type and records.
fn pcap(link_type: u32, records: &[(u32, &[u8])]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&0xa1b2c3d4u32.to_le_bytes());
    f.extend_from_slice(&2u16.to_le_bytes());
    f.extend_from_slice(&4u16.to_le_bytes());
    f.extend_from_slice(&[0; 8]);
    f.extend_from_slice(&65535u32.to_le_bytes());
    f.extend_from_slice(&link_type.to_le_bytes());
    for (i, (ts, data)) in records.iter().enumerate() {
        f.extend_from_slice(&ts.to_le_bytes());
        f.extend_from_slice(&(i as u32 * 250).to_le_bytes());
        f.extend_from_slice(&(data.len() as u32).to_le_bytes());
        f.extend_from_slice(&(data.len() as u32).to_le_bytes());
        f.extend_from_slice(data);
    }
    f
}

/// Ethernet + IPv4 + UDP 10.0.0.1:1000 -> 10.0.0.2:53 with a 4-byte payload.
fn udp_frame() -> Vec<u8> {
    let mut f = vec![0, 1, 2, 3, 4, 5, 0, 0x1d, 0xd9, 1, 2, 3, 0x08, 0x00];
    f.extend_from_slice(&[0x45, 0, 0, 32, 0, 1, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    f.extend_from_slice(&[0x03, 0xe8, 0, 53, 0, 12, 0, 0, b'a', b'b', b'c', b'd']);
    f
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pcapframe-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn pcapframe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pcapframe")).args(args).output().unwrap()
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

#[test]
fn fields_are_printed_like_tshark() {
    let frame = udp_frame();
    let path = temp_file("ok.pcap", &pcap(1, &[(100, &frame), (101, &frame)]));
    let out = pcapframe(&[
        "-r",
        path.to_str().unwrap(),
        "-T",
        "fields",
        "-E",
        "header=y",
        "-e",
        "frame.number",
        "-e",
        "ip.src",
        "-e",
        "udp.dstport",
        "-e",
        "udp.stream",
        "-e",
        "frame.time_delta",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "frame.number\tip.src\tudp.dstport\tudp.stream\tframe.time_delta\n1\t10.0.0.1\t53\t0\t0.000000000\n2\t10.0.0.1\t53\t0\t1.000250000\n");
}

#[test]
fn wrong_magic_is_a_clear_error() {
    let path = temp_file("junk.pcap", b"this is not a capture at all");
    let out = pcapframe(&["-r", path.to_str().unwrap(), "-T", "fields", "-e", "frame.len"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not a pcap or pcapng file"), "{}", text(&out.stderr));
}

#[test]
fn cut_short_capture_prints_every_intact_frame_then_the_error() {
    let frame = udp_frame();
    let mut bytes = pcap(1, &[(1, &frame), (2, &frame), (3, &frame)]);
    bytes.truncate(bytes.len() - 5);
    let path = temp_file("short.pcap", &bytes);
    let out = pcapframe(&["-r", path.to_str().unwrap(), "-T", "fields", "-e", "frame.number"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout), "1\n2\n");
    let err = text(&out.stderr);
    assert!(err.contains("cut short") && err.contains("frame 3") && err.contains("byte offset 148"), "{err}");
}

#[test]
fn absurd_caplen_is_refused_without_allocating_it() {
    let frame = udp_frame();
    let mut bytes = pcap(1, &[(1, &frame)]);
    let second = bytes.len();
    bytes.extend_from_slice(&pcap(1, &[(2, &frame)])[24..]);
    bytes[second + 8..second + 12].copy_from_slice(&u32::MAX.to_le_bytes());
    let path = temp_file("huge.pcap", &bytes);
    let out = pcapframe(&["-r", path.to_str().unwrap(), "-T", "fields", "-e", "frame.number"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout), "1\n");
    let err = text(&out.stderr);
    assert!(err.contains("4294967295") && err.contains("exceeds the maximum") && err.contains("frame 2"), "{err}");
}

#[test]
fn unknown_field_names_the_nearest_ones() {
    let path = temp_file("ok2.pcap", &pcap(1, &[(1, &udp_frame())]));
    let out = pcapframe(&["-r", path.to_str().unwrap(), "-T", "fields", "-e", "ip.scr"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("unknown field 'ip.scr'") && err.contains("'ip.src'"), "{err}");
}

#[test]
fn unknown_link_type_still_yields_frame_fields() {
    let path = temp_file("link147.pcap", &pcap(147, &[(1, &udp_frame())]));
    let out =
        pcapframe(&["-r", path.to_str().unwrap(), "-T", "fields", "-e", "frame.len", "-e", "eth.src", "-e", "ip.src"]);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), "46\t\t\n");
    assert_eq!(text(&out.stderr), "pcapframe: warning: 1 frame of link type 147 not decoded (only frame.* fields)\n");
}

/// A pcapng section (little-endian) with one Ethernet interface, then the given blocks.
fn pcapng(blocks: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let block = |kind: u32, body: &[u8]| {
        let len = (12 + body.len().next_multiple_of(4)) as u32;
        let mut b = kind.to_le_bytes().to_vec();
        b.extend_from_slice(&len.to_le_bytes());
        b.extend_from_slice(body);
        b.resize(b.len().next_multiple_of(4), 0);
        b.extend_from_slice(&len.to_le_bytes());
        b
    };
    let mut shb = 0x1a2b3c4du32.to_le_bytes().to_vec();
    shb.extend_from_slice(&[1, 0, 0, 0]);
    shb.extend_from_slice(&[0xff; 8]);
    let mut idb = 1u16.to_le_bytes().to_vec();
    idb.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    let mut f = block(0x0a0d0d0a, &shb);
    f.extend(block(1, &idb));
    for (kind, body) in blocks {
        f.extend(block(*kind, body));
    }
    f
}

fn enhanced_packet(data: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; 12];
    b.extend_from_slice(&(data.len() as u32).to_le_bytes());
    b.extend_from_slice(&(data.len() as u32).to_le_bytes());
    b.extend_from_slice(data);
    b
}

#[test]
fn skipped_blocks_that_could_hold_packets_are_reported() {
    let frame = udp_frame();
    let blocks = [(6, enhanced_packet(&frame)), (0x0000_0bbb, frame.clone()), (6, enhanced_packet(&frame))];
    let path = temp_file("unknown-block.pcapng", &pcapng(&blocks));
    let out = pcapframe(&["-r", path.to_str().unwrap(), "-T", "fields", "-e", "frame.number", "-e", "udp.dstport"]);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), "1\t53\n2\t53\n");
    assert_eq!(text(&out.stderr), "pcapframe: warning: skipped 1 pcapng block of type 0x00000bbb\n");
    // Name resolution and interface statistics blocks hold no packets: nothing to report.
    let quiet = [(4, vec![0, 0, 0, 0]), (5, vec![0; 12]), (6, enhanced_packet(&frame))];
    let path = temp_file("quiet-blocks.pcapng", &pcapng(&quiet));
    let out = pcapframe(&["-r", path.to_str().unwrap(), "-T", "fields", "-e", "frame.number"]);
    assert_eq!((text(&out.stdout).as_str(), text(&out.stderr).as_str()), ("1\n", ""));
}

#[test]
fn standard_input_reads_like_a_file() {
    use std::io::Write;
    use std::process::Stdio;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&root).unwrap().flatten().map(|e| e.path()).collect();
    fixtures.retain(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"));
    fixtures.sort();
    assert!(fixtures.len() > 10);
    let fields =
        ["-e", "frame.number", "-e", "frame.time_relative", "-e", "ip.src", "-e", "tcp.stream", "-e", "udp.stream"];
    for fixture in fixtures {
        let from_file: Vec<&str> =
            ["-r", fixture.to_str().unwrap(), "-T", "fields"].into_iter().chain(fields).collect();
        let expected = pcapframe(&from_file);
        let mut child = Command::new(env!("CARGO_BIN_EXE_pcapframe"))
            .args(["-r", "-", "-T", "fields"])
            .args(fields)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let bytes = std::fs::read(&fixture).unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || stdin.write_all(&bytes));
        let piped = child.wait_with_output().unwrap();
        writer.join().unwrap().unwrap();
        assert_eq!(piped.status.code(), expected.status.code(), "{}", fixture.display());
        assert_eq!(text(&piped.stdout), text(&expected.stdout), "{}", fixture.display());
        assert!(!piped.stdout.is_empty(), "{}", fixture.display());
    }
}

#[test]
fn parquet_output_is_typed() {
    use pcapframe::polars::prelude::*;
    let frame = udp_frame();
    let path = temp_file("pq.pcap", &pcap(1, &[(1, &frame), (2, &frame), (3, &frame)]));
    let out_path = path.with_extension("parquet");
    let out = pcapframe(&[
        "-r",
        path.to_str().unwrap(),
        "-e",
        "frame.len",
        "-e",
        "ip.src",
        "-e",
        "udp.srcport",
        "-e",
        "ip.flags.df",
        "--out",
        out_path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let df = ParquetReader::new(std::fs::File::open(&out_path).unwrap()).finish().unwrap();
    assert_eq!(df.height(), 3);
    assert_eq!(df.column("frame.len").unwrap().dtype(), &DataType::UInt32);
    assert_eq!(df.column("udp.srcport").unwrap().u16().unwrap().get(0), Some(1000));
    assert_eq!(df.column("ip.src").unwrap().str().unwrap().get(2), Some("10.0.0.1"));
    assert_eq!(df.column("ip.flags.df").unwrap().bool().unwrap().get(0), Some(true));
}

fn fixture(name: &str) -> String {
    format!("{}/../../fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn corrupt_pcapng_block_keeps_the_frames_before_it() {
    let mut bytes = std::fs::read(fixture("edge-pcapng-sections.pcapng")).unwrap();
    // Walk the blocks to the second Enhanced Packet Block (type 6).
    let mut at = 0;
    let mut epbs = Vec::new();
    while epbs.len() < 2 {
        let word = |o: usize| u32::from_le_bytes(bytes[o..o + 4].try_into().unwrap());
        if word(at) == 6 {
            epbs.push(at);
        }
        at += word(at + 4) as usize;
    }
    let second_epb = epbs[1];
    // A block length that is not a multiple of 4 and smaller than a header: corrupt.
    bytes[second_epb + 4..second_epb + 8].copy_from_slice(&7u32.to_le_bytes());
    let path = temp_file("corrupt.pcapng", &bytes);
    let out = pcapframe(&["-r", path.to_str().unwrap(), "-T", "fields", "-e", "frame.number"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout), "1\n");
    let err = text(&out.stderr);
    assert!(err.contains("frame 2") && err.contains(&format!("byte offset {second_epb}")), "{err}");
}

#[test]
fn numeric_occurrences_are_refused_as_tshark_4_refuses_them() {
    let out = pcapframe(&["-r", "x.pcap", "-T", "fields", "-e", "ip.src", "-E", "occurrence=2"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("invalid occurrence '2'"), "{}", text(&out.stderr));
}

#[test]
fn text_options_match_tshark_byte_for_byte() {
    if Command::new("tshark").arg("-v").output().is_err() {
        eprintln!("SKIPPED: tshark is not installed");
        return;
    }
    let file = fixture("edge-icmp-errors.pcap");
    let cases: [&[&str]; 6] = [
        &["-E", "header=y", "-E", "quote=d"],
        &["-E", "separator=/s", "-E", "quote=s"],
        &["-E", "occurrence=l", "-E", "aggregator=/s"],
        &["-E", "occurrence=f", "-E", "separator=;"],
        &["-E", "aggregator=|", "-E", "header=y", "-c", "3"],
        &["-n", "-c", "100"],
    ];
    for extra in cases {
        let mut args = vec![
            "-r",
            file.as_str(),
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "ip.src",
            "-e",
            "tcp.srcport",
            "-e",
            "icmp.type",
        ];
        args.extend_from_slice(extra);
        let theirs = Command::new("tshark").args(&args).output().unwrap();
        let ours = pcapframe(&args);
        assert_eq!(text(&ours.stdout), text(&theirs.stdout), "options {extra:?}");
    }
}

#[test]
fn csv_output_writes_bytes_as_hex() {
    let out_path = std::env::temp_dir().join(format!("pcapframe-cli-{}-trailers.csv", std::process::id()));
    let out = pcapframe(&[
        "-r",
        &fixture("edge-ethernet-trailers.pcap"),
        "-e",
        "frame.number",
        "-e",
        "eth.trailer",
        "--out",
        out_path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = std::fs::read_to_string(&out_path).unwrap();
    assert!(csv.starts_with("frame.number,eth.trailer\n") && csv.contains("2,534543524554\n"), "{csv}");
}

#[test]
fn a_conversation_cap_retires_the_idlest_and_says_so() {
    let capture = fixture("dorm-room.pcap");
    let streams = |extra: &[&str]| {
        let mut args = vec!["-r", capture.as_str(), "-T", "fields", "-e", "tcp.stream", "-Y", "tcp"];
        args.extend(extra);
        let out = pcapframe(&args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let highest = text(&out.stdout).lines().filter_map(|l| l.parse::<u32>().ok()).max();
        (highest, text(&out.stderr))
    };
    let (highest, stderr) = streams(&[]);
    assert_eq!((highest, stderr.as_str()), (Some(35), ""), "36 streams, nothing retired by default");
    // Room for one conversation: interleaved ones return after being retired and are numbered anew.
    let (highest, stderr) = streams(&["--max-conversations", "1"]);
    assert!(highest.unwrap() > 35, "{highest:?}");
    assert!(stderr.contains("idle conversations were retired to stay within 1 per protocol"), "{stderr}");
    let out = pcapframe(&["-r", &capture, "-e", "tcp.stream", "--max-conversations", "0"]);
    assert!(text(&out.stderr).contains("invalid --max-conversations count '0'"));
}

#[test]
fn follow_prints_the_library_text_and_refuses_other_formats() {
    let capture = fixture("edge-app-reassembly.pcap");
    let yaml = pcapframe(&["-r", &capture, "-q", "-z", "follow,tcp,yaml,5"]);
    assert!(yaml.status.success());
    assert_eq!(yaml.stdout, pcapframe::follow::follow_tcp_yaml(&capture, 5).unwrap());
    let ascii = pcapframe(&["-r", &capture, "-q", "-z", "follow,tcp,ascii,1"]);
    assert_eq!(ascii.stdout, pcapframe::follow::follow_tcp_text(&capture, 1).unwrap());
    assert!(text(&ascii.stdout).contains("GET /index.h"));
    let hex = pcapframe(&["-r", &capture, "-q", "-z", "follow,tcp,hex,1"]);
    assert_eq!(hex.status.code(), Some(1));
    assert!(text(&hex.stderr).contains("unsupported follow format 'hex'"));
}

#[test]
fn several_r_files_print_what_tshark_prints_for_their_mergecap_merge() {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let a = fixtures.join("edge-tcp-analysis.pcap");
    let b = fixtures.join("edge-app-reassembly.pcap");
    let fields = [
        "-T",
        "fields",
        "-e",
        "frame.number",
        "-e",
        "frame.time_relative",
        "-e",
        "tcp.stream",
        "-e",
        "udp.stream",
        "-e",
        "http.host",
    ];
    for (flag, mergecap_flag) in [(None, None), (Some("--concatenate"), Some("-a"))] {
        let merged = temp_file(&format!("merged{}.pcapng", flag.unwrap_or("")), b"");
        let mut mergecap = Command::new("mergecap");
        mergecap.args(mergecap_flag).arg("-w").arg(&merged).arg(&a).arg(&b);
        if !mergecap.output().is_ok_and(|o| o.status.success()) {
            eprintln!("SKIPPED: mergecap is not installed (make test installs tshark, which brings it)");
            return;
        }
        let theirs = Command::new("tshark").arg("-r").arg(&merged).args(fields).output().unwrap();
        let mut args = vec!["-r", a.to_str().unwrap(), "-r", b.to_str().unwrap()];
        args.extend(flag);
        args.extend(fields);
        let ours = pcapframe(&args);
        assert!(ours.status.success(), "{}", text(&ours.stderr));
        assert_eq!(text(&ours.stdout), text(&theirs.stdout), "{flag:?}");
        assert!(text(&ours.stdout).lines().count() > 250);
    }
    let follow = pcapframe(&["-r", a.to_str().unwrap(), "-r", b.to_str().unwrap(), "-q", "-z", "follow,tcp,ascii,0"]);
    assert!(!follow.status.success() && text(&follow.stderr).contains("one capture file"));
}
