//! The statistics of a DataFrame (`conversations_of`, `endpoints_of`, `io_stat_of`) equal the
//! statistics of the capture it was read from, on the fixtures without tunnels, ICMP errors and
//! IPv6 fragments (where a DataFrame, one value per field and frame, cannot see every layer).

use std::path::PathBuf;

use pcapframe::polars::prelude::*;
use pcapframe::statistics::*;
use pcapframe::{read_pcap, ReadOptions};

const TYPES: [ConversationType; 5] =
    [ConversationType::Eth, ConversationType::Ip, ConversationType::Ipv6, ConversationType::Tcp, ConversationType::Udp];

/// Fixtures whose frames each have one layer of every type (ICMP errors included: the packet
/// they quote does not count either way).
const SINGLE_LAYER: [&str; 7] = [
    "edge-icmp-errors.pcap",
    "dorm-room.pcap",
    "edge-tcp-analysis.pcap",
    "edge-app-reassembly.pcap",
    "edge-tcp-port-reuse.pcap",
    "edge-quic.pcap",
    "edge-ethernet-trailers.pcap",
];

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(name)
}

#[test]
fn conversations_and_endpoints_of_the_whole_dataframe_equal_the_captures() {
    for name in SINGLE_LAYER {
        let path = fixture(name);
        for ty in TYPES {
            let df = read_pcap(&path, &ReadOptions::fields(ty.fields().iter().copied())).unwrap();
            let from_capture = conversations(&path, ty).unwrap();
            let from_frame = conversations_of(&df, ty).unwrap();
            assert!(
                from_frame.equals_missing(&from_capture),
                "{name} conv,{}:\n{from_frame}\n{from_capture}",
                ty.name()
            );
            let from_capture = endpoints(&path, ty).unwrap();
            let from_frame = endpoints_of(&df, ty).unwrap();
            assert!(from_frame.equals_missing(&from_capture), "{name} endpoints,{}", ty.name());
        }
    }
}

#[test]
fn io_stat_of_the_whole_dataframe_equals_the_captures() {
    let filters = ["tcp", "udp.length > 100", "ip.src == 192.168.15.4"];
    for name in SINGLE_LAYER {
        let path = fixture(name);
        let fields = ["frame.len", "frame.time_relative", "tcp.srcport", "udp.length", "ip.src"];
        let df = read_pcap(&path, &ReadOptions::fields(fields)).unwrap();
        for interval in [1.0, 10.0] {
            let from_capture = io_stat(&path, interval, &filters).unwrap();
            let from_frame = io_stat_of(&df, interval, &filters).unwrap();
            assert!(
                from_frame.equals_missing(&from_capture),
                "{name} io,stat,{interval}:\n{from_frame}\n{from_capture}"
            );
        }
    }
}

#[test]
fn a_filtered_dataframe_gives_the_tables_of_its_frames() {
    let path = fixture("dorm-room.pcap");
    let df = read_pcap(&path, &ReadOptions::fields(ConversationType::Tcp.fields().iter().copied())).unwrap();
    let stream_10 = df.clone().lazy().filter(col("tcp.stream").eq(lit(10u32))).collect().unwrap();
    let table = conversations_of(&stream_10, ConversationType::Tcp).unwrap();
    let whole = conversations(&path, ConversationType::Tcp).unwrap();
    let row_10 = whole.clone().lazy().filter(col("stream").eq(lit(10u64))).collect().unwrap();
    assert_eq!(table.height(), 1);
    assert!(table.equals_missing(&row_10), "{table}\n{row_10}");
}
