//! Application-layer dissectors (DNS, DHCP, HTTP, TLS also in QUIC Initial packets, FTP, SMTP): which ports lead to which,
//! and the per-protocol state they keep across frames.
//!
//! Each protocol runs only when one of its fields is wanted (read, printed or filtered on), so
//! reading core fields costs nothing here.

mod dhcp;
mod dns;
mod ftp;
mod http;
mod lines;
#[cfg(test)]
mod mutants;
mod quic;
mod smtp;
mod stream;
mod tls;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::Ctx;
use crate::fields::{FieldSet, FIELDS};
use crate::track::TrackLimits;
pub(crate) use http::BodyObject;
use stream::{Hold, InOrder};

/// Which application protocols have a wanted field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct AppWants {
    pub dns: bool,
    pub dhcp: bool,
    pub http: bool,
    pub tls: bool,
    pub ftp: bool,
    pub smtp: bool,
}

impl AppWants {
    /// The protocols of the fields in `wanted`.
    pub fn of(wanted: &FieldSet) -> Self {
        let mut w = AppWants::default();
        for (i, def) in FIELDS.iter().enumerate() {
            if !wanted.contains(crate::fields::Field::from_index(i)) {
                continue;
            }
            match def.protocol {
                "dns" => w.dns = true,
                "dhcp" => w.dhcp = true,
                "http" => w.http = true,
                "tls" => w.tls = true,
                "ftp" => w.ftp = true,
                "smtp" => w.smtp = true,
                _ => {}
            }
        }
        w
    }

    /// Whether a protocol carried over UDP is wanted (DNS, DHCP, SSDP's HTTP, QUIC's TLS).
    pub fn any_over_udp(&self) -> bool {
        self.dns || self.dhcp || self.http || self.tls
    }

    /// Whether a protocol carried over TCP is wanted (TCP segments then need tracking).
    pub fn any_over_tcp(&self) -> bool {
        self.dns || self.http || self.tls || self.ftp || self.smtp
    }
}

/// Cross-frame state of the application dissectors.
#[derive(Debug, Default)]
pub(crate) struct AppState {
    pub wants: AppWants,
    pub dns: dns::DnsState,
    /// QUIC connections (their Initial keys and CRYPTO streams), by `udp.stream`.
    quic: quic::QuicState,
    /// TCP connections carrying a wanted protocol, by `tcp.stream`.
    conns: HashMap<u32, Connection, BuildHasherDefault<StreamHasher>>,
    /// Bytes all connections hold, and the caps.
    buffered: usize,
    max_connection_bytes: usize,
    max_total_bytes: usize,
    max_connections: usize,
    /// Lookups so far (a logical clock, to retire the idlest connections).
    clock: u64,
    /// Connections whose pending data was dropped to stay within the caps.
    pub dropped: u64,
    /// HTTP message bodies collected for export (`None`: not collected).
    pub http_objects: Option<Vec<BodyObject>>,
}

/// Hashes `tcp.stream` numbers (small, dense, not attacker-chosen: the tracker assigns them) with
/// one multiplication instead of SipHash.
#[derive(Debug, Default, Clone, Copy)]
struct StreamHasher(u64);

impl Hasher for StreamHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// The application protocol of a TCP connection, decided by its ports or its first data.
#[derive(Debug, Default)]
enum Protocol {
    /// No data seen yet.
    #[default]
    Undecided,
    /// Not one we dissect (or not wanted).
    Other,
    Http(Box<http::HttpConn>),
    Tls(Box<tls::TlsConn>),
    /// DNS over TCP: messages with a two-byte length prefix.
    Dns([Vec<u8>; 2]),
    /// FTP's control connection; which direction the server sends.
    Ftp {
        server_dir: usize,
    },
    Smtp {
        server_dir: usize,
        conn: smtp::SmtpConn,
    },
}

