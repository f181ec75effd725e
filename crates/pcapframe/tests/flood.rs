//! Captures generated on the fly and streamed, whose state would grow without caps: two million
//! distinct flows (TCP SYNs, UDP datagrams) and a million first IP fragments that never complete;
//! and one TCP connection whose data is never acknowledged. Conversation, reassembly and
//! TCP-analysis state stays within its caps, so heap use is flat however many frames go by.

mod common;

use std::io::Read;

use pcapframe::capture::{CaptureReader, ReaderLimits};
use pcapframe::fields::{Field, FieldSet, Value};
use pcapframe::track::TrackLimits;
use pcapframe::Scanner;

/// Frames generated: a third each TCP, UDP and fragment.
const FRAMES: u32 = 3_000_000;
/// The cap under test.
const MAX_CONVERSATIONS: usize = 10_000;
/// Heap the whole read may hold at once. Without retirement, the million TCP and million UDP
/// conversations need over 350 MiB (measured).
const MEMORY_CAP: usize = 24 * 1024 * 1024;

/// A little-endian microsecond Ethernet pcap of `frames` frames, frame `i` made by `make(i)`.
struct FloodCapture {
    next: u32,
    frames: u32,
    make: fn(u32) -> Vec<u8>,
    buffer: Vec<u8>,
    at: usize,
}

impl FloodCapture {
    fn new(frames: u32, make: fn(u32) -> Vec<u8>) -> Self {
        let mut header = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
        header.extend([0; 8]);
        header.extend(65535u32.to_le_bytes());
        header.extend(1u32.to_le_bytes());
        FloodCapture { next: 0, frames, make, buffer: header, at: 0 }
    }

    /// Frame `i` of the flow flood comes from 10.x.y.z (the low 24 bits of `i`): a TCP SYN, a UDP
    /// datagram or the first fragment of a datagram, by `i % 3`.
    fn distinct_flow(i: u32) -> Vec<u8> {
        let (proto, fragment, payload): (u8, bool, Vec<u8>) = match i % 3 {
            0 => {
                let mut tcp = vec![0; 20];
                tcp[0..2].copy_from_slice(&(1024 + (i % 60000) as u16).to_be_bytes());
                tcp[2..4].copy_from_slice(&80u16.to_be_bytes());
                tcp[4..8].copy_from_slice(&i.to_be_bytes());
                tcp[12] = 0x50;
                tcp[13] = 0x02;
                tcp[14..16].copy_from_slice(&64240u16.to_be_bytes());
                (6, false, tcp)
            }
            1 => {
                let mut udp = vec![0; 8];
                udp[0..2].copy_from_slice(&(1024 + (i % 60000) as u16).to_be_bytes());
                udp[2..4].copy_from_slice(&53u16.to_be_bytes());
                udp[4..6].copy_from_slice(&8u16.to_be_bytes());
                (17, false, udp)
            }
            _ => (17, true, vec![0x55; 1000]),
        };
        Self::ipv4_frame([10, (i >> 16) as u8, (i >> 8) as u8, i as u8], proto, fragment, i as u16, &payload)
    }

    /// Frame `i` of a connection from 10.0.0.1:40000 that sends 100-byte segments to
    /// 192.0.2.1:80 and never hears an ACK.
    fn never_acked(i: u32) -> Vec<u8> {
        let mut tcp = vec![0; 20];
        tcp[0..2].copy_from_slice(&40000u16.to_be_bytes());
        tcp[2..4].copy_from_slice(&80u16.to_be_bytes());
        tcp[4..8].copy_from_slice(&(1 + i * 100).to_be_bytes());
        tcp[12] = 0x50;
        tcp[13] = 0x18;
        tcp[14..16].copy_from_slice(&64240u16.to_be_bytes());
        tcp.extend([0x61; 100]);
        Self::ipv4_frame([10, 0, 0, 1], 6, false, i as u16, &tcp)
    }

