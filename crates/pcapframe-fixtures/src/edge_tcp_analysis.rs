//! `edge-tcp-analysis.pcap`: TCP connections, captured on the client, in which tshark's sequence
//! analysis raises every flag it has (retransmissions of all kinds, out-of-order and lost
//! segments, duplicate ACKs with SACK blocks, zero windows and their probes, full windows, window
//! updates, keep-alives, reused ports), with the timings that decide between them.
//!
//! The connections, in the order their first frame appears:
//!
//! 1. a download (client 40100, timestamps, window scale 7, SACK) with a SYN retransmission, a
//!    lost segment, six duplicate ACKs and a fast retransmission, a reordered segment, a segment
//!    the capture missed but the client ACKed, a spurious retransmission answered with a D-SACK,
//!    and a FIN close;
//! 2. a connection already open when the capture started (client 39822): data with a hole filled
//!    2 ms later (out of order: with no handshake, tshark's threshold is 3 ms) and one filled 5 ms
//!    later (a retransmission), then TCP keep-alives of 0 and 1 byte and their ACKs;
//! 3. an upload (client 40102) whose tail is lost: a retransmission on timeout, one that also
//!    carries new data, and a retransmitted FIN;
//! 4. a download without the timestamps option (client 40104) into a receive buffer the
//!    application stops reading: a full window, zero windows, two zero-window probes, a window
//!    update, and an RST close;
//! 5. the same client port reused for a new connection (new ISN) right after the RST.

use etherparse::TcpOptionElement as Opt;

use crate::edge::{eth_ip, Fixture, T0, V4_A, V4_B};
use crate::packet::{self, proto, syn_options, Ip, IpOpts, Tcp};
use crate::writer::{Endian, PcapWriter};

/// The file name of the fixture.
pub const FILE_NAME: &str = "edge-tcp-analysis.pcap";

/// The TCP-analysis edge fixture.
pub fn all() -> Vec<Fixture> {
    vec![(FILE_NAME, capture())]
}

/// A server that keeps a connection open and streams events over it.
const EVENTS: [u8; 4] = [198, 51, 100, 23];

const CLIENT: usize = 0;
const SERVER: usize = 1;

/// A segment's header fields, sequence and acknowledgment numbers relative to each side's ISN
/// (the SYN is at 0, the first data byte at 1).
#[derive(Debug, Clone, Default)]
struct Seg {
    seq: u32,
    ack: Option<u32>,
    len: u32,
    win: u16,
    syn: bool,
    fin: bool,
    rst: bool,
    psh: bool,
    /// SACK blocks, relative to the peer's ISN.
    sack: Vec<(u32, u32)>,
}

fn seg(seq: u32, ack: u32, win: u16) -> Seg {
    Seg { seq, ack: Some(ack), win, ..Default::default() }
}

impl Seg {
    fn len(self, len: u32) -> Self {
        Seg { len, ..self }
    }
    fn psh(self) -> Self {
        Seg { psh: true, ..self }
    }
    fn fin(self) -> Self {
        Seg { fin: true, ..self }
    }
    fn rst(self) -> Self {
        Seg { rst: true, ..self }
    }
    fn sack(self, blocks: &[(u32, u32)]) -> Self {
        Seg { sack: blocks.to_vec(), ..self }
    }
}

/// The options a host puts in its SYN.
#[derive(Debug, Clone, Copy)]
enum Stack {
    /// MSS, SACK permitted, timestamps, window scale: and timestamps on every segment.
    Linux { wscale: u8 },
    /// MSS, window scale, SACK permitted, no timestamps.
    Windows { wscale: u8 },
}

