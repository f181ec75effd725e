//! TLS records and handshake messages, as tshark 4.0 shows them.
//!
//! What tshark does, learnt from its output:
//! - A record is dissected on the frame that completes it (TCP reassembly); several records in
//!   one frame give repeated fields. Fewer than 5 bytes left at the end of the data wait for the
//!   next segment. Data that does not start a record where one is expected ("Continuation
//!   Data", "Ignored Unknown Record") is skipped up to the end of the segment.
//! - Record header check: content type 20..=25. While the session's version is unknown (or is
//!   TLS 1.3) the record version must be 0x0300..=0x0303; once a TLS 1.2-or-older version is
//!   known any version passes. Record lengths are not checked (up to 0xffff).
//! - SSLv2 records (two-byte header, high bit set) are recognised when the third byte (the
//!   message type) is 0, 1, 2 or 4 while the version is unknown (or TLS 1.3), and only 1 (a
//!   ClientHello) once a TLS 1.2-or-older version is known. They show `tls.record.version`
//!   0x0002; a ClientHello of a known version also its type and version.
//! - The session version becomes known with a ServerHello (its supported_version, else its
//!   version), or with the first non-handshake record (its record version); a ClientHello does
//!   not set it. In TLS 1.3 application data records show `tls.record.opaque_type`, so no
//!   `tls.record.content_type`.
//! - Handshake messages may span records (reassembled across records of the same direction,
//!   whatever comes between); a message is shown on the record that completes it. A message
//!   whose type is not a known handshake type, or whose length exceeds 0xffff, is an encrypted
//!   handshake message: the rest of the record is not parsed.
//! - Hello messages are parsed as far as their data goes: the cipher suite list only if whole;
//!   JA3 needs the compression methods, and is `version,ciphers,` when the extensions are cut.

use crate::fields::{Field, FrameValues, Layer};

/// Largest record buffered for reassembly: a 5-byte header plus the largest length it can
/// state (tshark does not cap record lengths). A direction never holds more than one
/// incomplete record, so its pending buffer stays below this.
const MAX_RECORD: usize = 5 + 0xffff;

/// Largest handshake message reassembled across records: a 4-byte header plus 0xffff bytes
/// (longer ones count as encrypted, so the fragment buffer never exceeds this).
const MAX_HANDSHAKE: usize = 4 + 0xffff;

/// Handshake message types tshark 4.0 recognises in a record (others mean encrypted data).
const KNOWN_HANDSHAKE_TYPES: [u8; 21] = [0, 1, 2, 3, 4, 5, 6, 8, 11, 12, 13, 14, 15, 16, 20, 21, 22, 23, 24, 25, 67];

/// The conversation's negotiated version, as far as it is known.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Session {
    /// Nothing negotiated yet: record headers are checked strictly.
    #[default]
    Unknown,
    /// SSL 3.0 to TLS 1.2 (or another non-1.3 version).
    Tls,
    /// TLS 1.3 (or one of its drafts).
    Tls13,
}

/// One direction's pending bytes.
#[derive(Debug, Default)]
struct Direction {
    /// Bytes after the last complete record: an incomplete record (at most [`MAX_RECORD`]
    /// bytes) or an incomplete header.
    pending: Vec<u8>,
    /// The start of a handshake message that continues in a later record (at most
    /// [`MAX_HANDSHAKE`] bytes).
    fragment: Vec<u8>,
    /// This direction sent a ChangeCipherSpec: its handshake records may be encrypted.
    ccs: bool,
}

/// TLS state of one connection (records and handshake messages that span segments).
#[derive(Debug, Default)]
pub(crate) struct TlsConn {
    dirs: [Direction; 2],
    session: Session,
}

impl TlsConn {
    /// Bytes held in both directions.
    pub(crate) fn buffered(&self) -> usize {
        self.dirs.iter().map(|d| d.pending.len() + d.fragment.len()).sum()
    }

    /// Whether direction `dir` waits for the rest of a record (tshark's TCP reassembly then
    /// holds a segment that follows a gap; otherwise the segment is dissected at once).
    pub(crate) fn is_pending(&self, dir: usize) -> bool {
        !self.dirs[dir & 1].pending.is_empty()
    }
}

/// TCP ports tshark 4.0 dissects as TLS by default.
const TLS_PORTS: [u16; 24] = [
    324, 443, 465, 636, 802, 853, 993, 995, 1300, 2221, 2443, 3249, 3250, 3251, 3252, 3496, 5061, 5671, 5684, 5868,
    8883, 11207, 19999, 27017,
];