    /// Frame `i` opens connection `i` (from 10.x.y.z, the low 24 bits of `i`) with one segment:
    /// an HTTP POST whose headers promise 100,000 bytes of body, of which 1,000 follow.
    fn half_finished_post(i: u32) -> Vec<u8> {
        let mut tcp = vec![0; 20];
        tcp[0..2].copy_from_slice(&(1024 + (i % 60000) as u16).to_be_bytes());
        tcp[2..4].copy_from_slice(&80u16.to_be_bytes());
        tcp[4..8].copy_from_slice(&i.to_be_bytes());
        tcp[12] = 0x50;
        tcp[13] = 0x18;
        tcp[14..16].copy_from_slice(&64240u16.to_be_bytes());
        tcp.extend(b"POST /upload HTTP/1.1\r\nHost: flood.example\r\nContent-Length: 100000\r\n\r\n");
        tcp.extend([0x62; 1000]);
        Self::ipv4_frame([10, (i >> 16) as u8, (i >> 8) as u8, i as u8], 6, false, i as u16, &tcp)
    }

    fn ipv4_frame(src: [u8; 4], proto: u8, fragment: bool, id: u16, payload: &[u8]) -> Vec<u8> {
        let mut frame = vec![0, 0x1d, 0xd9, 1, 2, 3, 0, 0x0f, 0xcc, 4, 5, 6, 0x08, 0x00];
        let total = (20 + payload.len()) as u16;
        frame.extend([0x45, 0]);
        frame.extend(total.to_be_bytes());
        frame.extend(id.to_be_bytes());
        frame.extend(if fragment { [0x20, 0] } else { [0x40, 0] });
        frame.extend([64, proto, 0, 0]);
        frame.extend(src);
        frame.extend([192, 0, 2, 1]);
        frame.extend(payload);
        frame
    }
}

