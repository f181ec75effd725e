//! `edge-app-reassembly.pcap`: application messages that tshark's dissectors (HTTP/1.x, DNS, TLS,
//! FTP, SMTP, DHCP) only see whole after TCP reassembly, captured on a client in 192.0.2.0/24.
//!
//! The conversations, in the order their first frame appears (each with its own ports, a
//! handshake and a FIN close unless said otherwise):
//!
//! 1. DHCP: DISCOVER, OFFER, REQUEST, ACK (hostname, vendor class, requested IP, server id,
//!    domain name);
//! 2. DNS over UDP: A (through a CNAME), ANY (A, AAAA, MX, TXT) and PTR lookups;
//! 3. DNS over TCP: one query and response in single segments, one response split in two;
//! 4. HTTP: a GET whose headers come in three segments, answered by a `Content-Length` response
//!    in three segments (the first cut inside the `Content-Length` value);
//! 5. HTTP keep-alive: a chunked response (chunk extensions, a trailer) in two segments, then a
//!    gzip and a deflate response;
//! 6. HTTP pipelining: two GETs in one segment, both responses in one segment;
//! 7. HTTP/1.0: a response with neither length nor chunks, ended by the server's FIN;
//! 8. HTTP: a response body whose third segment overtakes the second, which is then also
//!    retransmitted as an exact copy; then a response whose middle segment the capture missed,
//!    followed by a response starting exactly where the lost one's `Content-Length` ends;
//! 9. HTTP: a form POST with `Authorization: Basic`, a cookie, a referer and `X-Forwarded-For`,
//!    answered by a 302 with `Set-Cookie` and `Location`;
//! 10. HTTP on port 8000 (found by tshark's heuristic: the payload starts with a request line)
//!     and on port 8080;
//! 11. TLS 1.2: a ClientHello (SNI, ALPN, supported_versions, GREASE) in two segments, a
//!     ServerHello, Certificate and ServerHelloDone spanning two segments, ChangeCipherSpec,
//!     Finished, application data (two records in one segment);
//! 12. FTP control (login, PWD, QUIT) and SMTP (EHLO with a multi-line reply, one message);
//! 13. what the end of the capture cuts: an HTTP/1.0 response without length and without FIN,
//!     and a response whose headers never complete.

use etherparse::TcpOptionElement as Opt;

use crate::deflate::{gzip, zlib};
use crate::edge::{eth_ip, Fixture, MAC_A, MAC_B, T0};
use crate::packet::{self, ethernet, proto, Fill, Ip, IpOpts, Tcp};
use crate::writer::{Endian, PcapWriter};

/// The file name of the fixture.
pub const FILE_NAME: &str = "edge-app-reassembly.pcap";

/// The application-reassembly edge fixture.
pub fn all() -> Vec<Fixture> {
    vec![(FILE_NAME, capture())]
}

const CLIENT_IP: [u8; 4] = [192, 0, 2, 10];
const GATEWAY: [u8; 4] = [192, 0, 2, 1];
const RESOLVER: [u8; 4] = [198, 51, 100, 53];
const WEB: [u8; 4] = [203, 0, 113, 80];
const API: [u8; 4] = [203, 0, 113, 81];
const FTP: [u8; 4] = [198, 51, 100, 21];
const MAIL: [u8; 4] = [198, 51, 100, 25];

const CLIENT: usize = 0;
const SERVER: usize = 1;

/// Microseconds between one frame and the next.
const STEP_US: u64 = 2_000;

/// The frames written so far, with their times in microseconds after [`T0`].
struct Capture {
    now: u64,
    frames: Vec<(u64, Vec<u8>)>,
}

impl Capture {
    fn push(&mut self, frame: Vec<u8>) {
        self.frames.push((self.now, frame));
        self.now += STEP_US;
    }

    /// A quiet gap before the next conversation.
    fn pause(&mut self) {
        self.now += 5 * STEP_US;
    }
}

/// One TCP connection between the client (side 0) and a server (side 1). Sequence and
/// acknowledgment numbers are relative to each side's ISN (the SYN at 0, the first byte at 1).
struct Conn {
    ip: [[u8; 4]; 2],
    port: [u16; 2],
    isn: [u32; 2],
    /// The next sequence number each side sends.
    next: [u32; 2],
    ip_id: [u16; 2],
    /// How much longer than [`STEP_US`] the SYN-ACK takes to arrive (a far server).
    far_us: u64,
}

impl Conn {
    fn new(server: [u8; 4], client_port: u16, server_port: u16) -> Self {
        let k = u32::from(client_port);
        let isn = [k.wrapping_mul(0x9e37_79b9) ^ 0x1f2e_3d4c, k.wrapping_mul(0x85eb_ca6b) ^ 0x7a6b_5c4d];
        Conn {
            ip: [CLIENT_IP, server],
            port: [client_port, server_port],
            isn,
            next: [0, 0],
            ip_id: [(isn[0] >> 16) as u16, (isn[1] >> 16) as u16],
            far_us: 0,
        }
    }