/// Whether TLS is dissected on this TCP port by default.
pub(crate) fn is_tls_port(port: u16) -> bool {
    TLS_PORTS.contains(&port)
}

/// Whether a segment's data looks like TLS (tshark's heuristic, tried on every segment of a
/// connection on a port no other dissector takes): a handshake or application data record
/// header of SSL 3.0 to TLS 1.2 with a length of 1 to 18431.
pub(crate) fn looks_like_tls(first: &[u8]) -> bool {
    let Some(h) = first.get(..5) else { return false };
    let version = u16::from_be_bytes([h[1], h[2]]);
    let len = u16::from_be_bytes([h[3], h[4]]);
    matches!(h[0], 22 | 23) && (0x0300..=0x0303).contains(&version) && (1..0x4800).contains(&len)
}

/// In-order data of direction `dir` (0 or 1) of a connection, as captured in this frame;
/// `gap`: bytes were lost before it. Records completed here are dissected into `out`.
pub(crate) fn on_data(out: &mut FrameValues, conn: &mut TlsConn, dir: usize, data: &[u8], gap: bool) {
    let dir = dir & 1;
    if gap {
        conn.dirs[dir].pending.clear();
        conn.dirs[dir].fragment.clear();
    }
    let mut pending = std::mem::take(&mut conn.dirs[dir].pending);
    // tshark marks a segment `tls` when TLS reads it: at a record boundary, or to complete a
    // header or a record; not the segments in the middle of a record whose length is known.
    let header_known = pending.len() >= 5;
    let used = if pending.is_empty() {
        let used = records(out, conn, dir, data);
        pending.extend_from_slice(&data[used..]);
        used
    } else {
        pending.extend_from_slice(data);
        let used = records(out, conn, dir, &pending);
        pending.drain(..used);
        used
    };
    if used > 0 || !header_known {
        out.mark(Layer::Tls);
    }
    if pending.len() > MAX_RECORD {
        pending.clear(); // cannot happen: what is left is one incomplete record at most
    }
    conn.dirs[dir].pending = pending;
}

/// Handshake bytes carried by QUIC's CRYPTO frames (no records): messages are parsed as they
/// complete, as in a record.
pub(crate) fn on_crypto(out: &mut FrameValues, conn: &mut TlsConn, dir: usize, data: &[u8]) {
    let dir = dir & 1;
    if extend_incomplete(&mut conn.dirs[dir].fragment, data) {
        return;
    }
    let mut joined = std::mem::take(&mut conn.dirs[dir].fragment);
    joined.extend_from_slice(data);
    let mut first_type = None;
    conn.dirs[dir].fragment = handshakes(out, conn, &joined, &mut first_type);
}

/// What starts at a record boundary.
enum Start {
    /// Fewer than 5 bytes: wait for more.
    Short,
    /// A TLS record: content type, version, body length.
    Tls(u8, u16, usize),
    /// An SSLv2 record with a two-byte header: body length.
    Ssl2(usize),
    /// Not a record: the rest of the data is skipped.
    Junk,
}

fn classify(rest: &[u8], session: Session) -> Start {
    let Some(h) = rest.get(..5) else { return Start::Short };
    let strict = session != Session::Tls;
    let version = u16::from_be_bytes([h[1], h[2]]);
    if (20..=25).contains(&h[0]) && (!strict || (0x0300..=0x0303).contains(&version)) {
        return Start::Tls(h[0], version, usize::from(u16::from_be_bytes([h[3], h[4]])));
    }
    let ssl2_type_ok = if strict { matches!(h[2], 0 | 1 | 2 | 4) } else { h[2] == 1 };
    if h[0] & 0x80 != 0 && ssl2_type_ok {
        return Start::Ssl2(usize::from(u16::from_be_bytes([h[0] & 0x7f, h[1]])));
    }
    Start::Junk
}

