//! Follow TCP stream: one connection's data in order, as `tshark -z follow,tcp,yaml,N` shows it.
//!
//! What tshark 4.0 does, learnt from its output:
//! - Peer 0 is the source of the stream's first frame (data or not), peer 1 the other side.
//! - Each side's data is passed on in sequence order: a segment that repeats data already
//!   passed on is left out (only its new bytes, if any, are kept); a segment past a gap waits
//!   until the gap is filled and then follows the segment that filled it, each with its own
//!   frame number and time.
//! - When the other side acknowledges data past a gap that was never captured while segments
//!   wait behind it, a chunk `[N bytes missing in capture file]` (with a NUL) stands for the
//!   gap, with the acknowledging frame's number and time 0, and the waiting segments follow.
//! - Segments still waiting at the end of the capture are not shown.
//! - A segment cut by the snaplen shows the bytes captured, and its whole length counts.
//! - Segments quoted by ICMP errors are not part of the stream.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;

use crate::error::Result;
use crate::fields::{Field, FieldSet, FrameValues, Value};
use crate::limits::Limits;
use crate::scan::Scanner;

/// One chunk of followed data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// `frame.number` of the frame that carried it (for a gap: the acknowledging frame).
    pub frame: u64,
    /// 0: the side that sent the stream's first frame; 1: the other side.
    pub peer: u8,
    /// `frame.time_epoch` in nanoseconds; `None` for a gap.
    pub time_ns: Option<i64>,
    /// The bytes (for a gap: tshark's `[N bytes missing in capture file]` and a NUL).
    pub data: Vec<u8>,
}

/// A segment waiting past a gap: frame, time, captured bytes, length on the wire.
type Waiting = (u64, Option<i64>, Vec<u8>, u64);

/// The bytes of a segment at `at` past position `next` (none when the snaplen cut them).
fn new_bytes(data: &[u8], at: u64, next: u64) -> Vec<u8> {
    usize::try_from(next - at).ok().and_then(|skip| data.get(skip..)).unwrap_or(&[]).to_vec()
}

/// Adds a chunk that has bytes (a segment the snaplen cut to nothing shows none).
fn push(out: &mut Vec<Chunk>, chunk: Chunk) {
    if !chunk.data.is_empty() {
        out.push(chunk);
    }
}

/// One side of the connection: where its in-order data stands, and segments waiting past a gap.
#[derive(Debug, Default)]
struct Side {
    /// Position (relative sequence number, unwrapped) of the next byte to pass on.
    next: Option<u64>,
    /// Segments past a gap, by position: (frame, time, captured bytes, length on the wire).
    waiting: BTreeMap<u64, Waiting>,
}

impl Side {
    /// The unwrapped position of relative sequence number `seq` near this side's data.
    fn position(&self, seq: u32) -> u64 {
        match self.next {
            None => u64::from(seq),
            Some(next) => {
                let delta = i64::from(seq.wrapping_sub(next as u32) as i32);
                next.saturating_add_signed(delta)
            }
        }
    }

    /// Passes on `data` (captured of `wire_len` bytes) at `at` if it is next (and the waiting
    /// segments it lets through), or keeps it waiting.
    fn take(
        &mut self,
        peer: u8,
        segment: (u64, Option<i64>),
        at: u64,
        data: &[u8],
        wire_len: u64,
        out: &mut Vec<Chunk>,
    ) {
        let (frame, time_ns) = segment;
        let next = *self.next.get_or_insert(at);
        let end = at + wire_len;
        if end <= next {
            return; // already passed on
        }
        if at > next {
            self.waiting.entry(at).or_insert_with(|| (frame, time_ns, data.to_vec(), wire_len));
            return;
        }
        push(out, Chunk { frame, peer, time_ns, data: new_bytes(data, at, next) });
        self.next = Some(end);
        self.release(peer, out);
    }

    /// Passes on the waiting segments that now follow in order.
    fn release(&mut self, peer: u8, out: &mut Vec<Chunk>) {
        while let Some(entry) = self.waiting.first_entry() {
            let (at, next) = (*entry.key(), self.next.unwrap_or(0));
            if at > next {
                break;
            }
            let (frame, time_ns, data, wire_len) = entry.remove();
            let end = at + wire_len;
            if end > next {
                push(out, Chunk { frame, peer, time_ns, data: new_bytes(&data, at, next) });
                self.next = Some(end);
            }
        }
    }