/// One TCP connection between the client (side 0) and a server (side 1), its frames with their
/// capture times in microseconds after [`T0`].
struct Conn {
    ip: [[u8; 4]; 2],
    port: [u16; 2],
    isn: [u32; 2],
    stack: [Stack; 2],
    /// Each side's TSval at [`T0`] (a 1 kHz clock).
    ts_base: [u32; 2],
    /// The last TSval each side sent.
    last_tsval: [u32; 2],
    ip_id: [u16; 2],
    /// The bytes each side sends, from relative sequence number 1.
    content: [Vec<u8>; 2],
    frames: Vec<(u64, Vec<u8>)>,
}

impl Conn {
    fn new(server: [u8; 4], port: [u16; 2], isn: [u32; 2], stack: [Stack; 2], content: [Vec<u8>; 2]) -> Self {
        Conn {
            ip: [V4_A, server],
            port,
            isn,
            stack,
            ts_base: [isn[0] >> 7, isn[1] >> 9],
            last_tsval: [0, 0],
            ip_id: [(isn[0] >> 16) as u16, (isn[1] >> 16) as u16],
            content,
            frames: Vec::new(),
        }
    }

    fn timestamps(&self) -> bool {
        matches!(self.stack, [Stack::Linux { .. }, Stack::Linux { .. }])
    }

    /// Sends `s` from side `from` at `at_us` microseconds after [`T0`].
    fn send(&mut self, at_us: u64, from: usize, s: Seg) {
        let to = 1 - from;
        let tsval = self.ts_base[from].wrapping_add((at_us / 1000) as u32);
        let tsecr = if s.syn && s.ack.is_none() { 0 } else { self.last_tsval[to] };
        self.last_tsval[from] = tsval;
        let mut options = Vec::new();
        if s.syn {
            options = match self.stack[from] {
                Stack::Linux { wscale } => syn_options(1460, Some(wscale), tsval, tsecr),
                Stack::Windows { wscale } => vec![
                    Opt::MaximumSegmentSize(1460),
                    Opt::Noop,
                    Opt::WindowScale(wscale),
                    Opt::Noop,
                    Opt::Noop,
                    Opt::SelectiveAcknowledgementPermitted,
                ],
            };
        } else if self.timestamps() {
            options.extend([Opt::Noop, Opt::Noop, Opt::Timestamp(tsval, tsecr)]);
        }
        if !s.sack.is_empty() {
            let abs = |(l, r): (u32, u32)| (self.isn[to].wrapping_add(l), self.isn[to].wrapping_add(r));
            let mut more = [None; 3];
            for (slot, block) in more.iter_mut().zip(&s.sack[1..]) {
                *slot = Some(abs(*block));
            }
            options.extend([Opt::Noop, Opt::Noop, Opt::SelectiveAcknowledgement(abs(s.sack[0]), more)]);
        }
        let payload = match s.len {
            0 => &[][..],
            len => &self.content[from][(s.seq - 1) as usize..(s.seq - 1 + len) as usize],
        };
        let header = Tcp {
            sport: self.port[from],
            dport: self.port[to],
            seq: self.isn[from].wrapping_add(s.seq),
            ack: s.ack.map(|a| self.isn[to].wrapping_add(a)),
            syn: s.syn,
            fin: s.fin,
            rst: s.rst,
            psh: s.psh,
            window: s.win,
            options,
        };
        let (src, dst) = (Ip::V4(self.ip[from]), Ip::V4(self.ip[to]));
        let transport = packet::tcp(src, dst, &header, payload);
        self.ip_id[from] = self.ip_id[from].wrapping_add(1);
        let ip = packet::ip(src, dst, proto::TCP, IpOpts { id: self.ip_id[from], ..Default::default() }, &transport);
        self.frames.push((at_us, eth_ip(from == CLIENT, &ip)));
    }

    fn syn(&mut self, at_us: u64, win: u16) {
        self.send(at_us, CLIENT, Seg { syn: true, win, ..Default::default() });
    }

    fn syn_ack(&mut self, at_us: u64, win: u16) {
        self.send(at_us, SERVER, Seg { syn: true, ack: Some(1), win, ..Default::default() });
    }
}