/// One TCP connection's application state.
#[derive(Debug, Default)]
struct Connection {
    directions: [InOrder; 2],
    protocol: Protocol,
    last_used: u64,
    /// Each direction sent a FIN.
    fin: [bool; 2],
}

impl Connection {
    /// Bytes held for the dissector: incomplete messages, and segments past a gap.
    fn buffered(&self) -> usize {
        let held = self.directions[0].held_bytes() + self.directions[1].held_bytes();
        held + match &self.protocol {
            Protocol::Http(h) => h.buffered(),
            Protocol::Tls(t) => t.buffered(),
            Protocol::Dns(pending) => pending[0].len() + pending[1].len(),
            _ => 0,
        }
    }

    /// Forgets the pending data (the protocol stays what it was).
    fn drop_pending(&mut self) {
        self.directions = Default::default();
        self.protocol = match &self.protocol {
            Protocol::Http(h) => Protocol::Http(Box::new(http::HttpConn::new(h.shows_continuations()))),
            Protocol::Tls(_) => Protocol::Tls(Box::default()),
            Protocol::Dns(_) => Protocol::Dns(Default::default()),
            Protocol::Ftp { server_dir } => Protocol::Ftp { server_dir: *server_dir },
            Protocol::Smtp { server_dir, .. } => Protocol::Smtp { server_dir: *server_dir, conn: Default::default() },
            Protocol::Undecided => Protocol::Undecided,
            Protocol::Other => Protocol::Other,
        };
    }
}

impl AppState {
    pub fn new(wanted: &FieldSet, limits: &TrackLimits) -> Self {
        AppState {
            wants: AppWants::of(wanted),
            max_connection_bytes: limits.max_app_connection_bytes,
            max_total_bytes: limits.max_app_total_bytes,
            max_connections: limits.max_conversations.max(4),
            ..AppState::default()
        }
    }

    /// Keeps an HTTP body for export, when bodies are collected.
    fn push_http_object(&mut self, object: BodyObject) {
        if let Some(objects) = &mut self.http_objects {
            objects.push(object);
        }
    }

    /// Keeps the connection table within its cap: past it, the idlest quarter is forgotten
    /// (their pending data dropped and counted).
    fn make_room(&mut self) {
        if self.conns.len() < self.max_connections {
            return;
        }
        let (freed, dropped) = retire_idlest(&mut self.conns, |c| c.last_used, Connection::buffered);
        self.buffered -= freed.min(self.buffered);
        self.dropped += dropped;
    }

    /// Accounts for a connection whose held bytes went from `before` to `after`. Returns
    /// `false` when that breaks the per-connection or the total cap: the caller then drops what
    /// the connection holds, which is counted here.
    fn keep_within_caps(&mut self, before: usize, after: usize) -> bool {
        let total = (self.buffered + after).saturating_sub(before);
        if after > self.max_connection_bytes || total > self.max_total_bytes {
            self.dropped += 1;
            self.buffered = total - after;
            false
        } else {
            self.buffered = total;
            true
        }
    }
}

/// Forgets the idlest quarter of a connection table; returns the bytes they held and how many
/// of them held any.
fn retire_idlest<K, V, S>(
    conns: &mut HashMap<K, V, S>,
    last_used: impl Fn(&V) -> u64,
    buffered: impl Fn(&V) -> usize,
) -> (usize, u64) {
    let mut stamps: Vec<u64> = conns.values().map(&last_used).collect();
    stamps.sort_unstable();
    let Some(&cutoff) = stamps.get(stamps.len() / 4) else { return (0, 0) };
    let (mut freed, mut dropped) = (0, 0);
    conns.retain(|_, c| {
        let keep = last_used(c) > cutoff;
        if !keep && buffered(c) > 0 {
            freed += buffered(c);
            dropped += 1;
        }
        keep
    });
    (freed, dropped)
}

/// The transport a message arrived on, for protocols that run over both, and for matching
/// requests with responses within one conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    /// `udp.stream` of the datagram.
    Udp { stream: u32 },
    /// `tcp.stream` of the connection.
    Tcp { stream: u32 },
}