impl Read for FloodCapture {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.buffer.len() {
            if self.next == self.frames {
                return Ok(0);
            }
            let frame = (self.make)(self.next);
            self.buffer.clear();
            self.at = 0;
            self.buffer.extend((self.next / 1000).to_le_bytes());
            self.buffer.extend(((self.next % 1000) * 1000).to_le_bytes());
            self.buffer.extend((frame.len() as u32).to_le_bytes());
            self.buffer.extend((frame.len() as u32).to_le_bytes());
            self.buffer.extend(frame);
            self.next += 1;
        }
        let n = out.len().min(self.buffer.len() - self.at);
        out[..n].copy_from_slice(&self.buffer[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[test]
fn millions_of_distinct_flows_stream_in_bounded_memory() {
    let limits = TrackLimits { max_conversations: MAX_CONVERSATIONS, ..TrackLimits::default() };
    let ((frames, last_tcp_stream, last_udp_stream, retired), peak) = common::peak_heap_of(|| {
        let capture = FloodCapture::new(FRAMES, FloodCapture::distinct_flow);
        let reader = CaptureReader::new(capture, ReaderLimits::default()).unwrap();
        let mut scanner = Scanner::with_limits(reader, FieldSet::all(), limits);
        let (mut frames, mut tcp, mut udp) = (0u32, None, None);
        while let Some(frame) = scanner.next_frame().unwrap() {
            frames += 1;
            tcp = frame.first(Field::TcpStream).or(tcp);
            udp = frame.first(Field::UdpStream).or(udp);
        }
        (frames, tcp, udp, scanner.retired_conversations())
    });
    assert_eq!(frames, FRAMES);
    // Every flow is new, so streams are numbered 0, 1, 2, ... to the end, retirement or not.
    assert_eq!(last_tcp_stream, Some(Value::UInt(u64::from(FRAMES / 3 - 1))));
    assert_eq!(last_udp_stream, Some(Value::UInt(u64::from(FRAMES / 3 - 1))));
    let live_at_most = 2 * MAX_CONVERSATIONS as u64;
    assert!(retired >= u64::from(FRAMES / 3 * 2) - live_at_most, "retired {retired}");
    assert!(peak < MEMORY_CAP, "peak heap {peak} bytes over {FRAMES} frames");
    eprintln!("{FRAMES} frames, {retired} conversations retired, peak heap {} KiB", peak / 1024);
}

/// A sender that is never acknowledged: the list of segments awaiting an ACK stays at its cap
/// (the oldest forgotten and counted), and bytes in flight keep being reported.
#[test]
fn a_connection_never_acknowledged_streams_in_bounded_memory() {
    const SEGMENTS: u32 = 1_000_000;
    const MAX_UNACKED: usize = 1_000;
    // Its data, on port 80, never ends an HTTP line: what HTTP holds for it is capped as well.
    let limits = TrackLimits {
        max_unacked_segments: MAX_UNACKED,
        max_app_connection_bytes: 256 * 1024,
        ..TrackLimits::default()
    };
    let ((last_in_flight, dropped), peak) = common::peak_heap_of(|| {
        let reader =
            CaptureReader::new(FloodCapture::new(SEGMENTS, FloodCapture::never_acked), ReaderLimits::default())
                .unwrap();
        let mut scanner = Scanner::with_limits(reader, FieldSet::all(), limits);
        let mut in_flight = None;
        while let Some(frame) = scanner.next_frame().unwrap() {
            in_flight = frame.first(Field::TcpAnalysisBytesInFlight).or(in_flight);
        }
        (in_flight, scanner.dropped_unacked_segments())
    });
    assert_eq!(dropped, u64::from(SEGMENTS) - MAX_UNACKED as u64);
    // The span of the segments still remembered: the cap times the segment size.
    assert_eq!(last_in_flight, Some(Value::UInt(MAX_UNACKED as u64 * 100)));
    assert!(peak < 4 * 1024 * 1024, "peak heap {peak} bytes over {SEGMENTS} segments");
    eprintln!("{SEGMENTS} segments never acknowledged, {dropped} forgotten, peak heap {} KiB", peak / 1024);
}

/// A million connections that each leave an HTTP message half sent: the connections whose data
/// the HTTP dissector holds stay within the conversation cap (the idlest dropped and counted),
/// and all they hold within the total cap.
#[test]
fn half_finished_http_messages_stream_in_bounded_memory() {
    const CONNECTIONS: u32 = 1_000_000;
    for (max_conversations, max_total) in [(MAX_CONVERSATIONS, 512 << 20), (20_000, 4 << 20)] {
        let limits = TrackLimits { max_conversations, max_app_total_bytes: max_total, ..TrackLimits::default() };
        let ((requests, dropped), peak) = common::peak_heap_of(|| {
            let capture = FloodCapture::new(CONNECTIONS, FloodCapture::half_finished_post);
            let reader = CaptureReader::new(capture, ReaderLimits::default()).unwrap();
            let wanted: FieldSet = [Field::HttpRequestMethod, Field::TcpStream].into_iter().collect();
            let mut scanner = Scanner::with_limits(reader, wanted, limits);
            let mut requests = 0;
            while let Some(frame) = scanner.next_frame().unwrap() {
                requests += frame.all(Field::HttpRequestMethod).count();
            }
            (requests, scanner.dropped_app_connections())
        });
        assert_eq!(requests, 0, "no message completes");
        // Each connection holds about 1,070 bytes: at most the connection cap, or the byte cap's worth.
        let held_at_most = (max_conversations as u64).min(max_total as u64 / 1_000);
        assert!(dropped >= u64::from(CONNECTIONS) - 2 * held_at_most, "dropped {dropped}");
        assert!(peak < 64 * 1024 * 1024, "peak heap {peak} bytes over {CONNECTIONS} connections");
        eprintln!(
            "{CONNECTIONS} half-finished HTTP messages, caps {max_conversations} connections / {max_total} bytes: \
             {dropped} dropped, peak heap {} KiB",
            peak / 1024
        );
    }
}