    /// The peer acknowledged up to `ack` in `frame`: a gap before waiting segments that the
    /// acknowledgment covers was lost in capture.
    fn acknowledged(&mut self, peer: u8, frame: u64, ack: u64, out: &mut Vec<Chunk>) {
        let (Some(next), Some((&first, _))) = (self.next, self.waiting.first_key_value()) else { return };
        if ack < first || first <= next {
            return;
        }
        let mut data = format!("[{} bytes missing in capture file]", first - next).into_bytes();
        data.push(0);
        out.push(Chunk { frame, peer, time_ns: None, data });
        self.next = Some(first);
        self.release(peer, out);
    }
}

/// The endpoints of a followed stream, peer 0 first: (address, port).
pub type Peers = [(String, u16); 2];

fn uint(frame: &FrameValues, field: Field) -> Option<u64> {
    match frame.first(field) {
        Some(Value::UInt(n)) => Some(n),
        _ => None,
    }
}

/// The data of TCP stream `stream` (`tcp.stream`) of `capture`, in tshark's order, and its peers.
pub fn follow_tcp_chunks(capture: impl AsRef<Path>, stream: u64) -> Result<(Option<Peers>, Vec<Chunk>)> {
    let mut wanted = FieldSet::default();
    for f in [
        Field::FrameNumber,
        Field::FrameTimeEpoch,
        Field::IpSrc,
        Field::Ipv6Src,
        Field::TcpSrcport,
        Field::IpDst,
        Field::Ipv6Dst,
        Field::TcpDstport,
        Field::TcpStream,
        Field::TcpSeq,
        Field::TcpAck,
        Field::TcpFlagsAck,
        Field::TcpLen,
        Field::TcpPayload,
        Field::IcmpType,
        Field::Icmpv6Type,
    ] {
        wanted.insert(f);
    }
    let mut scanner = Scanner::open(capture.as_ref(), wanted, Limits::default())?;
    let mut peers: Option<Peers> = None;
    let mut sides = [Side::default(), Side::default()];
    let mut out = Vec::new();
    while let Some(frame) = scanner.next_frame()? {
        let quoted = frame.first(Field::IcmpType).or(frame.first(Field::Icmpv6Type)).is_some();
        if quoted || uint(frame, Field::TcpStream) != Some(stream) {
            continue;
        }
        let address = |v4: Field, v6: Field| {
            let (field, value) = [v4, v6].into_iter().find_map(|f| frame.first(f).map(|v| (f, v)))?;
            let mut text = String::new();
            frame.write_text(field, value, &mut text);
            Some(text)
        };
        let src = (
            address(Field::IpSrc, Field::Ipv6Src).unwrap_or_default(),
            uint(frame, Field::TcpSrcport).unwrap_or(0) as u16,
        );
        let dst = (
            address(Field::IpDst, Field::Ipv6Dst).unwrap_or_default(),
            uint(frame, Field::TcpDstport).unwrap_or(0) as u16,
        );
        let peer = match &peers {
            None => {
                peers = Some([src.clone(), dst]);
                0
            }
            Some(p) => u8::from(p[0] != src),
        };
        let number = uint(frame, Field::FrameNumber).unwrap_or(0);
        let other = usize::from(1 - peer);
        if frame.first(Field::TcpFlagsAck) == Some(Value::Bool(true)) {
            if let Some(ack) = uint(frame, Field::TcpAck) {
                let at = sides[other].position(ack as u32);
                sides[other].acknowledged(1 - peer, number, at, &mut out);
            }
        }
        let payload = frame.first(Field::TcpPayload).map_or(&[][..], |v| frame.bytes_of(v));
        let wire_len = uint(frame, Field::TcpLen).unwrap_or(payload.len() as u64);
        let (Some(seq), false) = (uint(frame, Field::TcpSeq), wire_len == 0) else { continue };
        let time = match frame.first(Field::FrameTimeEpoch) {
            Some(Value::Nanos(ns)) => Some(ns),
            _ => None,
        };
        let side = &mut sides[usize::from(peer)];
        let at = side.position(seq as u32);
        side.take(peer, (number, time), at, payload, wire_len, &mut out);
    }
    Ok((peers, out))
}