/// Dissects the complete records at the start of `data`; returns how many bytes were used
/// (the rest is an incomplete record or header, to be completed by later data).
fn records(out: &mut FrameValues, conn: &mut TlsConn, dir: usize, data: &[u8]) -> usize {
    let mut pos = 0;
    // Each turn uses at least 5 bytes or ends the loop.
    while pos < data.len() {
        let rest = &data[pos..];
        match classify(rest, conn.session) {
            Start::Short => break,
            Start::Junk => return data.len(),
            Start::Tls(ct, version, len) => {
                let Some(body) = rest.get(5..5 + len) else { break };
                record(out, conn, dir, ct, version, body);
                pos += 5 + len;
            }
            Start::Ssl2(len) => {
                let Some(body) = rest.get(2..2 + len) else { break };
                ssl2_record(out, conn.session, body);
                pos += 2 + len;
            }
        }
    }
    pos
}

fn record(out: &mut FrameValues, conn: &mut TlsConn, dir: usize, ct: u8, version: u16, body: &[u8]) {
    if !(ct == 23 && conn.session == Session::Tls13) {
        out.uint(Field::TlsRecordContentType, ct);
    }
    out.uint(Field::TlsRecordVersion, version);
    if ct == 20 {
        conn.dirs[dir].ccs = true;
    }
    if ct != 22 {
        if conn.session == Session::Unknown {
            conn.session = Session::Tls;
        }
        return;
    }
    if extend_incomplete(&mut conn.dirs[dir].fragment, body) {
        return;
    }
    let fragment = std::mem::take(&mut conn.dirs[dir].fragment);
    let mut first_type = None;
    if fragment.is_empty() {
        if encrypted(body, conn.dirs[dir].ccs) {
            return;
        }
        conn.dirs[dir].fragment = handshakes(out, conn, body, &mut first_type);
    } else {
        let mut joined = fragment;
        joined.extend_from_slice(body);
        conn.dirs[dir].fragment = handshakes(out, conn, &joined, &mut first_type);
    }
    if conn.session == Session::Unknown && first_type.is_some_and(|t| t != 1 && t != 2) {
        conn.session = Session::Tls;
    }
}

/// Appends `data` to the start of a handshake message held from earlier data when the message
/// stays incomplete, without parsing or copying it again; `false` when the joined bytes may
/// complete it (or nothing is held).
fn extend_incomplete(fragment: &mut Vec<u8>, data: &[u8]) -> bool {
    let Some(h) = fragment.get(..4) else { return false };
    let needed = 4 + (usize::from(h[1]) << 16 | usize::from(h[2]) << 8 | usize::from(h[3]));
    if needed > MAX_HANDSHAKE || fragment.len() + data.len() >= needed {
        return false;
    }
    fragment.extend_from_slice(data);
    true
}

/// Whether a handshake record (starting a message) is taken for encrypted, as tshark does
/// without keys: its first message has an unknown type or a length over 0xffff; or it starts
/// with a HelloRequest and some message in it is not plausible (unknown type or length over
/// 0xffff; like a GCM record whose explicit nonce is zero); or, after this direction's
/// ChangeCipherSpec, it holds a 12-byte Finished or a message of unknown type whose length is
/// over 0xffff.
fn encrypted(body: &[u8], after_ccs: bool) -> bool {
    let Some(&first) = body.first() else { return false };
    if !KNOWN_HANDSHAKE_TYPES.contains(&first) {
        return true;
    }
    let mut pos = 0;
    let mut implausible = false;
    let mut unknown_long = false;
    let mut finished12 = false;
    // Each turn moves on by at least 4 bytes or ends the loop.
    while let Some(h) = body.get(pos..pos + 4) {
        let len = usize::from(h[1]) << 16 | usize::from(h[2]) << 8 | usize::from(h[3]);
        let known = KNOWN_HANDSHAKE_TYPES.contains(&h[0]);
        if pos == 0 && len > 0xffff {
            return true;
        }
        if !known || len > 0xffff {
            implausible = true;
            unknown_long = !known && len > 0xffff;
            break;
        }
        finished12 |= h[0] == 20 && len == 12;
        pos += 4 + len;
    }
    (first == 0 && implausible) || (after_ccs && (finished12 || unknown_long))
}