/// A `Content-Length` response of exactly `total` bytes, headers included, its body `fill`ed.
fn http_response(status: &str, content_type: &str, total: usize, fill: impl Fn(usize) -> u8) -> Vec<u8> {
    let head = |n: usize| {
        format!("HTTP/1.1 {status}\r\nServer: nginx\r\nContent-Type: {content_type}\r\nContent-Length: {n}\r\n\r\n")
    };
    let mut body_len = total - head(0).len();
    while head(body_len).len() + body_len != total {
        body_len = total - head(body_len).len();
    }
    let mut out = head(body_len).into_bytes();
    out.extend((0..body_len).map(fill));
    out
}

/// Binary-looking bytes, the same for the same offset.
fn noise(i: usize) -> u8 {
    let x = (i as u32).wrapping_mul(2_654_435_761);
    (x >> 13) as u8 ^ (x >> 24) as u8
}

/// A download with losses in front of the client: SYN retransmission, a lost segment and a fast
/// retransmission after six duplicate ACKs with SACK blocks, a reordered segment, a segment the
/// capture missed, a spurious retransmission, and a FIN close. Its iRTT is 24 ms.
fn download(base: u64) -> Conn {
    const MSS: u32 = 1448;
    let request = b"GET /downloads/firmware-2.4.1.bin HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";
    let total = 14 * MSS as usize + 600;
    let response = http_response("200 OK", "application/octet-stream", total, noise);
    let mut c = Conn::new(
        V4_B,
        [40100, 80],
        [0x5c3a_91e2, 0xa0b1_c2d3],
        [Stack::Linux { wscale: 7 }, Stack::Linux { wscale: 7 }],
        [request.to_vec(), response],
    );
    let q = 1 + request.len() as u32;
    let s = |k: u32| 1 + (k - 1) * MSS;
    let at = |us: u64| base + us;
    c.syn(at(0), 64240);
    c.syn(at(1_000_000), 64240);
    c.syn_ack(at(1_024_180), 65160);
    c.send(at(1_024_260), CLIENT, seg(1, 1, 502));
    c.send(at(1_024_420), CLIENT, seg(1, 1, 502).len(q - 1).psh());
    let data = |k: u32| seg(s(k), q, 509).len(if k == 15 { 600 } else { MSS });
    c.send(at(1_049_100), SERVER, data(1));
    c.send(at(1_050_310), SERVER, data(2));
    c.send(at(1_050_360), CLIENT, seg(q, s(3), 502));
    // Segment 3 is lost; 4 to 9 each get a duplicate ACK with a growing SACK block.
    for k in 4..=9u32 {
        let t = 1_052_730 + u64::from(k - 4) * 1_210;
        c.send(at(t), SERVER, data(k));
        c.send(at(t + 50), CLIENT, seg(q, s(3), 502).sack(&[(s(4), s(k + 1))]));
    }
    // The fast retransmission, 1.07 ms after the sixth duplicate ACK.
    c.send(at(1_059_900), SERVER, data(3));
    c.send(at(1_059_950), CLIENT, seg(q, s(10), 545));
    // 11 overtakes 10 by 0.4 ms.
    c.send(at(1_061_100), SERVER, data(11));
    c.send(at(1_061_150), CLIENT, seg(q, s(10), 545).sack(&[(s(11), s(12))]));
    c.send(at(1_061_500), SERVER, data(10));
    c.send(at(1_061_550), CLIENT, seg(q, s(12), 588));
    // 12 reaches the client but not the capture.
    c.send(at(1_063_910), SERVER, data(13));
    c.send(at(1_063_960), CLIENT, seg(q, s(14), 588));
    c.send(at(1_065_120), SERVER, data(14));
    c.send(at(1_065_800), SERVER, data(15).psh());
    let end = 1 + total as u32;
    c.send(at(1_065_850), CLIENT, seg(q, end, 631));
    // That ACK is lost on its way: the server retransmits 15 on timeout, the client answers
    // with a D-SACK.
    c.send(at(1_295_800), SERVER, data(15).psh());
    c.send(at(1_295_850), CLIENT, seg(q, end, 631).sack(&[(s(15), end)]));
    c.send(at(1_400_000), CLIENT, seg(q, end, 631).fin());
    c.send(at(1_424_200), SERVER, seg(end, q + 1, 509).fin());
    c.send(at(1_424_260), CLIENT, seg(q + 1, end + 1, 631));
    c
}