/// A UDP payload: DNS on 53, mDNS on 5353, LLMNR on 5355; DHCP on 67, 68 and 4011; SSDP on
/// 1900; QUIC version 1 long-header packets on any other port.
pub(crate) fn over_udp(ctx: &mut Ctx<'_>, stream: u32, sport: u16, dport: u16, payload: &[u8]) {
    let wants = ctx.state.app.wants;
    let is = |p: u16| sport == p || dport == p;
    if wants.dns && (is(dns::PORT) || is(dns::MDNS_PORT) || is(dns::LLMNR_PORT)) {
        dns::dissect_udp(ctx, stream, sport, dport, payload);
    } else if wants.dhcp && (is(67) || is(68) || is(4011)) {
        dhcp::dissect(ctx, payload);
    } else if wants.http && is(http::SSDP_PORT) {
        http::on_datagram(ctx, payload);
    } else if wants.tls && !ctx.quoted && quic::looks_like_quic(payload) {
        quic::on_datagram(ctx.out, &mut ctx.state.app, stream, (sport, dport), payload);
    }
}

/// One TCP segment's data, as the application dissectors receive it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TcpData<'a> {
    /// `tcp.stream`.
    pub stream: u32,
    /// Direction within the connection (0 or 1).
    pub dir: u8,
    pub sport: u16,
    pub dport: u16,
    /// Relative sequence number (`tcp.seq`).
    pub seq: u32,
    /// `tcp.len`: the payload's length on the wire.
    pub wire_len: u32,
    /// The captured payload.
    pub payload: &'a [u8],
    /// The segment carries FIN.
    pub fin: bool,
    /// The segment carries RST.
    pub rst: bool,
}

/// A TCP segment of a connection that may carry a wanted application protocol.
pub(crate) fn over_tcp(ctx: &mut Ctx<'_>, seg: TcpData<'_>) {
    let app = &mut ctx.state.app;
    app.clock += 1;
    let clock = app.clock;
    if !app.conns.contains_key(&seg.stream) {
        if seg.payload.is_empty() {
            return;
        }
        app.make_room();
        app.conns.insert(seg.stream, Connection::default());
    }
    let Some(conn) = ctx.state.app.conns.get_mut(&seg.stream) else { return };
    conn.last_used = clock;
    let dir = usize::from(seg.dir & 1);
    if matches!(conn.protocol, Protocol::Undecided) {
        if seg.payload.is_empty() {
            return;
        }
        conn.protocol = decide(ctx.state.app.wants, &seg);
    } else if matches!(conn.protocol, Protocol::Other) && ctx.state.app.wants.tls && tls_heuristic(&seg) {
        // A connection that turns to TLS (after STARTTLS, or a protocol of its own first).
        conn.protocol = Protocol::Tls(Box::default());
    }
    let truncated = seg.payload.len() < seg.wire_len as usize;
    let delivery = if seg.wire_len == 0 {
        None
    } else if truncated {
        // Cut by the snaplen: tshark cannot reassemble it, and dissects what was captured alone.
        conn.directions[dir].pass_over(seg.seq, seg.wire_len);
        None
    } else {
        let holding = match &conn.protocol {
            Protocol::Http(h) => h.hold(dir),
            Protocol::Dns(pending) if pending[dir].is_empty() => Hold::No,
            Protocol::Ftp { .. } | Protocol::Smtp { .. } => Hold::No,
            Protocol::Tls(t) if !t.is_pending(dir) => Hold::No,
            _ => Hold::Unknown,
        };
        conn.directions[dir].accept(seg.seq, seg.payload, holding)
    };
    let mut conn = std::mem::take(conn);
    let before = conn.buffered();
    match &mut conn.protocol {
        Protocol::Http(h) if truncated => http::on_truncated(ctx, h, seg.payload),
        Protocol::Http(h) => http::on_data(ctx, h, dir, delivery, seg.fin),
        Protocol::Tls(t) => {
            if let Some(d) = delivery {
                tls::on_data(ctx.out, t, dir, &d.data, d.gap);
            }
        }
        Protocol::Dns(pending) => {
            if let Some(d) = delivery {
                dns_over_tcp(ctx, seg.stream, &mut pending[dir], d);
            }
        }
        Protocol::Ftp { server_dir } => {
            if let Some(d) = delivery {
                ftp::on_data(ctx.out, &d.data, dir == *server_dir);
            }
        }
        Protocol::Smtp { server_dir, conn } => {
            if let Some(d) = delivery {
                smtp::on_data(ctx.out, conn, &d.data, dir == *server_dir);
            }
        }
        Protocol::Undecided | Protocol::Other => {}
    }
    let app = &mut ctx.state.app;
    conn.fin[dir] |= seg.fin;
    if seg.rst || conn.fin == [true, true] {
        // The connection is over: forget it (a later segment starts afresh, as data alone).
        app.buffered = app.buffered.saturating_sub(before);
        app.conns.remove(&seg.stream);
        return;
    }
    if !app.keep_within_caps(before, conn.buffered()) {
        conn.drop_pending();
    }
    app.conns.insert(seg.stream, conn);
}

