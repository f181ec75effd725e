//! A field's values do not depend on which other fields are read. The dissectors skip reading and
//! pushing the fields nobody asked for (a whole group at a time, such as the IPv4 or TCP header's
//! own fields): this holds them to the values a read of every field gives, frame by frame, on
//! every fixture and on a TCP/IPv4 frame cut short at every length.

use std::path::{Path, PathBuf};

use pcapframe::capture::{CaptureReader, ReaderLimits};
use pcapframe::fields::{lookup, Field, FieldSet, FrameValues, Value};
use pcapframe::Scanner;

/// Field sets read on their own: the Stevens graph's, and some that each take one field of a
/// group a dissector skips as a whole, or one field beside such a group.
const SUBSETS: &[&[&str]] = &[
    &["frame.time_epoch", "tcp.stream", "ip.src", "ip.dst", "tcp.seq", "tcp.ack", "tcp.window_size", "tcp.len"],
    &["ip.src", "ip.dst"],
    &["ip.ttl"],
    &["ip.checksum", "tcp.len"],
    &["ip.flags.mf", "ip.frag_offset"],
    &["tcp.srcport"],
    &["tcp.flags.syn", "tcp.stream"],
    &["tcp.urgent_pointer"],
    &["tcp.ack_raw", "tcp.seq"],
    &["tcp.window_size_value", "tcp.window_size"],
    &["frame.len", "eth.src"],
];

/// Each frame's values of `fields`, read with `wanted`.
fn values_of(capture: &[u8], wanted: FieldSet, fields: &[Field]) -> Vec<Vec<(Field, Value)>> {
    let reader = CaptureReader::new(capture, ReaderLimits::default()).expect("a capture");
    let mut scanner = Scanner::new(reader, wanted);
    let mut frames = Vec::new();
    // A damaged fixture ends in an error; the frames before it are compared.
    while let Ok(Some(frame)) = scanner.next_frame() {
        frames.push(of(frame, fields));
    }
    frames
}

/// The values of `fields` in `frame`, in order.
fn of(frame: &FrameValues, fields: &[Field]) -> Vec<(Field, Value)> {
    let mut values: Vec<(Field, Value)> = frame.items().iter().copied().filter(|(f, _)| fields.contains(f)).collect();
    // Only each field's own order counts: group by field, keeping each field's occurrences in order.
    values.sort_by_key(|(f, _)| f.index());
    values
}

fn assert_subsets_agree(name: &str, capture: &[u8]) {
    for subset in SUBSETS {
        let fields: Vec<Field> = subset.iter().map(|n| lookup(n).expect("a field")).collect();
        let alone = values_of(capture, fields.iter().copied().collect(), &fields);
        let with_all = values_of(capture, FieldSet::all(), &fields);
        assert_eq!(alone.len(), with_all.len(), "{name}: frames read with {subset:?}");
        for (number, (a, b)) in alone.iter().zip(&with_all).enumerate() {
            assert_eq!(a, b, "{name}, frame {}: {subset:?} alone and among all fields", number + 1);
        }
    }
}

#[test]
fn every_fixture_gives_the_same_values_whatever_else_is_read() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut captures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the fixtures")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
        .collect();
    captures.sort();
    assert!(captures.len() >= 10, "fixtures in {}", dir.display());
    for path in captures {
        let bytes = std::fs::read(&path).expect("a fixture");
        assert_subsets_agree(&path.display().to_string(), &bytes);
    }
}

#[test]
fn a_header_cut_short_anywhere_gives_the_same_values_whatever_else_is_read() {
    // Ethernet, IPv4 (20 bytes), TCP (20 bytes + 4 of MSS option), 6 bytes of payload: a SYN.
    let mut frame = vec![0x00, 0x1d, 0xd9, 0x2e, 0x4f, 0x61, 0x00, 0x0c, 0x29, 0x01, 0x02, 0x03, 0x08, 0x00];
    frame.extend([0x45, 0x00, 0x00, 54, 0x12, 0x34, 0x40, 0x00, 64, 6, 0xab, 0xcd, 10, 0, 0, 1, 10, 0, 0, 2]);
    frame.extend([0x9c, 0x40, 0x00, 0x50, 0, 0, 0x10, 0, 0, 0, 0, 0, 0x60, 0x02, 0xff, 0xff, 0x12, 0x34, 0, 0]);
    frame.extend([2, 4, 0x05, 0xb4]);
    frame.extend(*b"hello\n");
    // One record per captured length, from nothing to the whole frame (the wire length stays).
    let mut capture = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0];
    for (n, caplen) in (0..=frame.len()).enumerate() {
        for word in [1_600_000_000 + n as u32, 0, caplen as u32, frame.len() as u32] {
            capture.extend(word.to_le_bytes());
        }
        capture.extend(&frame[..caplen]);
    }
    assert_subsets_agree("a SYN cut short at every length", &capture);
}