/// A connection the capture joins mid-stream: a server pushing events. One hole is filled 2 ms
/// later, another 5 ms later; then keep-alives from both sides.
fn mid_stream(base: u64) -> Conn {
    const MSS: u32 = 1448;
    let events: Vec<u8> = (0..)
        .map(|i| format!("event: tick\ndata: {{\"seq\":{i},\"temp\":{}.{}}}\n\n", 18 + i % 7, (i * 37) % 10))
        .flat_map(String::into_bytes)
        .take(6 * MSS as usize + 300)
        .collect();
    let mut c = Conn::new(
        EVENTS,
        [39822, 80],
        [0x1f00_3a7c, 0x77e1_0942],
        [Stack::Linux { wscale: 7 }, Stack::Linux { wscale: 9 }],
        [Vec::new(), events],
    );
    let m = |k: u32| 1 + (k - 1) * MSS;
    let at = |us: u64| base + us;
    let data = |k: u32| seg(m(k), 1, 1452).len(if k == 7 { 300 } else { MSS });
    c.send(at(0), SERVER, data(1));
    c.send(at(300), SERVER, data(2));
    c.send(at(350), CLIENT, seg(1, m(3), 1877));
    c.send(at(900), SERVER, data(4));
    c.send(at(950), CLIENT, seg(1, m(3), 1877).sack(&[(m(4), m(5))]));
    c.send(at(2_900), SERVER, data(3));
    c.send(at(2_950), CLIENT, seg(1, m(5), 1877));
    c.send(at(10_000), SERVER, data(6));
    c.send(at(10_050), CLIENT, seg(1, m(5), 1877).sack(&[(m(6), m(7))]));
    c.send(at(15_000), SERVER, data(5));
    c.send(at(15_050), CLIENT, seg(1, m(7), 1877));
    c.send(at(15_400), SERVER, data(7).psh());
    let end = m(7) + 300;
    c.send(at(55_400), CLIENT, seg(1, end, 1877));
    // Idle: a keep-alive from the client (no data, one byte before its next sequence number),
    // one from the server (repeating its last byte), each ACKed.
    c.send(at(45_000_000), CLIENT, seg(0, end, 1877));
    c.send(at(45_024_100), SERVER, seg(end, 1, 1452));
    c.send(at(90_000_000), SERVER, seg(end - 1, 1, 1452).len(1));
    c.send(at(90_000_080), CLIENT, seg(1, end, 1877).sack(&[(end - 1, end)]));
    c
}