/// Follows TCP stream `stream` as a DataFrame: one row per chunk with `frame`, `peer` (0 for
/// the side that sent the first frame), `time` (`Datetime[ns]`, null for a gap lost in
/// capture) and `data` (binary).
pub fn follow_tcp_stream(capture: impl AsRef<Path>, stream: u64) -> Result<DataFrame> {
    let (_, chunks) = follow_tcp_chunks(capture, stream)?;
    let time = Column::new("time".into(), chunks.iter().map(|c| c.time_ns).collect::<Vec<_>>())
        .cast(&DataType::Datetime(TimeUnit::Nanoseconds, None))?;
    let columns = vec![
        Column::new("frame".into(), chunks.iter().map(|c| c.frame).collect::<Vec<_>>()),
        Column::new("peer".into(), chunks.iter().map(|c| u32::from(c.peer)).collect::<Vec<_>>()),
        time,
        Column::new("data".into(), chunks.iter().map(|c| c.data.as_slice()).collect::<Vec<_>>()),
    ];
    Ok(DataFrame::new(chunks.len(), columns)?)
}

/// The rule line of tshark's follow output.
const RULE: &str = "===================================================================";

/// `tshark -q -z follow,tcp,ascii,N` for TCP stream `stream`, byte for byte: each chunk's
/// length (indented by a tab for peer 1) and its bytes, those outside printable ASCII other than
/// CR and LF (a tab too) shown as `.`.
pub fn follow_tcp_text(capture: impl AsRef<Path>, stream: u64) -> Result<Vec<u8>> {
    let (peers, chunks) = follow_tcp_chunks(capture, stream)?;
    let mut out = format!("\n{RULE}\nFollow: tcp,ascii\nFilter: tcp.stream eq {stream}\n").into_bytes();
    for i in 0..2 {
        let node = match &peers {
            Some(p) if p[i].0.contains(':') => format!("[{}]:{}", p[i].0, p[i].1),
            Some(p) => format!("{}:{}", p[i].0, p[i].1),
            None => ":0".to_string(),
        };
        out.extend(format!("Node {i}: {node}\n").bytes());
    }
    for chunk in &chunks {
        let indent = if chunk.peer == 1 { "\t" } else { "" };
        out.extend(format!("{indent}{}\n", chunk.data.len()).bytes());
        out.extend(chunk.data.iter().map(|&b| match b {
            b'\n' | b'\r' | 0x20..=0x7e => b,
            _ => b'.',
        }));
        out.push(b'\n');
    }
    out.extend(format!("{RULE}\n").bytes());
    Ok(out)
}

/// `tshark -q -z follow,tcp,yaml,N` for TCP stream `stream`, byte for byte: the peers, then each
/// chunk's frame, peer, time (in seconds, 0 for a gap) and bytes in base64.
pub fn follow_tcp_yaml(capture: impl AsRef<Path>, stream: u64) -> Result<Vec<u8>> {
    use base64::Engine;
    let (peers, chunks) = follow_tcp_chunks(capture, stream)?;
    let mut out = String::from("peers:\n");
    for i in 0..2 {
        let (host, port) = peers.as_ref().map_or(("", 0), |p| (p[i].0.as_str(), p[i].1));
        out.push_str(&format!("  - peer: {i}\n    host: {host}\n    port: {port}\n"));
    }
    out.push_str("packets:\n");
    for chunk in &chunks {
        let ns = chunk.time_ns.unwrap_or(0);
        // Seconds as tshark converts them (whole seconds plus nanoseconds, in doubles).
        let seconds = ns.div_euclid(1_000_000_000) as f64 + ns.rem_euclid(1_000_000_000) as f64 / 1e9;
        out.push_str(&format!(
            "  - packet: {}\n    peer: {}\n    timestamp: {seconds:.9}\n    data: !!binary |\n",
            chunk.frame, chunk.peer
        ));
        let encoded = base64::engine::general_purpose::STANDARD.encode(&chunk.data);
        for line in encoded.as_bytes().chunks(76) {
            out.push_str("      ");
            out.push_str(std::str::from_utf8(line).unwrap_or(""));
            out.push('\n');
        }
    }
    Ok(out.into_bytes())
}