/// The protocol of a connection from its ports, else from its first data.
fn decide(wants: AppWants, seg: &TcpData<'_>) -> Protocol {
    let is = |p: u16| seg.sport == p || seg.dport == p;
    if wants.dns && is(dns::PORT) {
        return Protocol::Dns(Default::default());
    }
    // The server is the side on the well-known port.
    let server_dir = |port: u16| usize::from(seg.dir & 1) ^ usize::from(seg.dport == port);
    if wants.ftp && is(ftp::PORT) {
        return Protocol::Ftp { server_dir: server_dir(ftp::PORT) };
    }
    if let Some(&port) = smtp::PORTS.iter().find(|&&p| wants.smtp && is(p)) {
        return Protocol::Smtp { server_dir: server_dir(port), conn: Default::default() };
    }
    // Ports whose own dissector tshark prefers to HTTP's heuristics.
    let claimed = [21, 22, 23, 25, 53, 110, 143, 443, 587, 993, 995].iter().any(|&p| is(p));
    if wants.http && (http::PORTS.iter().any(|&p| is(p)) || (!claimed && http::looks_like_http(seg.payload))) {
        let continuations = is(80);
        return Protocol::Http(Box::new(http::HttpConn::new(continuations)));
    }
    if wants.tls && (tls::is_tls_port(seg.sport) || tls::is_tls_port(seg.dport) || tls_heuristic(seg)) {
        return Protocol::Tls(Box::default());
    }
    Protocol::Other
}

/// tshark tries its TLS heuristic on every segment of a connection whose ports no other
/// dissector owns.
fn tls_heuristic(seg: &TcpData<'_>) -> bool {
    const OWNED: [u16; 10] = [21, 22, 23, 25, 53, 110, 587, 5222, 6346, 6888];
    let owned = |p: u16| OWNED.contains(&p) || http::PORTS.contains(&p);
    !owned(seg.sport) && !owned(seg.dport) && tls::looks_like_tls(seg.payload)
}

/// DNS over TCP: each message follows a two-byte length; a message is dissected on the frame
/// that completes it.
fn dns_over_tcp(ctx: &mut Ctx<'_>, stream: u32, pending: &mut Vec<u8>, d: stream::Delivery<'_>) {
    if d.gap {
        pending.clear();
    }
    pending.extend_from_slice(&d.data);
    let mut at = 0;
    while let Some(len) = pending.get(at..at + 2).map(|b| usize::from(u16::from_be_bytes([b[0], b[1]]))) {
        let Some(msg) = pending.get(at + 2..at + 2 + len) else { break };
        dns::dissect(ctx, Transport::Tcp { stream }, msg);
        at += 2 + len;
    }
    pending.drain(..at);
}