/// An upload whose last two segments are lost after the capture point: a retransmission on
/// timeout, then one that resends the rest and carries new data, and a retransmitted FIN.
/// Its iRTT is 30 ms.
fn upload(base: u64) -> Conn {
    const MSS: u32 = 1448;
    let total = 5 * MSS as usize + 800 + 648 + MSS as usize + 300;
    let head = "POST /api/v1/upload HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/7.88.1\r\nContent-Type: application/octet-stream\r\n";
    let head = |n: usize| format!("{head}Content-Length: {n}\r\n\r\n");
    let body_len = total - head(total).len();
    let mut request = head(body_len).into_bytes();
    request.extend((0..body_len).map(|i| noise(i + 7919)));
    assert_eq!(request.len(), total);
    let response =
        b"HTTP/1.1 201 Created\r\nServer: nginx\r\nLocation: /api/v1/upload/7f3a\r\nContent-Length: 0\r\n\r\n";
    let mut c = Conn::new(
        V4_B,
        [40102, 80],
        [0x0b0e_5c21, 0xd4c3_b2a1],
        [Stack::Linux { wscale: 7 }, Stack::Linux { wscale: 7 }],
        [request, response.to_vec()],
    );
    let s = |k: u32| 1 + (k - 1) * MSS;
    let at = |us: u64| base + us;
    c.syn(at(0), 64240);
    c.syn_ack(at(30_150), 65160);
    c.send(at(30_230), CLIENT, seg(1, 1, 502));
    for k in 1..=5u32 {
        c.send(at(30_400 + u64::from(k - 1) * 120), CLIENT, seg(s(k), 1, 502).len(MSS));
    }
    let c6 = s(6);
    c.send(at(31_000), CLIENT, seg(c6, 1, 502).len(800).psh());
    c.send(at(60_520), SERVER, seg(1, s(3), 509));
    c.send(at(60_760), SERVER, seg(1, s(5), 509));
    // 5 and 6 never arrived: the retransmission timer fires.
    c.send(at(263_000), CLIENT, seg(s(5), 1, 502).len(MSS));
    c.send(at(293_150), SERVER, seg(1, c6, 509));
    // The rest of 6 again, with 648 new bytes. tshark 4.0 then calls the server's next ACK one of
    // an unseen segment: a retransmission that runs past the highest sequence number seen does not
    // move its "highest contiguous sequence number" (only a segment starting right there does).
    c.send(at(293_300), CLIENT, seg(c6, 1, 502).len(MSS).psh());
    c.send(at(293_420), CLIENT, seg(c6 + MSS, 1, 502).len(MSS));
    c.send(at(293_540), CLIENT, seg(c6 + 2 * MSS, 1, 502).len(300).psh());
    let end = 1 + total as u32;
    c.send(at(323_450), SERVER, seg(1, c6 + MSS, 509));
    let r = response.len() as u32;
    c.send(at(325_100), SERVER, seg(1, end, 509).len(r).psh());
    c.send(at(365_180), CLIENT, seg(end, 1 + r, 502));
    // The client closes; the server's answer to the first FIN is lost.
    c.send(at(400_000), CLIENT, seg(end, 1 + r, 502).fin());
    c.send(at(630_000), CLIENT, seg(end, 1 + r, 502).fin());
    c.send(at(660_150), SERVER, seg(1 + r, end + 1, 509).fin());
    c.send(at(660_220), CLIENT, seg(end + 1, 2 + r, 502));
    c
}