/// Dissects the handshake messages in `data` (a record's body, after any fragment left by
/// earlier records); returns the start of a message that continues in a later record.
fn handshakes(out: &mut FrameValues, conn: &mut TlsConn, data: &[u8], first_type: &mut Option<u8>) -> Vec<u8> {
    let mut pos = 0;
    // Each turn uses at least 4 bytes or ends the loop.
    while pos < data.len() {
        let rest = &data[pos..];
        if !KNOWN_HANDSHAKE_TYPES.contains(&rest[0]) {
            break; // encrypted
        }
        let Some(h) = rest.get(..4) else { return rest.to_vec() };
        let len = usize::from(h[1]) << 16 | usize::from(h[2]) << 8 | usize::from(h[3]);
        if len > 0xffff {
            break; // encrypted
        }
        let Some(body) = rest.get(4..4 + len) else {
            return if rest.len() <= MAX_HANDSHAKE { rest.to_vec() } else { Vec::new() };
        };
        first_type.get_or_insert(h[0]);
        handshake(out, conn, h[0], body);
        pos += 4 + len;
    }
    Vec::new()
}

fn handshake(out: &mut FrameValues, conn: &mut TlsConn, kind: u8, body: &[u8]) {
    out.uint(Field::TlsHandshakeType, kind);
    match kind {
        1 => client_hello(out, body),
        2 => {
            if let Some(v) = server_hello(out, body) {
                conn.session = if is_tls13(v) { Session::Tls13 } else { Session::Tls };
            }
        }
        _ => {}
    }
}

/// TLS 1.3 and the drafts tshark knows as such.
fn is_tls13(v: u16) -> bool {
    v == 0x0304 || (0x7f01..=0x7fff).contains(&v) || (0xfb17..=0xfb1a).contains(&v)
}

/// An SSLv2 record: its version, and a ClientHello's type and version.
fn ssl2_record(out: &mut FrameValues, session: Session, body: &[u8]) {
    out.uint(Field::TlsRecordVersion, 0x0002u16);
    match body.first() {
        Some(1) => {
            if let Some(v) = be16(body, 1).filter(|v| *v == 0x0002 || (0x0300..=0x0304).contains(v)) {
                out.uint(Field::TlsHandshakeType, 1u8);
                out.uint(Field::TlsHandshakeVersion, v);
            }
        }
        Some(2) if session != Session::Tls => out.uint(Field::TlsHandshakeType, 2u8),
        _ => {}
    }
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|x| u16::from_be_bytes([x[0], x[1]]))
}

/// GREASE values (RFC 8701): 0x0a0a, 0x1a1a, ..., 0xfafa.
fn is_grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a && v >> 8 == v & 0xff
}

/// The extensions block of a hello.
enum Extensions<'a> {
    /// The hello ends before it.
    Absent,
    /// Cut, or its extensions do not fit it.
    Cut,
    /// Type and data of each extension.
    List(Vec<(u16, &'a [u8])>),
}

/// The extensions block following a hello's compression method(s) at `at`.
fn extensions(body: &[u8], at: usize) -> Extensions<'_> {
    if at >= body.len() {
        return Extensions::Absent;
    }
    let Some(len) = be16(body, at) else { return Extensions::Cut };
    let Some(block) = body.get(at + 2..at + 2 + usize::from(len)) else { return Extensions::Cut };
    let mut exts = Vec::new();
    let mut p = 0;
    // Each turn moves on by at least 4 bytes or ends the function.
    while p < block.len() {
        let (Some(t), Some(l)) = (be16(block, p), be16(block, p + 2)) else { return Extensions::Cut };
        let Some(data) = block.get(p + 4..p + 4 + usize::from(l)) else { return Extensions::Cut };
        exts.push((t, data));
        p += 4 + usize::from(l);
    }
    Extensions::List(exts)
}

fn join(values: impl Iterator<Item = u16>) -> String {
    let mut s = String::new();
    for v in values {
        if !s.is_empty() {
            s.push('-');
        }
        s.push_str(&v.to_string());
    }
    s
}

fn u16s(b: &[u8]) -> impl Iterator<Item = u16> + '_ {
    b.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]))
}

fn fingerprint(out: &mut FrameValues, hash: Field, full: Field, s: &str) {
    if out.wants(hash) {
        out.text(hash, &format!("{:x}", md5::compute(s.as_bytes())));
    }
    out.text(full, s);
}

/// ALPN protocol names of an ALPN extension.
fn alpn(out: &mut FrameValues, data: &[u8]) {
    let Some(len) = be16(data, 0) else { return };
    let list = data.get(2..).unwrap_or(&[]);
    let list = &list[..usize::from(len).min(list.len())];
    let mut p = 0;
    while let Some(&l) = list.get(p) {
        let Some(name) = list.get(p + 1..p + 1 + usize::from(l)) else { break };
        out.text_ascii(Field::TlsHandshakeExtensionsAlpnStr, name);
        p += 1 + usize::from(l);
    }
}

