//! Wireshark's conversation and endpoint statistics (`tshark -z conv,TYPE` and
//! `-z endpoints,TYPE`) as DataFrames, in one streaming pass over a capture.
//!
//! What tshark 4.0 counts, learnt from its output:
//! - Every layer of a type counts: a tunnelled frame adds to the outer and to the inner IP
//!   conversation, each with the whole frame's length. The packet an ICMP error quotes does not
//!   count.
//! - An IPv6 fragment counts only on the frame that completes its packet.
//! - TCP and UDP conversations are tshark's streams (`tcp.stream`, `udp.stream`): a client port
//!   reused for a new connection starts a new conversation, and a segment or datagram without a
//!   stream number (too damaged to follow) does not count.
//! - Address A is the source of the conversation's first frame; `rel_start` is the earliest
//!   `frame.time_relative` among its frames, `duration` the latest minus that (as tshark
//!   computes it, in double precision).

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::*;

use crate::error::Result;
use crate::fields::{Field, FieldSet, FrameValues, Value};
use crate::limits::Limits;
use crate::scan::Scanner;

/// The layer a conversation or endpoint table is about, as in `-z conv,eth|ip|ipv6|tcp|udp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationType {
    /// Ethernet addresses.
    Eth,
    /// IPv4 addresses.
    Ip,
    /// IPv6 addresses.
    Ipv6,
    /// IPv4 or IPv6 addresses and TCP ports.
    Tcp,
    /// IPv4 or IPv6 addresses and UDP ports.
    Udp,
}

impl ConversationType {
    /// The name tshark's `-z` option uses.
    pub fn name(self) -> &'static str {
        match self {
            ConversationType::Eth => "eth",
            ConversationType::Ip => "ip",
            ConversationType::Ipv6 => "ipv6",
            ConversationType::Tcp => "tcp",
            ConversationType::Udp => "udp",
        }
    }

    /// The fields [`super::conversations_of`] and [`super::endpoints_of`] read from a DataFrame
    /// (`ReadOptions::fields(ConversationType::Tcp.fields())`).
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            ConversationType::Eth => &["frame.len", "frame.time_relative", "eth.src", "eth.dst"],
            ConversationType::Ip => &["frame.len", "frame.time_relative", "ip.src", "ip.dst"],
            ConversationType::Ipv6 => &["frame.len", "frame.time_relative", "ipv6.src", "ipv6.dst"],
            ConversationType::Tcp => &[
                "frame.len",
                "frame.time_relative",
                "ip.src",
                "ip.dst",
                "ipv6.src",
                "ipv6.dst",
                "tcp.srcport",
                "tcp.dstport",
                "tcp.stream",
                "icmp.type",
                "icmpv6.type",
            ],
            ConversationType::Udp => &[
                "frame.len",
                "frame.time_relative",
                "ip.src",
                "ip.dst",
                "ipv6.src",
                "ipv6.dst",
                "udp.srcport",
                "udp.dstport",
                "udp.stream",
                "icmp.type",
                "icmpv6.type",
            ],
        }
    }

    pub(super) fn has_ports(self) -> bool {
        matches!(self, ConversationType::Tcp | ConversationType::Udp)
    }
}

/// One end of a conversation: an address and, for TCP and UDP, a port.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct End {
    pub(super) address: String,
    pub(super) port: Option<u16>,
}

/// One layer of one frame: who sent to whom (and in which TCP/UDP stream).
#[derive(Debug, Clone)]
pub(super) struct Hop {
    pub(super) src: End,
    pub(super) dst: End,
    pub(super) stream: Option<u64>,
}

/// ICMP and ICMPv6 types whose message quotes the offending packet.
pub(super) fn quotes_a_packet(field: Field, value: Value) -> bool {
    match (field, value) {
        (Field::IcmpType, Value::UInt(t)) => matches!(t, 3 | 4 | 5 | 11 | 12),
        (Field::Icmpv6Type, Value::UInt(t)) => matches!(t, 1..=4),
        _ => false,
    }
}

fn address_text(frame: &FrameValues, field: Field, value: Value) -> String {
    let mut s = String::new();
    frame.write_text(field, value, &mut s);
    s
}