/// A download without timestamps into an 8 kB receive buffer the application stops reading:
/// the window fills, closes, is probed twice and reopens; the client resets the connection.
/// Its iRTT is 20 ms.
fn zero_window(base: u64) -> Conn {
    const MSS: u32 = 1460;
    let request = b"GET /camera/clip-0417.h264 HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive\r\n\r\n";
    let total = 8192 + 3 * MSS as usize + 731;
    let response = http_response("200 OK", "application/octet-stream", total, |i| noise(i + 104_729));
    let mut c = Conn::new(
        V4_B,
        [40104, 80],
        [0x3e8f_0d11, 0x9a2b_4c6d],
        [Stack::Windows { wscale: 2 }, Stack::Windows { wscale: 7 }],
        [request.to_vec(), response],
    );
    let q = 1 + request.len() as u32;
    let d = |k: u32| 1 + (k - 1) * MSS;
    let at = |us: u64| base + us;
    c.syn(at(0), 8192);
    c.syn_ack(at(20_100), 65535);
    c.send(at(20_180), CLIENT, seg(1, 1, 2048));
    c.send(at(20_300), CLIENT, seg(1, 1, 2048).len(q - 1).psh());
    let data = |k: u32, len: u32| seg(d(k), q, 502).len(len);
    // The application reads nothing: the window's right edge stays at 8193.
    c.send(at(40_500), SERVER, data(1, MSS));
    c.send(at(41_700), SERVER, data(2, MSS));
    c.send(at(41_750), CLIENT, seg(q, d(3), (8193 - d(3)) as u16 / 4));
    c.send(at(42_900), SERVER, data(3, MSS));
    c.send(at(44_100), SERVER, data(4, MSS));
    c.send(at(44_150), CLIENT, seg(q, d(5), (8193 - d(5)) as u16 / 4));
    c.send(at(45_300), SERVER, data(5, MSS));
    c.send(at(45_950), SERVER, data(6, 8193 - d(6)));
    c.send(at(46_000), CLIENT, seg(q, 8193, 0));
    c.send(at(300_000), SERVER, seg(8193, q, 502).len(1));
    c.send(at(320_100), CLIENT, seg(q, 8193, 0));
    c.send(at(900_000), SERVER, seg(8193, q, 502).len(1));
    c.send(at(920_100), CLIENT, seg(q, 8193, 0));
    // The application reads everything: a window update.
    c.send(at(1_150_000), CLIENT, seg(q, 8193, 2048));
    let rest = |k: u32, len: u32| seg(8193 + (k - 7) * MSS, q, 502).len(len);
    c.send(at(1_170_200), SERVER, rest(7, MSS));
    c.send(at(1_171_400), SERVER, rest(8, MSS));
    c.send(at(1_171_450), CLIENT, seg(q, 8193 + 2 * MSS, 2048));
    c.send(at(1_172_600), SERVER, rest(9, MSS));
    c.send(at(1_173_300), SERVER, rest(10, 731).psh());
    let end = 1 + total as u32;
    c.send(at(1_173_350), CLIENT, seg(q, end, 2048));
    c.send(at(1_500_000), CLIENT, seg(q, end, 0).rst());
    c
}

/// The zero-window download's client port again, a new ISN, a short exchange and a FIN close.
fn reused_port(base: u64) -> Conn {
    let request = b"GET /camera/status HTTP/1.1\r\nHost: example.com\r\n\r\n";
    let response = b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    let mut c = Conn::new(
        V4_B,
        [40104, 80],
        [0x4a11_7e03, 0x1357_9bdf],
        [Stack::Windows { wscale: 2 }, Stack::Windows { wscale: 7 }],
        [request.to_vec(), response.to_vec()],
    );
    let (q, r) = (1 + request.len() as u32, 1 + response.len() as u32);
    let at = |us: u64| base + us;
    c.syn(at(0), 8192);
    c.syn_ack(at(20_050), 65535);
    c.send(at(20_130), CLIENT, seg(1, 1, 2048));
    c.send(at(20_250), CLIENT, seg(1, 1, 2048).len(q - 1).psh());
    c.send(at(40_400), SERVER, seg(1, q, 502).len(r - 1).psh());
    c.send(at(40_450), SERVER, seg(r, q, 502).fin());
    c.send(at(40_520), CLIENT, seg(q, r + 1, 2048));
    c.send(at(40_600), CLIENT, seg(q, r + 1, 2048).fin());
    c.send(at(60_700), SERVER, seg(r + 1, q + 1, 502));
    c
}

/// The capture: every connection's frames, in time order.
pub fn capture() -> Vec<u8> {
    let mut frames: Vec<(u64, Vec<u8>)> =
        [download(0), mid_stream(200_000), upload(3_000_000), zero_window(6_000_000), reused_port(8_000_000)]
            .into_iter()
            .flat_map(|c| c.frames)
            .collect();
    frames.sort_by_key(|(t, _)| *t);
    let mut w = PcapWriter::new(1, 65535, Endian::Little, false);
    for (t, frame) in &frames {
        w.packet(T0 + t * 1000, frame);
    }
    w.finish()
}