fn client_hello(out: &mut FrameValues, body: &[u8]) {
    let Some(version) = be16(body, 0) else { return };
    out.uint(Field::TlsHandshakeVersion, version);
    let Some(&sid) = body.get(34) else { return };
    let at = 35 + usize::from(sid);
    let Some(cs_len) = be16(body, at) else { return };
    let Some(ciphers) = body.get(at + 2..at + 2 + usize::from(cs_len)) else { return };
    for c in u16s(ciphers) {
        out.uint(Field::TlsHandshakeCiphersuite, c);
    }
    let at = at + 2 + ciphers.len();
    let Some(&comp) = body.get(at) else { return };
    let at = at + 1 + usize::from(comp);
    if at > body.len() {
        return;
    }
    let want_ja3 = out.wants(Field::TlsHandshakeJa3) || out.wants(Field::TlsHandshakeJa3Full);
    let head = || format!("{},{},", version, join(u16s(ciphers).filter(|c| !is_grease(*c))));
    let exts = match extensions(body, at) {
        Extensions::Absent => {
            if want_ja3 {
                fingerprint(out, Field::TlsHandshakeJa3, Field::TlsHandshakeJa3Full, &(head() + ",,"));
            }
            return;
        }
        Extensions::Cut => {
            if want_ja3 {
                fingerprint(out, Field::TlsHandshakeJa3, Field::TlsHandshakeJa3Full, &head());
            }
            return;
        }
        Extensions::List(exts) => exts,
    };
    let (mut groups, mut formats): (&[u8], &[u8]) = (&[], &[]);
    for &(t, data) in &exts {
        match t {
            0 => server_names(out, data),
            10 => {
                let len = be16(data, 0).map_or(0, usize::from);
                groups = data.get(2..2 + len).unwrap_or(&[]);
            }
            11 => {
                let len = data.first().map_or(0, |&l| usize::from(l));
                formats = data.get(1..1 + len).unwrap_or(&[]);
            }
            16 => alpn(out, data),
            43 => {
                let len = data.first().map_or(0, |&l| usize::from(l));
                for v in u16s(data.get(1..1 + len).unwrap_or(&[])) {
                    out.uint(Field::TlsHandshakeExtensionsSupportedVersion, v);
                }
            }
            _ => {}
        }
    }
    if want_ja3 {
        let mut s = head();
        s.push_str(&join(exts.iter().map(|e| e.0).filter(|t| !is_grease(*t))));
        s.push(',');
        s.push_str(&join(u16s(groups).filter(|g| !is_grease(*g))));
        s.push(',');
        s.push_str(&join(formats.iter().map(|&f| u16::from(f))));
        fingerprint(out, Field::TlsHandshakeJa3, Field::TlsHandshakeJa3Full, &s);
    }
}

/// Host names of a server_name extension.
fn server_names(out: &mut FrameValues, data: &[u8]) {
    let Some(len) = be16(data, 0) else { return };
    let list = data.get(2..).unwrap_or(&[]);
    let list = &list[..usize::from(len).min(list.len())];
    let mut p = 0;
    while let (Some(&kind), Some(l)) = (list.get(p), be16(list, p + 1)) {
        let Some(name) = list.get(p + 3..p + 3 + usize::from(l)) else { break };
        if kind == 0 {
            out.text_ascii(Field::TlsHandshakeExtensionsServerName, name);
        }
        p += 3 + usize::from(l);
    }
}