/// The layers of `ty` in one frame, outermost first, stopping at a quoted packet.
fn hops(frame: &FrameValues, ty: ConversationType, out: &mut Vec<Hop>) {
    out.clear();
    let (src_field, dst_field) = match ty {
        ConversationType::Eth => (Field::EthSrc, Field::EthDst),
        ConversationType::Ip => (Field::IpSrc, Field::IpDst),
        ConversationType::Ipv6 => (Field::Ipv6Src, Field::Ipv6Dst),
        ConversationType::Tcp => (Field::TcpSrcport, Field::TcpDstport),
        ConversationType::Udp => (Field::UdpSrcport, Field::UdpDstport),
    };
    let stream_field = match ty {
        ConversationType::Tcp => Some(Field::TcpStream),
        ConversationType::Udp => Some(Field::UdpStream),
        _ => None,
    };
    let items = frame.items();
    // For TCP and UDP: the addresses of the innermost IP layer so far.
    let (mut ip_src, mut ip_dst) = (String::new(), String::new());
    let (mut src, mut dst): (Option<End>, Option<End>) = (None, None);
    // The next header of the IPv6 layer being read (44: a fragment header).
    let mut next_header = None;
    for (i, &(field, value)) in items.iter().enumerate() {
        if quotes_a_packet(field, value) {
            break;
        }
        if field == Field::Ipv6Nxt {
            next_header = Some(value);
        }
        if ty.has_ports() {
            match field {
                Field::IpSrc | Field::Ipv6Src => ip_src = address_text(frame, field, value),
                Field::IpDst | Field::Ipv6Dst => ip_dst = address_text(frame, field, value),
                _ => {}
            }
        }
        let end = |address: &str| match value {
            Value::UInt(port) if ty.has_ports() => End { address: address.to_owned(), port: u16::try_from(port).ok() },
            _ => End { address: address_text(frame, field, value), port: None },
        };
        if field == src_field {
            src = Some(end(&ip_src));
        } else if field == dst_field {
            dst = Some(end(&ip_dst));
        } else if Some(field) == stream_field {
            if let (Some(hop), Value::UInt(n)) = (out.last_mut(), value) {
                hop.stream.get_or_insert(n);
            }
            continue;
        } else {
            continue;
        }
        if let (Some(s), Some(d)) = (&src, &dst) {
            let fragment_in_progress = ty == ConversationType::Ipv6
                && next_header == Some(Value::UInt(44))
                && !items[i + 1..].iter().any(|(f, _)| f.def().protocol != "ipv6");
            if !fragment_in_progress {
                out.push(Hop { src: s.clone(), dst: d.clone(), stream: None });
            }
            (src, dst) = (None, None);
        }
    }
    if stream_field.is_some() {
        out.retain(|h| h.stream.is_some());
    }
}

/// The fields the statistics read.
fn wanted(ty: ConversationType) -> FieldSet {
    let mut set = FieldSet::default();
    let fields: &[Field] = match ty {
        ConversationType::Eth => &[Field::EthSrc, Field::EthDst],
        ConversationType::Ip => &[Field::IpSrc, Field::IpDst],
        // The upper layers' first fields tell a fragment that completes a packet.
        ConversationType::Ipv6 => {
            &[Field::Ipv6Src, Field::Ipv6Dst, Field::Ipv6Nxt, Field::TcpSrcport, Field::UdpSrcport]
        }
        ConversationType::Tcp => &[
            Field::IpSrc,
            Field::IpDst,
            Field::Ipv6Src,
            Field::Ipv6Dst,
            Field::TcpSrcport,
            Field::TcpDstport,
            Field::TcpStream,
        ],
        ConversationType::Udp => &[
            Field::IpSrc,
            Field::IpDst,
            Field::Ipv6Src,
            Field::Ipv6Dst,
            Field::UdpSrcport,
            Field::UdpDstport,
            Field::UdpStream,
        ],
    };
    for &f in fields.iter().chain(&[Field::FrameLen, Field::FrameTimeRelative, Field::IcmpType, Field::Icmpv6Type]) {
        set.insert(f);
    }
    set
}

/// Frames and bytes one way.
#[derive(Debug, Default, Clone, Copy)]
struct Count {
    frames: u64,
    bytes: u64,
}

impl Count {
    fn add(&mut self, len: u64) {
        self.frames += 1;
        self.bytes += len;
    }
}

/// One conversation's tallies.
#[derive(Debug)]
pub(super) struct Conversation {
    a: End,
    b: End,
    stream: Option<u64>,
    a_to_b: Count,
    b_to_a: Count,
    first_ns: i64,
    last_ns: i64,
}