    /// A segment from `from` at relative `seq` acknowledging `ack` (relative to the peer's ISN).
    fn segment(&mut self, cap: &mut Capture, from: usize, seq: u32, ack: Option<u32>, payload: &[u8], flags: &str) {
        let to = 1 - from;
        let syn = flags.contains('S');
        let options = if syn {
            vec![Opt::MaximumSegmentSize(1460), Opt::Noop, Opt::Noop, Opt::SelectiveAcknowledgementPermitted]
        } else {
            Vec::new()
        };
        let header = Tcp {
            sport: self.port[from],
            dport: self.port[to],
            seq: self.isn[from].wrapping_add(seq),
            ack: ack.map(|a| self.isn[to].wrapping_add(a)),
            syn,
            fin: flags.contains('F'),
            rst: false,
            psh: !payload.is_empty(),
            window: if from == CLIENT { 64240 } else { 65535 },
            options,
        };
        let (src, dst) = (Ip::V4(self.ip[from]), Ip::V4(self.ip[to]));
        let transport = packet::tcp(src, dst, &header, payload);
        self.ip_id[from] = self.ip_id[from].wrapping_add(1);
        let ip = packet::ip(src, dst, proto::TCP, IpOpts { id: self.ip_id[from], ..Default::default() }, &transport);
        cap.push(eth_ip(from == CLIENT, &ip));
    }

    /// SYN, SYN-ACK, ACK.
    fn open(&mut self, cap: &mut Capture) {
        self.segment(cap, CLIENT, 0, None, &[], "S");
        cap.now += self.far_us;
        self.segment(cap, SERVER, 0, Some(1), &[], "S");
        self.next = [1, 1];
        self.segment(cap, CLIENT, 1, Some(1), &[], "");
    }

    /// `payload` from `from` at its next sequence number.
    fn send(&mut self, cap: &mut Capture, from: usize, payload: &[u8]) {
        let (seq, ack) = (self.next[from], self.next[1 - from]);
        self.segment(cap, from, seq, Some(ack), payload, "");
        self.next[from] += payload.len() as u32;
    }

    /// `payload` from `from` in segments cut at these offsets.
    fn send_cut(&mut self, cap: &mut Capture, from: usize, payload: &[u8], cuts: &[usize]) {
        let mut start = 0;
        for &end in cuts.iter().chain([payload.len()].iter()) {
            self.send(cap, from, &payload[start..end]);
            start = end;
        }
    }

    /// `payload` from `from` at `offset` bytes past its next sequence number, which stays put.
    fn send_ahead(&mut self, cap: &mut Capture, from: usize, offset: usize, payload: &[u8]) {
        let (seq, ack) = (self.next[from] + offset as u32, self.next[1 - from]);
        self.segment(cap, from, seq, Some(ack), payload, "");
    }

    /// A bare ACK from `from` of everything the peer sent.
    fn ack(&mut self, cap: &mut Capture, from: usize) {
        self.send(cap, from, &[]);
    }

    /// A FIN from `from`.
    fn fin(&mut self, cap: &mut Capture, from: usize) {
        let (seq, ack) = (self.next[from], self.next[1 - from]);
        self.segment(cap, from, seq, Some(ack), &[], "F");
        self.next[from] += 1;
    }

    /// The client's FIN, the server's FIN, the client's last ACK.
    fn close(&mut self, cap: &mut Capture) {
        self.fin(cap, CLIENT);
        self.fin(cap, SERVER);
        self.ack(cap, CLIENT);
    }
}

/// Binary-looking bytes, the same for the same seed and offset.
pub(crate) fn noise(seed: u32, len: usize) -> Vec<u8> {
    (0..len as u32)
        .map(|i| {
            let x = (i ^ seed.rotate_left(16)).wrapping_add(seed).wrapping_mul(2_654_435_761);
            (x >> 13) as u8 ^ (x >> 24) as u8
        })
        .collect()
}