/// A ServerHello's fields; returns the version it selects (supported_version, else its
/// version).
fn server_hello(out: &mut FrameValues, body: &[u8]) -> Option<u16> {
    let version = be16(body, 0)?;
    out.uint(Field::TlsHandshakeVersion, version);
    let Some(&sid) = body.get(34) else { return Some(version) };
    let at = 35 + usize::from(sid);
    let Some(cipher) = be16(body, at) else { return Some(version) };
    out.uint(Field::TlsHandshakeCiphersuite, cipher);
    let at = at + 3;
    if at > body.len() {
        return Some(version);
    }
    let want_ja3s = out.wants(Field::TlsHandshakeJa3s) || out.wants(Field::TlsHandshakeJa3sFull);
    let mut s = format!("{version},{cipher},");
    let mut selected = version;
    if let Extensions::List(exts) = extensions(body, at) {
        for &(t, data) in &exts {
            match t {
                16 => alpn(out, data),
                43 => {
                    if let Some(v) = be16(data, 0) {
                        out.uint(Field::TlsHandshakeExtensionsSupportedVersion, v);
                        selected = v;
                    }
                }
                _ => {}
            }
        }
        s.push_str(&join(exts.iter().map(|e| e.0).filter(|t| !is_grease(*t))));
    }
    if want_ja3s {
        fingerprint(out, Field::TlsHandshakeJa3s, Field::TlsHandshakeJa3sFull, &s);
    }
    Some(selected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::{FieldSet, Value};

    fn rec(ct: u8, body: &[u8]) -> Vec<u8> {
        let mut r = vec![ct, 3, 3];
        r.extend_from_slice(&(body.len() as u16).to_be_bytes());
        r.extend_from_slice(body);
        r
    }

    fn hs(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut m = vec![kind];
        m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        m.extend_from_slice(body);
        m
    }

    fn ext(kind: u16, data: &[u8]) -> Vec<u8> {
        let mut e = kind.to_be_bytes().to_vec();
        e.extend_from_slice(&(data.len() as u16).to_be_bytes());
        e.extend_from_slice(data);
        e
    }

    /// A ClientHello with GREASE (cipher, extension, group, version), SNI example.com, ALPN
    /// h2 and http/1.1, and supported_versions; `cut` keeps only that much of its body.
    fn client_hello(cut: Option<usize>) -> Vec<u8> {
        let mut exts = ext(0x1a1a, b"");
        exts.extend(ext(0, b"\x00\x0e\x00\x00\x0bexample.com"));
        exts.extend(ext(10, &[0, 6, 0x2a, 0x2a, 0, 29, 0, 23]));
        exts.extend(ext(11, &[1, 0]));
        exts.extend(ext(16, b"\x00\x0c\x02h2\x08http/1.1"));
        exts.extend(ext(43, &[6, 0x3a, 0x3a, 3, 4, 3, 3]));
        let mut body = vec![3, 3];
        body.extend([0x11; 32]);
        body.extend([0, 0, 8, 0x0a, 0x0a, 0x13, 0x01, 0x13, 0x02, 0xc0, 0x2f, 1, 0]);
        body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        body.extend(exts);
        body.truncate(cut.unwrap_or(body.len()));
        hs(1, &body)
    }

    /// A TLS 1.3 ServerHello (supported_versions 0x0304, key_share).
    fn server_hello() -> Vec<u8> {
        let mut body = vec![3, 3];
        body.extend([0x22; 32]);
        body.extend([0, 0x13, 0x01, 0]);
        let mut exts = ext(43, &[3, 4]);
        exts.extend(ext(51, &[0, 0x1d, 0, 0]));
        body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        body.extend(exts);
        hs(2, &body)
    }

    fn values() -> FrameValues {
        FrameValues::new(FieldSet::all())
    }

    fn uints(out: &FrameValues, f: Field) -> Vec<u64> {
        out.all(f)
            .map(|v| match v {
                Value::UInt(x) => x,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    fn texts(out: &FrameValues, f: Field) -> Vec<String> {
        out.all(f).map(|v| out.str_of(v).to_string()).collect()
    }

    // Known answers below are tshark 4.0.17's for the same bytes.

    #[test]
    fn client_hello_with_grease_sni_alpn_and_supported_versions() {
        let (mut out, mut conn) = (values(), TlsConn::default());
        on_data(&mut out, &mut conn, 0, &rec(22, &client_hello(None)), false);
        assert_eq!(uints(&out, Field::TlsRecordContentType), [22]);
        assert_eq!(uints(&out, Field::TlsRecordVersion), [0x0303]);
        assert_eq!(uints(&out, Field::TlsHandshakeType), [1]);
        assert_eq!(uints(&out, Field::TlsHandshakeVersion), [0x0303]);
        assert_eq!(uints(&out, Field::TlsHandshakeCiphersuite), [0x0a0a, 0x1301, 0x1302, 0xc02f]);
        assert_eq!(texts(&out, Field::TlsHandshakeExtensionsServerName), ["example.com"]);
        assert_eq!(texts(&out, Field::TlsHandshakeExtensionsAlpnStr), ["h2", "http/1.1"]);
        assert_eq!(uints(&out, Field::TlsHandshakeExtensionsSupportedVersion), [0x3a3a, 0x0304, 0x0303]);
        assert_eq!(texts(&out, Field::TlsHandshakeJa3Full), ["771,4865-4866-49199,0-10-11-16-43,29-23,0"]);
        assert_eq!(texts(&out, Field::TlsHandshakeJa3), ["c18c9960fc83748baa0c05922ab2ebae"]);
    }

    #[test]
    fn server_hello_ja3s_then_tls13_opaque_application_data() {
        let (mut out, mut conn) = (values(), TlsConn::default());
        let mut data = rec(22, &server_hello());
        data.extend(rec(20, &[1]));
        data.extend(rec(23, &[0x78; 40]));
        on_data(&mut out, &mut conn, 1, &data, false);
        assert_eq!(uints(&out, Field::TlsRecordContentType), [22, 20], "application data: opaque type");
        assert_eq!(uints(&out, Field::TlsRecordVersion), [0x0303; 3]);
        assert_eq!(uints(&out, Field::TlsHandshakeType), [2]);
        assert_eq!(uints(&out, Field::TlsHandshakeCiphersuite), [0x1301]);
        assert_eq!(uints(&out, Field::TlsHandshakeExtensionsSupportedVersion), [0x0304]);
        assert_eq!(texts(&out, Field::TlsHandshakeJa3sFull), ["771,4865,43-51"]);
        assert_eq!(texts(&out, Field::TlsHandshakeJa3s), ["f4febc55ea12b31ae17cfb7e614afda8"]);
    }

    #[test]
    fn record_spanning_two_deliveries_shows_on_the_second() {
        let (mut out, mut conn) = (values(), TlsConn::default());
        let data = rec(22, &client_hello(None));
        on_data(&mut out, &mut conn, 0, &data[..3], false);
        on_data(&mut out, &mut conn, 0, &data[3..50], false);
        assert!(out.items().is_empty());
        on_data(&mut out, &mut conn, 0, &data[50..], false);
        assert_eq!(uints(&out, Field::TlsHandshakeType), [1]);
        assert_eq!(texts(&out, Field::TlsHandshakeExtensionsServerName), ["example.com"]);
    }

    /// tshark marks `tls` on the segments TLS reads (ndpi__1kxun stream 2144: the segment
    /// that starts a 1691-byte record and the one that ends it, not those between; a 1-byte
    /// keep-alive at a record boundary), whatever fields they show.
    #[test]
    fn tls_is_marked_where_tls_reads_not_in_the_middle_of_a_record() {
        let data = rec(23, &[0x55; 3000]);
        let mut conn = TlsConn::default();
        let marked: Vec<bool> = [&data[..1], &data[1..1000], &data[1000..2000], &data[2000..]]
            .iter()
            .map(|part| {
                let mut out = values();
                on_data(&mut out, &mut conn, 0, part, false);
                out.has_layer(Layer::Tls) == Some(true)
            })
            .collect();
        // Header incomplete, then known with the record's length: the middle is TCP's alone.
        assert_eq!(marked, [true, true, false, true]);
        let mut out = values();
        on_data(&mut out, &mut conn, 0, b"not a record", false);
        assert_eq!(out.has_layer(Layer::Tls), Some(true), "continuation data is read (and skipped)");
    }

    #[test]
    fn two_records_in_one_delivery_repeat_fields() {
        let (mut out, mut conn) = (values(), TlsConn::default());
        let mut data = rec(23, b"0123456789");
        data.extend(rec(21, b"ab"));
        on_data(&mut out, &mut conn, 0, &data, false);
        assert_eq!(uints(&out, Field::TlsRecordContentType), [23, 21]);
        assert_eq!(uints(&out, Field::TlsRecordVersion), [0x0303, 0x0303]);
    }

    #[test]
    fn truncated_hellos_give_what_their_data_holds() {
        // Ends after the compression methods: no extensions at all.
        let (mut out, mut conn) = (values(), TlsConn::default());
        on_data(&mut out, &mut conn, 0, &rec(22, &client_hello(Some(47))), false);
        assert_eq!(texts(&out, Field::TlsHandshakeJa3Full), ["771,4865-4866-49199,,,"]);
        assert_eq!(texts(&out, Field::TlsHandshakeJa3), ["049a423b3b26cc15ac27ce16552f69b1"]);
        // Extensions cut: none of them, and JA3 stops after the ciphers.
        let (mut out, mut conn) = (values(), TlsConn::default());
        on_data(&mut out, &mut conn, 0, &rec(22, &client_hello(Some(119))), false);
        assert_eq!(texts(&out, Field::TlsHandshakeJa3Full), ["771,4865-4866-49199,"]);
        assert_eq!(texts(&out, Field::TlsHandshakeJa3), ["4955ed03b9e98d51dd2cfa00ebe3543f"]);
        assert!(texts(&out, Field::TlsHandshakeExtensionsServerName).is_empty());
        // Cipher suite list cut: only the version.
        let (mut out, mut conn) = (values(), TlsConn::default());
        on_data(&mut out, &mut conn, 0, &rec(22, &client_hello(Some(41))), false);
        assert_eq!(uints(&out, Field::TlsHandshakeVersion), [0x0303]);
        assert!(uints(&out, Field::TlsHandshakeCiphersuite).is_empty());
        // A record cut by the end of the data: nothing.
        let (mut out, mut conn) = (values(), TlsConn::default());
        let data = rec(22, &client_hello(None));
        on_data(&mut out, &mut conn, 0, &data[..data.len() - 1], false);
        assert!(out.items().is_empty());
    }

    #[test]
    fn handshake_message_spanning_records() {
        let (mut out, mut conn) = (values(), TlsConn::default());
        let cert = hs(11, &[0x43; 30]);
        on_data(&mut out, &mut conn, 1, &rec(22, &cert[..10]), false);
        assert_eq!(uints(&out, Field::TlsRecordContentType), [22]);
        assert!(uints(&out, Field::TlsHandshakeType).is_empty());
        let mut out = values();
        let mut rest = cert[10..].to_vec();
        rest.extend(hs(14, b""));
        on_data(&mut out, &mut conn, 1, &rec(22, &rest), false);
        assert_eq!(uints(&out, Field::TlsHandshakeType), [11, 14]);
    }

    #[test]
    fn encrypted_handshake_records_show_no_type() {
        let (mut out, mut conn) = (values(), TlsConn::default());
        // After ChangeCipherSpec, a GCM Finished whose explicit nonce is zero.
        let mut finished = vec![0; 8];
        finished.extend([0xcf; 32]);
        let mut data = rec(22, &hs(16, &[0x41; 10]));
        data.extend(rec(20, &[1]));
        data.extend(rec(22, &finished));
        on_data(&mut out, &mut conn, 0, &data, false);
        assert_eq!(uints(&out, Field::TlsRecordContentType), [22, 20, 22]);
        assert_eq!(uints(&out, Field::TlsHandshakeType), [16]);
    }

    #[test]
    fn junk_skips_the_rest_of_the_data_only() {
        let (mut out, mut conn) = (values(), TlsConn::default());
        let mut data = b"GET / HTTP/1.1\r\n".to_vec();
        data.extend(rec(23, b"x"));
        on_data(&mut out, &mut conn, 0, &data, false);
        assert!(out.items().is_empty());
        on_data(&mut out, &mut conn, 0, &rec(23, b"x"), false);
        assert_eq!(uints(&out, Field::TlsRecordContentType), [23]);
    }

    #[test]
    fn heuristic_and_ports() {
        assert!(looks_like_tls(&rec(22, &client_hello(None))));
        assert!(looks_like_tls(&rec(23, b"abc")));
        assert!(!looks_like_tls(&rec(21, b"ab")), "alerts are not enough");
        assert!(!looks_like_tls(&rec(23, b"")), "empty record");
        assert!(!looks_like_tls(&[0x17, 3, 4, 0, 1, 0]), "record version 0x0304");
        assert!(!looks_like_tls(&[0x17, 3, 3, 0x48, 0, 0]), "length over 18431");
        assert!(!looks_like_tls(&[0x16, 3, 1]));
        assert!(is_tls_port(443) && is_tls_port(993) && is_tls_port(853) && !is_tls_port(8443));
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_stay_bounded() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut conn = TlsConn::default();
        for i in 0..3000 {
            let mut out = values();
            let len = (next() % 700) as usize;
            let mut data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if i % 3 == 0 && data.len() > 5 {
                data[0] = 22; // handshake records with random contents
                data[1] = 3;
                data[2] = 3;
            }
            on_data(&mut out, &mut conn, i % 2, &data, i % 50 == 0);
            for d in &conn.dirs {
                assert!(d.pending.len() <= MAX_RECORD && d.fragment.len() <= MAX_HANDSHAKE);
            }
        }
    }
}