/// Conversations in the order they first appear, each frame's layers added one by one.
#[derive(Debug, Default)]
pub(super) struct Tallies {
    conversations: Vec<Conversation>,
    index: HashMap<(Option<u64>, End, End), usize>,
}

impl Tallies {
    /// Counts one frame of `len` bytes at relative time `time` (ns) in the conversation of each hop.
    pub(super) fn add(&mut self, hops: &[Hop], len: u64, time: i64) {
        for hop in hops {
            let (lo, hi) = if hop.src <= hop.dst { (&hop.src, &hop.dst) } else { (&hop.dst, &hop.src) };
            let key = (hop.stream, lo.clone(), hi.clone());
            let conversations = &mut self.conversations;
            let i = *self.index.entry(key).or_insert_with(|| {
                conversations.push(Conversation {
                    a: hop.src.clone(),
                    b: hop.dst.clone(),
                    stream: hop.stream,
                    a_to_b: Count::default(),
                    b_to_a: Count::default(),
                    first_ns: time,
                    last_ns: time,
                });
                conversations.len() - 1
            });
            let c = &mut self.conversations[i];
            if hop.src == c.a {
                c.a_to_b.add(len);
            } else {
                c.b_to_a.add(len);
            }
            c.first_ns = c.first_ns.min(time);
            c.last_ns = c.last_ns.max(time);
        }
    }

    /// The conversations, in the order they first appeared.
    pub(super) fn finish(self) -> Vec<Conversation> {
        self.conversations
    }
}

/// Reads `capture` once and tallies every frame of `ty` by conversation, in the order
/// conversations first appear.
fn tally(capture: &Path, ty: ConversationType, limits: Limits) -> Result<Vec<Conversation>> {
    let mut scanner = Scanner::open(capture, wanted(ty), limits)?;
    let mut tallies = Tallies::default();
    let mut layer_hops = Vec::new();
    while let Some(frame) = scanner.next_frame()? {
        let len = match frame.first(Field::FrameLen) {
            Some(Value::UInt(n)) => n,
            _ => 0,
        };
        let time = match frame.first(Field::FrameTimeRelative) {
            Some(Value::Nanos(ns)) => ns,
            _ => 0,
        };
        hops(frame, ty, &mut layer_hops);
        tallies.add(&layer_hops, len, time);
    }
    Ok(tallies.finish())
}

/// One count column of the conversation table.
type ConversationCount = fn(&Conversation) -> u64;

/// One count column of the endpoint table, from what it sent and what it received.
type EndpointCount = fn((Count, Count)) -> u64;

/// Seconds as tshark converts its times: whole seconds plus nanoseconds over 10^9, in double
/// precision (which can differ from `ns / 1e9` in the last bit).
fn seconds(ns: i64) -> f64 {
    ns.div_euclid(1_000_000_000) as f64 + ns.rem_euclid(1_000_000_000) as f64 / 1e9
}

/// `tshark -z conv,TYPE` as a DataFrame: one row per conversation, most frames first.
///
/// Columns: `address_a`, `port_a` and `address_b`, `port_b` (ports for TCP and UDP only),
/// `stream` (TCP and UDP), `frames_a_to_b`, `bytes_a_to_b`, `frames_b_to_a`, `bytes_b_to_a`,
/// `frames`, `bytes`, `rel_start` and `duration` (seconds). Bytes are exact (tshark's text
/// rounds them to kB and MB).
pub fn conversations(capture: impl AsRef<Path>, ty: ConversationType) -> Result<DataFrame> {
    conversation_table(&tally(capture.as_ref(), ty, Limits::default())?, ty)
}