/// Standard base64, with padding.
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// An HTTP/1.1 response: status line, these headers, `Content-Length`, the body.
fn http_response(status: &str, headers: &[&str], body: &[u8]) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {status}\r\nDate: Tue, 14 Nov 2023 22:13:20 GMT\r\nServer: nginx/1.24.0\r\n");
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A GET for `path` on `host` with a few browser headers.
fn http_get(path: &str, host: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: curl/8.4.0\r\nAccept: */*\r\n\r\n").into_bytes()
}

// ----- DHCP -----------------------------------------------------------------------------------

/// A BOOTP/DHCP message from the client (op 1) or the server (op 2), padded to 300 bytes.
fn dhcp(op: u8, yiaddr: [u8; 4], options: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut m = vec![op, 1, 6, 0];
    m.extend_from_slice(&0x3903_f326u32.to_be_bytes());
    m.extend_from_slice(&[0, 0, 0x80, 0]); // secs, broadcast flag
    m.extend_from_slice(&[0; 4]); // ciaddr
    m.extend_from_slice(&yiaddr);
    m.extend_from_slice(&[0; 8]); // siaddr, giaddr
    m.extend_from_slice(&MAC_A);
    m.extend_from_slice(&[0; 10 + 64 + 128]);
    m.extend_from_slice(&[0x63, 0x82, 0x53, 0x63]);
    for (code, value) in options {
        m.push(*code);
        m.push(value.len() as u8);
        m.extend_from_slice(value);
    }
    m.push(255);
    m.resize(m.len().max(300), 0);
    m
}

fn dhcp_exchange(cap: &mut Capture) {
    let client_id = [&[1u8][..], &MAC_A].concat();
    let prl = vec![1, 3, 6, 15, 51, 54];
    let hostname = b"laptop-7".to_vec();
    let vendor = b"MSFT 5.0".to_vec();
    let discover = dhcp(
        1,
        [0; 4],
        &[
            (53, vec![1]),
            (61, client_id.clone()),
            (50, CLIENT_IP.to_vec()),
            (12, hostname.clone()),
            (60, vendor.clone()),
            (55, prl.clone()),
        ],
    );
    let server_options = |kind: u8| {
        vec![
            (53, vec![kind]),
            (54, GATEWAY.to_vec()),
            (51, 86_400u32.to_be_bytes().to_vec()),
            (1, vec![255, 255, 255, 0]),
            (3, GATEWAY.to_vec()),
            (6, RESOLVER.to_vec()),
            (15, b"example.com".to_vec()),
        ]
    };
    let request = dhcp(
        1,
        [0; 4],
        &[
            (53, vec![3]),
            (61, client_id),
            (50, CLIENT_IP.to_vec()),
            (54, GATEWAY.to_vec()),
            (12, hostname),
            (60, vendor),
            (55, prl),
        ],
    );
    let messages = [
        (true, discover),
        (false, dhcp(2, CLIENT_IP, &server_options(2))),
        (true, request),
        (false, dhcp(2, CLIENT_IP, &server_options(5))),
    ];
    for (i, (from_client, message)) in messages.into_iter().enumerate() {
        let (src, sport, dport, mac) = if from_client { ([0; 4], 68, 67, MAC_A) } else { (GATEWAY, 67, 68, MAC_B) };
        let dst = [255; 4];
        let udp = packet::udp(Ip::V4(src), Ip::V4(dst), sport, dport, &message);
        let opts = IpOpts { id: 0x4d00 + i as u16, ttl: if from_client { 64 } else { 128 }, df: false };
        let ip = packet::ipv4(src, dst, proto::UDP, opts, &udp);
        cap.push(ethernet(mac, [0xff; 6], 0x0800, &ip, Fill::Zeros));
    }
}

// ----- DNS ------------------------------------------------------------------------------------

mod rr {
    pub const A: u16 = 1;
    pub const CNAME: u16 = 5;
    pub const PTR: u16 = 12;
    pub const MX: u16 = 15;
    pub const TXT: u16 = 16;
    pub const AAAA: u16 = 28;
    pub const ANY: u16 = 255;
}

/// A resource record: owner name, type, TTL, RDATA.
type Record<'a> = (&'a str, u16, u32, Vec<u8>);

fn dns_name(name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for label in name.split('.') {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
    out
}

/// A DNS message: a query when `answers` is `None`, else a response with these
/// `(name, type, ttl, rdata)` answers.
fn dns(id: u16, qname: &str, qtype: u16, answers: Option<&[Record<'_>]>) -> Vec<u8> {
    let flags: u16 = if answers.is_some() { 0x8180 } else { 0x0100 };
    let count = answers.map_or(0, |a| a.len() as u16);
    let mut m = Vec::new();
    for word in [id, flags, 1, count, 0, 0] {
        m.extend_from_slice(&word.to_be_bytes());
    }
    m.extend(dns_name(qname));
    m.extend_from_slice(&qtype.to_be_bytes());
    m.extend_from_slice(&1u16.to_be_bytes());
    for (name, kind, ttl, rdata) in answers.unwrap_or(&[]) {
        m.extend(dns_name(name));
        m.extend_from_slice(&kind.to_be_bytes());
        m.extend_from_slice(&1u16.to_be_bytes());
        m.extend_from_slice(&ttl.to_be_bytes());
        m.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        m.extend_from_slice(rdata);
    }
    m
}

fn dns_udp(cap: &mut Capture) {
    let mx = |pref: u16, host: &str| [&pref.to_be_bytes()[..], &dns_name(host)].concat();
    let txt = |s: &str| [&[s.len() as u8][..], s.as_bytes()].concat();
    let aaaa = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80];
    let lookups: [(u16, &str, u16, Vec<Record<'_>>); 3] = [
        (
            0x51c1,
            "www.example.com",
            rr::A,
            vec![
                ("www.example.com", rr::CNAME, 3600, dns_name("web.example.net")),
                ("web.example.net", rr::A, 300, WEB.to_vec()),
            ],
        ),
        (
            0x51c2,
            "example.com",
            rr::ANY,
            vec![
                ("example.com", rr::A, 300, WEB.to_vec()),
                ("example.com", rr::AAAA, 300, aaaa.to_vec()),
                ("example.com", rr::MX, 3600, mx(10, "mail.example.com")),
                ("example.com", rr::MX, 3600, mx(20, "mx2.example.net")),
                ("example.com", rr::TXT, 3600, txt("v=spf1 mx -all")),
            ],
        ),
        (
            0x51c3,
            "80.113.0.203.in-addr.arpa",
            rr::PTR,
            vec![("80.113.0.203.in-addr.arpa", rr::PTR, 86_400, dns_name("web.example.net"))],
        ),
    ];
    for (i, (id, qname, qtype, answers)) in lookups.iter().enumerate() {
        let sport = 53_001 + i as u16 * 7;
        let (c, s) = (Ip::V4(CLIENT_IP), Ip::V4(RESOLVER));
        let query = packet::udp(c, s, sport, 53, &dns(*id, qname, *qtype, None));
        let ip =
            packet::ipv4(CLIENT_IP, RESOLVER, proto::UDP, IpOpts { id: id ^ 0x0f0f, ..Default::default() }, &query);
        cap.push(eth_ip(true, &ip));
        let response = packet::udp(s, c, 53, sport, &dns(*id, qname, *qtype, Some(answers)));
        let ip =
            packet::ipv4(RESOLVER, CLIENT_IP, proto::UDP, IpOpts { id: id ^ 0x3c3c, ..Default::default() }, &response);
        cap.push(eth_ip(false, &ip));
    }
}

/// A DNS message with the two-byte length that precedes it over TCP.
fn dns_tcp_framed(message: Vec<u8>) -> Vec<u8> {
    [&(message.len() as u16).to_be_bytes()[..], &message].concat()
}

fn dns_tcp(cap: &mut Capture) {
    let mut c = Conn::new(RESOLVER, 49_160, 53);
    c.open(cap);
    let mail = [("mail.example.com", rr::A, 3600, vec![198, 51, 100, 25])];
    c.send(cap, CLIENT, &dns_tcp_framed(dns(0x7e01, "mail.example.com", rr::A, None)));
    c.send(cap, SERVER, &dns_tcp_framed(dns(0x7e01, "mail.example.com", rr::A, Some(&mail))));
    let cdn: Vec<Record<'_>> = (0..8).map(|i| ("cdn.example.net", rr::A, 60, vec![203, 0, 113, 100 + i])).collect();
    c.send(cap, CLIENT, &dns_tcp_framed(dns(0x7e02, "cdn.example.net", rr::A, None)));
    let response = dns_tcp_framed(dns(0x7e02, "cdn.example.net", rr::A, Some(&cdn)));
    c.send_cut(cap, SERVER, &response, &[70]);
    c.close(cap);
}

// ----- HTTP -----------------------------------------------------------------------------------

/// A GET in three segments (cut in the request line and in a header), a response in three (cut in
/// the `Content-Length` value and in the body).
fn http_split(cap: &mut Capture) {
    let mut c = Conn::new(WEB, 49_170, 80);
    c.open(cap);
    let request = b"GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0\r\nAccept: text/html,application/xhtml+xml\r\nAccept-Language: en-US,en;q=0.5\r\nConnection: keep-alive\r\n\r\n";
    c.send_cut(cap, CLIENT, request, &[12, 80]);
    c.ack(cap, SERVER);
    let body = b"<!DOCTYPE html>\n<html>\n<head><title>Example Domain</title></head>\n<body>\n<h1>Example Domain</h1>\n<p>This domain is for use in illustrative examples in documents.</p>\n<p>It arrives in two TCP segments, its headers in two more.</p>\n</body>\n</html>\n";
    let response = http_response("200 OK", &["Content-Type: text/html; charset=UTF-8"], body);
    let in_length = response.windows(16).position(|w| w == b"Content-Length: ").unwrap() + 17;
    c.send_cut(cap, SERVER, &response, &[in_length, response.len() - 100]);
    c.close(cap);
}

/// The chunked body's chunks, with their extensions.
const CHUNKS: [(&str, &str); 3] =
    [(";lang=en", "Chunked transfer coding: "), (";name=\"quoted value\"", "three chunks, "), ("", "then a trailer.")];

/// The text the gzip response carries.
const GZIP_TEXT: &str =
    "gzip: the quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog.";

/// The text the deflate response carries.
const DEFLATE_TEXT: &str = "deflate: zlib-wrapped, as RFC 9110 says deflate means.";

/// A keep-alive connection: a chunked response in two segments, a gzip one, a deflate one.
fn http_codings(cap: &mut Capture) {
    let mut c = Conn::new(WEB, 49_171, 80);
    c.open(cap);
    c.send(cap, CLIENT, &http_get("/stream.txt", "www.example.com"));
    let mut chunked = b"HTTP/1.1 200 OK\r\nDate: Tue, 14 Nov 2023 22:13:20 GMT\r\nServer: nginx/1.24.0\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n".to_vec();
    for (ext, data) in CHUNKS {
        chunked.extend(format!("{:x}{ext}\r\n{data}\r\n", data.len()).into_bytes());
    }
    chunked.extend_from_slice(b"0\r\nX-Checksum: sha256=9f86d081\r\n\r\n");
    let second_chunk = chunked.windows(5).position(|w| w == b"\r\ne;n").unwrap() + 2;
    c.send_cut(cap, SERVER, &chunked, &[second_chunk]);
    c.send(cap, CLIENT, &http_get("/fox.txt", "www.example.com"));
    let body = gzip(GZIP_TEXT.as_bytes());
    c.send(cap, SERVER, &http_response("200 OK", &["Content-Type: text/plain", "Content-Encoding: gzip"], &body));
    c.send(cap, CLIENT, &http_get("/zlib.txt", "www.example.com"));
    // A stored block ("deflate: "), then a fixed-Huffman block reaching back into it.
    let body = zlib(DEFLATE_TEXT.as_bytes(), 9);
    c.send(cap, SERVER, &http_response("200 OK", &["Content-Type: text/plain", "Content-Encoding: deflate"], &body));
    c.close(cap);
}

/// Two GETs in one segment, both responses in one segment.
fn http_pipelined(cap: &mut Capture) {
    let mut c = Conn::new(WEB, 49_172, 80);
    c.open(cap);
    let requests = [http_get("/style.css", "www.example.com"), http_get("/app.js", "www.example.com")].concat();
    c.send(cap, CLIENT, &requests);
    let responses = [
        http_response("200 OK", &["Content-Type: text/css"], b"body { margin: 0; }\n"),
        http_response("200 OK", &["Content-Type: application/javascript"], b"console.log(\"pipelined\");\n"),
    ]
    .concat();
    c.send(cap, SERVER, &responses);
    c.close(cap);
}

/// An HTTP/1.0 response with neither `Content-Length` nor chunks, in two segments.
fn http10_response(text: &str) -> Vec<u8> {
    format!("HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.11.2\r\nContent-Type: text/plain\r\n\r\n{text}")
        .into_bytes()
}

/// A response ended by the server's FIN.
fn http_until_fin(cap: &mut Capture) {
    let mut c = Conn::new(API, 49_173, 80);
    c.open(cap);
    c.send(cap, CLIENT, b"GET /legacy.txt HTTP/1.0\r\nHost: api.example.com\r\n\r\n");
    let response = http10_response("No length, no chunks:\nthis body ends where the server closes the connection.\n");
    c.send_cut(cap, SERVER, &response, &[response.len() - 40]);
    c.fin(cap, SERVER);
    c.fin(cap, CLIENT);
    c.ack(cap, SERVER);
}

/// Reordering, a retransmission and a segment the capture missed, inside response bodies.
fn http_disorder(cap: &mut Capture) {
    let mut c = Conn::new(WEB, 49_174, 80);
    // An iRTT of 22 ms: a segment 4 ms late is out of order for tshark, not retransmitted.
    c.far_us = 20_000;
    c.open(cap);
    c.send(cap, CLIENT, &http_get("/blob.bin", "www.example.com"));
    let response = http_response("200 OK", &["Content-Type: application/octet-stream"], &noise(0xb10b, 1200));
    let cut = |k: usize| (k * response.len() / 4).min(response.len());
    let part = |k: usize| &response[cut(k)..cut(k + 1)];
    // 1, then 3 before 2 (2 arrives 4 ms late: out of order), the client's ACK of 1, 2, then 2
    // again an RTT after that ACK (the server's retransmission, an exact copy), then 4.
    c.send_ahead(cap, SERVER, 0, part(0));
    c.send_ahead(cap, SERVER, cut(2), part(2));
    c.segment(cap, CLIENT, c.next[CLIENT], Some(c.next[SERVER] + cut(1) as u32), &[], "");
    c.send_ahead(cap, SERVER, cut(1), part(1));
    cap.now += 20_000;
    c.send_ahead(cap, SERVER, cut(1), part(1));
    c.send_ahead(cap, SERVER, cut(3), part(3));
    c.next[SERVER] += response.len() as u32;
    // The second response's middle segment reached the client but not the capture.
    c.send(cap, CLIENT, &http_get("/blob2.bin", "www.example.com"));
    let response = http_response("200 OK", &["Content-Type: application/octet-stream"], &noise(0xb20b, 900));
    let third = response.len() / 3;
    c.send(cap, SERVER, &response[..third]);
    c.next[SERVER] += third as u32;
    c.send(cap, SERVER, &response[2 * third..]);
    c.ack(cap, CLIENT);
    c.send(cap, CLIENT, &http_get("/after-the-gap.txt", "www.example.com"));
    c.send(cap, SERVER, &http_response("200 OK", &["Content-Type: text/plain"], b"found again\n"));
    c.close(cap);
}

/// A login POST and its 302.
fn http_login(cap: &mut Capture) {
    let mut c = Conn::new(WEB, 49_175, 80);
    c.open(cap);
    let body = "user=alice&remember=1";
    let request = format!(
        "POST /login HTTP/1.1\r\nHost: www.example.com\r\nAuthorization: Basic {}\r\nCookie: session=3f2a9c; theme=dark\r\nReferer: http://www.example.com/login\r\nX-Forwarded-For: 198.51.100.77\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        base64(b"alice:open:sesame"),
        body.len()
    );
    c.send(cap, CLIENT, request.as_bytes());
    let response = http_response(
        "302 Found",
        &["Location: http://www.example.com/dashboard", "Set-Cookie: session=7b1e04; Path=/; HttpOnly"],
        b"",
    );
    c.send(cap, SERVER, &response);
    c.close(cap);
}

/// One request and response on a port tshark does not give HTTP.
fn http_other_port(cap: &mut Capture, client_port: u16, server_port: u16, path: &str) {
    let mut c = Conn::new(API, client_port, server_port);
    c.open(cap);
    c.send(cap, CLIENT, &http_get(path, &format!("api.example.com:{server_port}")));
    let body = format!("{{\"port\":{server_port}}}");
    c.send(cap, SERVER, &http_response("200 OK", &["Content-Type: application/json"], body.as_bytes()));
    c.close(cap);
}

// ----- TLS ------------------------------------------------------------------------------------

pub(crate) fn len8(v: &[u8]) -> Vec<u8> {
    [&[v.len() as u8][..], v].concat()
}

pub(crate) fn len16(v: &[u8]) -> Vec<u8> {
    [&(v.len() as u16).to_be_bytes()[..], v].concat()
}

pub(crate) fn len24(v: &[u8]) -> Vec<u8> {
    [&(v.len() as u32).to_be_bytes()[1..], v].concat()
}

pub(crate) fn ext(kind: u16, data: &[u8]) -> Vec<u8> {
    [&kind.to_be_bytes()[..], &len16(data)].concat()
}

pub(crate) fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
    [&[kind][..], &len24(body)].concat()
}

fn record(content_type: u8, version: u16, body: &[u8]) -> Vec<u8> {
    [&[content_type][..], &version.to_be_bytes(), &len16(body)].concat()
}

pub(crate) fn words(ws: &[u16]) -> Vec<u8> {
    ws.iter().flat_map(|w| w.to_be_bytes()).collect()
}

fn client_hello() -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend(noise(0xc1e7, 32));
    body.extend(len8(&noise(0x5e55, 32)));
    let suites = [
        0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d,
        0x002f, 0x0035,
    ];
    body.extend(len16(&words(&suites)));
    body.extend([1, 0]);
    let sni = len16(&[&[0u8][..], &len16(b"www.example.com")].concat());
    let alpn = len16(&[len8(b"h2"), len8(b"http/1.1")].concat());
    let x25519 = [&words(&[0x001d])[..], &len16(&noise(0x25519, 32))].concat();
    let key_share = len16(&[&words(&[0x2a2a, 1])[..], &[0], &x25519].concat());
    let extensions = [
        ext(0x0a0a, &[]),
        ext(0x0000, &sni),
        ext(0x0017, &[]),
        ext(0xff01, &[0]),
        ext(0x000a, &len16(&words(&[0x2a2a, 0x001d, 0x0017, 0x0018]))),
        ext(0x000b, &len8(&[0])),
        ext(0x0023, &[]),
        ext(0x0010, &alpn),
        ext(0x0005, &[1, 0, 0, 0, 0]),
        ext(0x000d, &len16(&words(&[0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]))),
        ext(0x0033, &key_share),
        ext(0x002d, &len8(&[1])),
        ext(0x002b, &len8(&words(&[0x3a3a, 0x0304, 0x0303]))),
        ext(0x4a4a, &[0]),
    ]
    .concat();
    body.extend(len16(&extensions));
    record(22, 0x0301, &handshake(1, &body))
}

/// DER: a tag and its content.
fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let n = content.len();
    let mut out = vec![tag];
    match n {
        0..=127 => out.push(n as u8),
        128..=255 => out.extend([0x81, n as u8]),
        _ => out.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(content);
    out
}

const OID_SHA256_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_C: &[u8] = &[0x55, 0x04, 0x06];
const OID_O: &[u8] = &[0x55, 0x04, 0x0a];
const OID_CN: &[u8] = &[0x55, 0x04, 0x03];
const OID_SAN: &[u8] = &[0x55, 0x1d, 0x11];

/// An X.509 name of (attribute OID, string tag, value) attributes.
fn x509_name(attributes: &[(&[u8], u8, &str)]) -> Vec<u8> {
    let rdns: Vec<u8> = attributes
        .iter()
        .flat_map(|(oid, tag, value)| der(0x31, &der(0x30, &[der(0x06, oid), der(*tag, value.as_bytes())].concat())))
        .collect();
    der(0x30, &rdns)
}

/// A plausible certificate for www.example.com (RSA 2048, signed by a made-up CA: the key and
/// signature are noise, which no dissector checks).
fn certificate() -> Vec<u8> {
    let sig_alg = der(0x30, &[der(0x06, OID_SHA256_RSA), der(0x05, &[])].concat());
    let mut modulus = vec![0];
    modulus.extend(noise(0x2048, 256));
    modulus[1] |= 0x80;
    modulus[256] |= 1;
    let rsa_key = der(0x30, &[der(0x02, &modulus), der(0x02, &[1, 0, 1])].concat());
    let spki = der(
        0x30,
        &[der(0x30, &[der(0x06, OID_RSA), der(0x05, &[])].concat()), der(0x03, &[&[0][..], &rsa_key].concat())]
            .concat(),
    );
    let san = der(0x30, &[der(0x82, b"www.example.com"), der(0x82, b"example.com")].concat());
    let extensions = der(0xa3, &der(0x30, &der(0x30, &[der(0x06, OID_SAN), der(0x04, &san)].concat())));
    let tbs = der(
        0x30,
        &[
            der(0xa0, &der(0x02, &[2])),
            der(0x02, &[0x0c, 0x9a, 0x3f, 0x51, 0x7e, 0x22, 0x48, 0xd0]),
            sig_alg.clone(),
            x509_name(&[(OID_C, 0x13, "US"), (OID_O, 0x0c, "Example Test CA"), (OID_CN, 0x0c, "Example Test CA R1")]),
            der(0x30, &[der(0x17, b"231101000000Z"), der(0x17, b"241101000000Z")].concat()),
            x509_name(&[(OID_CN, 0x0c, "www.example.com")]),
            spki,
            extensions,
        ]
        .concat(),
    );
    let mut signature = vec![0];
    signature.extend(noise(0x5161, 256));
    der(0x30, &[tbs, sig_alg, der(0x03, &signature)].concat())
}

fn server_hello_flight() -> Vec<u8> {
    let mut hello = vec![3, 3];
    hello.extend(noise(0x5e7e, 32));
    hello.extend(len8(&noise(0x51d2, 32)));
    hello.extend([0x00, 0x9c, 0]);
    let extensions = [ext(0xff01, &[0]), ext(0x0017, &[]), ext(0x0010, &len16(&len8(b"http/1.1")))].concat();
    hello.extend(len16(&extensions));
    let certificates = len24(&len24(&certificate()));
    [
        record(22, 0x0303, &handshake(2, &hello)),
        record(22, 0x0303, &handshake(11, &certificates)),
        record(22, 0x0303, &handshake(14, &[])),
    ]
    .concat()
}

fn tls(cap: &mut Capture) {
    let mut c = Conn::new(WEB, 49_180, 443);
    c.open(cap);
    c.send_cut(cap, CLIENT, &client_hello(), &[100]);
    c.ack(cap, SERVER);
    let flight = server_hello_flight();
    c.send_cut(cap, SERVER, &flight, &[600]);
    let key_exchange = handshake(16, &len16(&noise(0x9e75, 256)));
    let client_flight =
        [record(22, 0x0303, &key_exchange), record(20, 0x0303, &[1]), record(22, 0x0303, &noise(0xf1, 40))].concat();
    c.send(cap, CLIENT, &client_flight);
    c.send(cap, SERVER, &[record(20, 0x0303, &[1]), record(22, 0x0303, &noise(0xf2, 40))].concat());
    c.send(cap, CLIENT, &record(23, 0x0303, &noise(0xa1, 120)));
    c.send(cap, SERVER, &[record(23, 0x0303, &noise(0xa2, 300)), record(23, 0x0303, &noise(0xa3, 80))].concat());
    c.close(cap);
}

// ----- FTP and SMTP ---------------------------------------------------------------------------

/// A dialogue that starts with the server's greeting, the two sides taking turns.
fn dialogue(cap: &mut Capture, c: &mut Conn, lines: &[&str]) {
    for (i, line) in lines.iter().enumerate() {
        c.send(cap, if i % 2 == 0 { SERVER } else { CLIENT }, line.as_bytes());
    }
}

fn ftp(cap: &mut Capture) {
    let mut c = Conn::new(FTP, 49_190, 21);
    c.open(cap);
    let lines = [
        "220 ProFTPD Server (ftp.example.com) [198.51.100.21]\r\n",
        "USER anonymous\r\n",
        "331 Anonymous login ok, send your complete email address as your password\r\n",
        "PASS guest@example.org\r\n",
        "230 Anonymous access granted, restrictions apply\r\n",
        "PWD\r\n",
        "257 \"/\" is the current directory\r\n",
        "QUIT\r\n",
        "221 Goodbye.\r\n",
    ];
    dialogue(cap, &mut c, &lines);
    c.fin(cap, SERVER);
    c.fin(cap, CLIENT);
    c.ack(cap, SERVER);
}

fn smtp(cap: &mut Capture) {
    let mut c = Conn::new(MAIL, 49_191, 25);
    c.open(cap);
    let lines = [
        "220 mail.example.com ESMTP Postfix\r\n",
        "EHLO client.example.org\r\n",
        "250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
        "MAIL FROM:<alice@example.org>\r\n",
        "250 2.1.0 Ok\r\n",
        "RCPT TO:<bob@example.com>\r\n",
        "250 2.1.5 Ok\r\n",
        "DATA\r\n",
        "354 End data with <CR><LF>.<CR><LF>\r\n",
    ];
    dialogue(cap, &mut c, &lines);
    let message = "From: Alice <alice@example.org>\r\nTo: Bob <bob@example.com>\r\nSubject: Reassembly\r\nDate: Tue, 14 Nov 2023 22:13:20 +0000\r\nMessage-ID: <20231114221320.4F2A31C0@client.example.org>\r\n\r\nHi Bob,\r\nthis message comes in two segments, the final dot in a third.\r\n";
    c.send_cut(cap, CLIENT, message.as_bytes(), &[message.find("\r\n\r\n").unwrap() + 4]);
    c.send(cap, CLIENT, b".\r\n");
    c.send(cap, SERVER, b"250 2.0.0 Ok: queued as 4F2A31C0\r\n");
    c.send(cap, CLIENT, b"QUIT\r\n");
    c.send(cap, SERVER, b"221 2.0.0 Bye\r\n");
    c.fin(cap, SERVER);
    c.fin(cap, CLIENT);
    c.ack(cap, SERVER);
}

// ----- The end of the capture -----------------------------------------------------------------

/// An HTTP/1.0 response without length whose connection the capture never sees closed.
fn http_no_fin(cap: &mut Capture) {
    let mut c = Conn::new(API, 49_200, 80);
    c.open(cap);
    c.send(cap, CLIENT, b"GET /events.txt HTTP/1.0\r\nHost: api.example.com\r\n\r\n");
    let response = http10_response("No length and no FIN: the capture ends first.\n");
    c.send_cut(cap, SERVER, &response, &[response.len() - 20]);
    c.ack(cap, CLIENT);
}

/// A request, then a response whose headers the end of the capture cuts.
fn http_cut(cap: &mut Capture) {
    let mut c = Conn::new(WEB, 49_201, 80);
    c.open(cap);
    c.send(cap, CLIENT, &http_get("/slow.html", "www.example.com"));
    c.send(cap, SERVER, b"HTTP/1.1 200 OK\r\nDate: Tue, 14 Nov 2023 22:13:20 GMT\r\n");
    c.send(cap, SERVER, b"Server: nginx/1.24.0\r\nContent-Type: text/html\r\nContent-Le");
}

/// The capture: one conversation after another, a few milliseconds apart.
pub fn capture() -> Vec<u8> {
    let mut cap = Capture { now: 0, frames: Vec::new() };
    let conversations: [fn(&mut Capture); 16] = [
        dhcp_exchange,
        dns_udp,
        dns_tcp,
        http_split,
        http_codings,
        http_pipelined,
        http_until_fin,
        http_disorder,
        http_login,
        |cap| http_other_port(cap, 49_176, 8000, "/status"),
        |cap| http_other_port(cap, 49_177, 8080, "/health"),
        tls,
        ftp,
        smtp,
        http_no_fin,
        http_cut,
    ];
    for conversation in conversations {
        conversation(&mut cap);
        cap.pause();
    }
    let mut w = PcapWriter::new(1, 65535, Endian::Little, false);
    for (t, frame) in &cap.frames {
        w.packet(T0 + t * 1000, frame);
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(b"alice:open:sesame"), "YWxpY2U6b3BlbjpzZXNhbWU=");
    }
}