/// The conversation table's columns (see [`conversations`]), most frames first.
pub(super) fn conversation_table(rows: &[Conversation], ty: ConversationType) -> Result<DataFrame> {
    let mut columns = vec![
        Column::new("address_a".into(), rows.iter().map(|c| c.a.address.clone()).collect::<Vec<_>>()),
        Column::new("address_b".into(), rows.iter().map(|c| c.b.address.clone()).collect::<Vec<_>>()),
    ];
    if ty.has_ports() {
        columns
            .insert(1, Column::new("port_a".into(), rows.iter().map(|c| c.a.port.map(u32::from)).collect::<Vec<_>>()));
        columns.push(Column::new("port_b".into(), rows.iter().map(|c| c.b.port.map(u32::from)).collect::<Vec<_>>()));
        columns.push(Column::new("stream".into(), rows.iter().map(|c| c.stream).collect::<Vec<_>>()));
    }
    let counts: [(&str, ConversationCount); 6] = [
        ("frames_a_to_b", |c| c.a_to_b.frames),
        ("bytes_a_to_b", |c| c.a_to_b.bytes),
        ("frames_b_to_a", |c| c.b_to_a.frames),
        ("bytes_b_to_a", |c| c.b_to_a.bytes),
        ("frames", |c| c.a_to_b.frames + c.b_to_a.frames),
        ("bytes", |c| c.a_to_b.bytes + c.b_to_a.bytes),
    ];
    for (name, count) in counts {
        columns.push(Column::new(name.into(), rows.iter().map(count).collect::<Vec<_>>()));
    }
    columns.push(Column::new("rel_start".into(), rows.iter().map(|c| seconds(c.first_ns)).collect::<Vec<_>>()));
    columns.push(Column::new(
        "duration".into(),
        rows.iter().map(|c| seconds(c.last_ns) - seconds(c.first_ns)).collect::<Vec<_>>(),
    ));
    let df = DataFrame::new(rows_of(&columns), columns)?;
    Ok(df.sort(["frames"], SortMultipleOptions::default().with_order_descending(true).with_maintain_order(true))?)
}

/// `tshark -z endpoints,TYPE` as a DataFrame: one row per address (and port, for TCP and
/// UDP), most frames first.
///
/// Columns: `address`, `port` (TCP and UDP), `frames`, `bytes`, `tx_frames`, `tx_bytes`,
/// `rx_frames`, `rx_bytes`.
pub fn endpoints(capture: impl AsRef<Path>, ty: ConversationType) -> Result<DataFrame> {
    endpoint_table(&tally(capture.as_ref(), ty, Limits::default())?, ty)
}

/// The endpoint table's columns (see [`endpoints`]) from the conversations, most frames first.
pub(super) fn endpoint_table(conversations: &[Conversation], ty: ConversationType) -> Result<DataFrame> {
    let mut order: Vec<End> = Vec::new();
    let mut tallies: HashMap<End, (Count, Count)> = HashMap::new();
    for c in conversations {
        for (end, tx, rx) in [(&c.a, c.a_to_b, c.b_to_a), (&c.b, c.b_to_a, c.a_to_b)] {
            let entry = tallies.entry(end.clone()).or_insert_with(|| {
                order.push(end.clone());
                (Count::default(), Count::default())
            });
            entry.0.frames += tx.frames;
            entry.0.bytes += tx.bytes;
            entry.1.frames += rx.frames;
            entry.1.bytes += rx.bytes;
        }
    }
    let row = |e: &End| tallies[e];
    let mut columns = vec![Column::new("address".into(), order.iter().map(|e| e.address.clone()).collect::<Vec<_>>())];
    if ty.has_ports() {
        columns.push(Column::new("port".into(), order.iter().map(|e| e.port.map(u32::from)).collect::<Vec<_>>()));
    }
    let counts: [(&str, EndpointCount); 6] = [
        ("frames", |(tx, rx)| tx.frames + rx.frames),
        ("bytes", |(tx, rx)| tx.bytes + rx.bytes),
        ("tx_frames", |(tx, _)| tx.frames),
        ("tx_bytes", |(tx, _)| tx.bytes),
        ("rx_frames", |(_, rx)| rx.frames),
        ("rx_bytes", |(_, rx)| rx.bytes),
    ];
    for (name, count) in counts {
        columns.push(Column::new(name.into(), order.iter().map(|e| count(row(e))).collect::<Vec<_>>()));
    }
    let df = DataFrame::new(rows_of(&columns), columns)?;
    Ok(df.sort(["frames"], SortMultipleOptions::default().with_order_descending(true).with_maintain_order(true))?)
}

fn rows_of(columns: &[Column]) -> usize {
    columns.first().map_or(0, Column::len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_round_as_tshark_prints_them() {
        // ndpi__1kxun's first conversation starts 184280746.024785 s after the first frame;
        // tshark prints 184280746.024785012, while the nanoseconds over 10^9 give the
        // neighbouring double, ...784982.
        let ns = 184_280_746_024_785_000;
        assert_eq!(format!("{:.9}", seconds(ns)), "184280746.024785012");
        assert_eq!(format!("{:.9}", ns as f64 / 1e9), "184280746.024784982");
        assert_eq!(seconds(-1_500_000_000), -1.5);
    }
}
