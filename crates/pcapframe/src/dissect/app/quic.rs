//! QUIC version 1 Initial packets (RFC 9000, RFC 9001), for the TLS handshake inside them: the
//! ClientHello (server name, ALPN, JA3) and ServerHello of HTTP/3 connections.
//!
//! Initial packets are encrypted with keys anyone can derive from the Destination Connection ID
//! of the client's first Initial (RFC 9001 section 5.2), so tshark decrypts them without any
//! secret, and so does pcapframe: HKDF-SHA256, AES-128 header protection and AES-128-GCM, from
//! the `ring` crate. What tshark 4.0 does, learnt from its output:
//! - A datagram may hold several long-header packets (an Initial and a 0-RTT or Handshake
//!   packet); only Initial packets can be read without the session's secrets.
//! - Both sides' Initial keys come from the DCID of the client's first Initial on that UDP
//!   conversation, or of its Initial after a Retry (RFC 9001 section 5.2); later client
//!   Initials, sent to the server's own connection ID, keep those keys. A client Initial under a
//!   new source connection ID starts a new connection.
//! - CRYPTO frames form one byte stream per direction: handshake messages are parsed from it as
//!   in a TCP connection's TLS records, and bytes already delivered (a ClientHello sent again
//!   after a Retry) are not shown again.
//! - The TLS fields are the handshake's only (no `tls.record.*`); a frame that delivers CRYPTO
//!   bytes is marked `tls`.
//!
//! Other QUIC versions (drafts, version 2, Google QUIC) are left alone.

use std::collections::{BTreeMap, HashMap};

use ring::aead::{self, quic::HeaderProtectionKey};
use ring::hkdf;

use super::tls::{self, TlsConn};
use super::{retire_idlest, AppState};
use crate::bytes::be32;
use crate::fields::{FrameValues, Layer};

/// QUIC version 1.
const VERSION_1: u32 = 1;

/// RFC 9001 section 5.2: the salt of version 1's initial secret.
const INITIAL_SALT_V1: [u8; 20] = [
    0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f,
    0x0a,
];

/// CRYPTO bytes held ahead of a gap, per direction (a ClientHello is a few kilobytes), each
/// piece counted with [`PIECE_OVERHEAD`] more for its bookkeeping.
const MAX_HELD: usize = 64 * 1024;

/// What one held piece costs besides its bytes (map entry, allocation).
const PIECE_OVERHEAD: usize = 64;

/// Long-header packet types of version 1.
const INITIAL: u8 = 0;
const RETRY: u8 = 3;

/// Which side sent a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Client = 0,
    Server = 1,
}

/// One direction's CRYPTO stream in the Initial packet number space.
#[derive(Debug, Default)]
struct CryptoStream {
    /// Offset of the next byte to deliver.
    next: u64,
    /// Frames past a gap, by offset.
    held: BTreeMap<u64, Vec<u8>>,
    /// What the held pieces cost: their bytes plus [`PIECE_OVERHEAD`] each.
    held_bytes: usize,
}

impl CryptoStream {
    /// Takes a CRYPTO frame's data; returns the bytes now contiguous with those delivered.
    fn accept(&mut self, offset: u64, data: &[u8]) -> Vec<u8> {
        let end = offset.saturating_add(data.len() as u64);
        if end <= self.next {
            return Vec::new(); // delivered already
        }
        if offset > self.next {
            let cost = data.len() + PIECE_OVERHEAD;
            if self.held_bytes + cost <= MAX_HELD && !self.held.contains_key(&offset) {
                self.held_bytes += cost;
                self.held.insert(offset, data.to_vec());
            }
            return Vec::new();
        }
        let mut out = data[(self.next - offset) as usize..].to_vec();
        self.next = end;
        while let Some((&at, _)) = self.held.first_key_value() {
            if at > self.next {
                break;
            }
            let Some((at, piece)) = self.held.pop_first() else { break };
            self.held_bytes -= piece.len() + PIECE_OVERHEAD;
            let piece_end = at + piece.len() as u64;
            if piece_end > self.next {
                out.extend_from_slice(&piece[(self.next - at) as usize..]);
                self.next = piece_end;
            }
        }
        out
    }
}

/// One QUIC connection (a UDP conversation whose first Initial came from `client_ports`).
pub(crate) struct QuicConn {
    /// (source, destination) ports of the client's packets.
    client_ports: (u16, u16),
    /// The client's source connection ID: another one starts a new connection.
    client_scid: Vec<u8>,
    /// The DCID the Initial keys come from, and both sides' keys.
    dcid: Vec<u8>,
    keys: [InitialKeys; 2],
    /// Largest packet number each side sent (for decoding truncated ones).
    largest_pn: [Option<u64>; 2],
    crypto: [CryptoStream; 2],
    tls: TlsConn,
    last_used: u64,
}

impl std::fmt::Debug for QuicConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuicConn").field("client_ports", &self.client_ports).field("dcid", &self.dcid).finish()
    }
}

impl QuicConn {
    /// A connection whose client sent its first Initial from `ports` to `dcid`.
    fn new(ports: (u16, u16), client_scid: &[u8], dcid: &[u8], keys: [InitialKeys; 2], clock: u64) -> QuicConn {
        QuicConn {
            client_ports: ports,
            client_scid: client_scid.to_vec(),
            dcid: dcid.to_vec(),
            keys,
            largest_pn: [None; 2],
            crypto: Default::default(),
            tls: TlsConn::default(),
            last_used: clock,
        }
    }

    /// Bytes held: CRYPTO data past gaps, and the start of an incomplete handshake message.
    fn buffered(&self) -> usize {
        self.crypto.iter().map(|c| c.held_bytes).sum::<usize>() + self.tls.buffered()
    }

    /// Forgets what is held (past a memory cap), keeping what is needed to read on.
    fn drop_pending(&mut self) {
        for c in &mut self.crypto {
            c.held.clear();
            c.held_bytes = 0;
        }
        self.tls = TlsConn::default();
    }
}

/// QUIC connections by `udp.stream`.
#[derive(Debug, Default)]
pub(crate) struct QuicState {
    conns: HashMap<u32, QuicConn>,
    clock: u64,
}

/// Keeps the QUIC connections within the application layer's cap: past it, the idlest
/// quarter is forgotten (what they held dropped and counted, as for TCP connections).
fn make_room(app: &mut AppState) {
    if app.quic.conns.len() < app.max_connections.max(4) {
        return;
    }
    let (freed, dropped) = retire_idlest(&mut app.quic.conns, |c| c.last_used, QuicConn::buffered);
    app.buffered = app.buffered.saturating_sub(freed);
    app.dropped += dropped;
}

/// Whether a UDP payload starts like a QUIC version 1 long-header packet.
pub(crate) fn looks_like_quic(payload: &[u8]) -> bool {
    payload.len() >= 7 && payload[0] & 0xc0 == 0xc0 && be32(payload, 1) == Some(VERSION_1)
}

/// A UDP datagram that starts with a QUIC version 1 long header.
pub(crate) fn on_datagram(out: &mut FrameValues, app: &mut AppState, stream: u32, ports: (u16, u16), datagram: &[u8]) {
    app.quic.clock += 1;
    let mut rest = datagram;
    while let Some(packet) = LongPacket::parse(rest) {
        rest = &rest[packet.len..];
        if packet.version != VERSION_1 {
            break;
        }
        if packet.kind == INITIAL {
            if !app.quic.conns.contains_key(&stream) {
                make_room(app);
            }
            initial(out, app, stream, ports, &packet);
        }
        if packet.kind == RETRY {
            break;
        }
    }
}

/// A long-header packet's layout (before header protection is removed).
struct LongPacket<'a> {
    /// The packet's bytes, header included.
    bytes: &'a [u8],
    /// Length of the whole packet within the datagram.
    len: usize,
    version: u32,
    kind: u8,
    dcid: &'a [u8],
    scid: &'a [u8],
    /// Offset of the (protected) packet number.
    pn_offset: usize,
}

impl<'a> LongPacket<'a> {
    fn parse(data: &'a [u8]) -> Option<LongPacket<'a>> {
        let first = *data.first()?;
        if first & 0x80 == 0 {
            return None; // a short header runs to the datagram's end and cannot be read
        }
        let version = be32(data, 1)?;
        let kind = (first >> 4) & 3;
        let dcid_len = usize::from(*data.get(5)?);
        let dcid = data.get(6..6 + dcid_len)?;
        let mut pos = 6 + dcid_len;
        let scid_len = usize::from(*data.get(pos)?);
        let scid = data.get(pos + 1..pos + 1 + scid_len)?;
        pos += 1 + scid_len;
        if version == 0 || kind == RETRY {
            // Version negotiation and Retry run to the end of the datagram.
            let len = data.len();
            return Some(LongPacket { bytes: data, len, version, kind, dcid, scid, pn_offset: len });
        }
        if kind == INITIAL {
            let (token_len, n) = varint(data.get(pos..)?)?;
            pos = pos.checked_add(n)?.checked_add(usize::try_from(token_len).ok()?)?;
        }
        let (length, n) = varint(data.get(pos..)?)?;
        pos += n;
        let end = pos.checked_add(usize::try_from(length).ok()?)?;
        let bytes = data.get(..end)?;
        Some(LongPacket { bytes, len: end, version, kind, dcid, scid, pn_offset: pos })
    }
}

/// An Initial packet: decrypted with the client's or the server's keys, its CRYPTO frames
/// delivered to the TLS handshake parser.
fn initial(out: &mut FrameValues, app: &mut AppState, stream: u32, ports: (u16, u16), packet: &LongPacket<'_>) {
    let clock = app.quic.clock;
    let Some((side, pn, payload)) = decrypt(&mut app.quic, stream, ports, packet, clock) else { return };
    let Some(conn) = app.quic.conns.get_mut(&stream) else { return };
    conn.last_used = clock;
    let dir = side as usize;
    conn.largest_pn[dir] = Some(conn.largest_pn[dir].map_or(pn, |l| l.max(pn)));
    let before = conn.buffered();
    for (offset, data) in crypto_frames(&payload) {
        let bytes = conn.crypto[dir].accept(offset, data);
        if !bytes.is_empty() {
            out.mark(Layer::Tls);
            tls::on_crypto(out, &mut conn.tls, dir, &bytes);
        }
    }
    let after = conn.buffered();
    if !app.keep_within_caps(before, after) {
        if let Some(conn) = app.quic.conns.get_mut(&stream) {
            conn.drop_pending();
        }
    }
}

/// Opens an Initial packet of UDP conversation `stream` with the keys that fit (see the module
/// doc), keeping the connection's state up to date; returns who sent it, its packet number
/// and its frames.
fn decrypt(
    quic: &mut QuicState,
    stream: u32,
    ports: (u16, u16),
    packet: &LongPacket<'_>,
    clock: u64,
) -> Option<(Side, u64, Vec<u8>)> {
    if let Some(conn) = quic.conns.get(&stream) {
        let side = if ports == conn.client_ports { Side::Client } else { Side::Server };
        let largest = conn.largest_pn[side as usize];
        if let Some((pn, payload)) = open(packet, &conn.keys[side as usize], largest) {
            return Some((side, pn, payload));
        }
        if side == Side::Server || packet.dcid == conn.dcid.as_slice() {
            return None;
        }
    }
    // A client Initial under its own DCID: the first one, one after a Retry, or a new
    // connection on the same ports.
    let keys = [InitialKeys::derive(packet.dcid, Side::Client)?, InitialKeys::derive(packet.dcid, Side::Server)?];
    let (pn, payload) = open(packet, &keys[Side::Client as usize], None)?;
    match quic.conns.get_mut(&stream) {
        Some(conn) if conn.client_scid == packet.scid => {
            // After a Retry: same connection, new keys.
            conn.dcid = packet.dcid.to_vec();
            conn.keys = keys;
        }
        _ => {
            quic.conns.insert(stream, QuicConn::new(ports, packet.scid, packet.dcid, keys, clock));
        }
    }
    Some((Side::Client, pn, payload))
}

/// Removes header protection and decrypts `packet` with one side's Initial `keys`; returns the
/// packet number and the plaintext frames, or `None` if it does not authenticate.
fn open(packet: &LongPacket<'_>, keys: &InitialKeys, largest_pn: Option<u64>) -> Option<(u64, Vec<u8>)> {
    let bytes = packet.bytes;
    let sample = bytes.get(packet.pn_offset + 4..packet.pn_offset + 20)?;
    let mask = keys.hp.new_mask(sample).ok()?;
    let first = bytes[0] ^ (mask[0] & 0x0f);
    let pn_len = usize::from(first & 3) + 1;
    let mut header = bytes.get(..packet.pn_offset + pn_len)?.to_vec();
    header[0] = first;
    let mut truncated = 0u64;
    for i in 0..pn_len {
        let b = header[packet.pn_offset + i] ^ mask[1 + i];
        header[packet.pn_offset + i] = b;
        truncated = truncated << 8 | u64::from(b);
    }
    let pn = decode_packet_number(largest_pn, truncated, pn_len * 8);
    let mut nonce = keys.iv;
    for (n, p) in nonce[4..].iter_mut().zip(pn.to_be_bytes()) {
        *n ^= p;
    }
    let mut payload = bytes[packet.pn_offset + pn_len..].to_vec();
    let plain_len = keys
        .key
        .open_in_place(aead::Nonce::assume_unique_for_key(nonce), aead::Aad::from(&header), &mut payload)
        .ok()?
        .len();
    payload.truncate(plain_len);
    Some((pn, payload))
}

/// RFC 9000 appendix A.3: the full packet number nearest to the one expected next.
fn decode_packet_number(largest: Option<u64>, truncated: u64, bits: usize) -> u64 {
    let expected = largest.map_or(0, |l| l + 1);
    let window = 1u64 << bits;
    let half = window / 2;
    let candidate = (expected & !(window - 1)) | truncated;
    if candidate + half <= expected && candidate < (1u64 << 62) - window {
        candidate + window
    } else if candidate > expected + half && candidate >= window {
        candidate - window
    } else {
        candidate
    }
}

/// The `(offset, data)` of each CRYPTO frame in a decrypted Initial payload, up to the first
/// frame that cannot be read.
fn crypto_frames(payload: &[u8]) -> Vec<(u64, &[u8])> {
    let mut frames = Vec::new();
    let mut pos = 0;
    while pos < payload.len() {
        let Some((kind, n)) = varint(&payload[pos..]) else { break };
        pos += n;
        let rest = &payload[pos..];
        let used = match kind {
            0x00 | 0x01 => Some(0), // PADDING, PING
            0x02 | 0x03 => ack_len(rest, kind == 0x03),
            0x06 => (|| {
                let (offset, a) = varint(rest)?;
                let (len, b) = varint(rest.get(a..)?)?;
                let data = rest.get(a + b..)?.get(..usize::try_from(len).ok()?)?;
                frames.push((offset, data));
                Some(a + b + data.len())
            })(),
            0x1c => (|| {
                // CONNECTION_CLOSE: error code, frame type, reason phrase.
                let (_, a) = varint(rest)?;
                let (_, b) = varint(rest.get(a..)?)?;
                let (len, c) = varint(rest.get(a + b..)?)?;
                (a + b + c).checked_add(usize::try_from(len).ok()?)
            })(),
            _ => None,
        };
        match used {
            Some(used) if pos + used <= payload.len() => pos += used,
            _ => break,
        }
    }
    frames
}

/// Length of an ACK frame's body.
fn ack_len(data: &[u8], ecn: bool) -> Option<usize> {
    let mut pos = 0;
    let mut next = || -> Option<u64> {
        let (v, n) = varint(data.get(pos..)?)?;
        pos += n;
        Some(v)
    };
    let (_largest, _delay, ranges, _first) = (next()?, next()?, next()?, next()?);
    for _ in 0..ranges.min(data.len() as u64) {
        next()?;
        next()?;
    }
    if ecn {
        for _ in 0..3 {
            next()?;
        }
    }
    Some(pos)
}

/// A variable-length integer (RFC 9000 section 16): its value and its length.
fn varint(data: &[u8]) -> Option<(u64, usize)> {
    let first = *data.first()?;
    let len = 1usize << (first >> 6);
    let bytes = data.get(..len)?;
    let value = bytes[1..].iter().fold(u64::from(first & 0x3f), |v, &b| v << 8 | u64::from(b));
    Some((value, len))
}

/// One side's Initial packet protection keys.
struct InitialKeys {
    key: aead::LessSafeKey,
    iv: [u8; 12],
    hp: HeaderProtectionKey,
}

impl InitialKeys {
    /// RFC 9001 section 5.2: keys of `side` for a connection whose client chose `dcid`.
    fn derive(dcid: &[u8], side: Side) -> Option<InitialKeys> {
        let (key, iv, hp) = initial_secrets(dcid, side)?;
        Some(InitialKeys {
            key: aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_128_GCM, &key).ok()?),
            iv,
            hp: HeaderProtectionKey::new(&aead::quic::AES_128, &hp).ok()?,
        })
    }
}

/// The packet key, IV and header protection key of `side`'s Initial packets.
fn initial_secrets(dcid: &[u8], side: Side) -> Option<([u8; 16], [u8; 12], [u8; 16])> {
    let initial = hkdf::Salt::new(hkdf::HKDF_SHA256, &INITIAL_SALT_V1).extract(dcid);
    let label: &[u8] = if side == Side::Client { b"client in" } else { b"server in" };
    let mut secret = [0u8; 32];
    expand_label(&initial, label, &mut secret)?;
    let prk = hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, &secret);
    let (mut key, mut iv, mut hp) = ([0u8; 16], [0u8; 12], [0u8; 16]);
    expand_label(&prk, b"quic key", &mut key)?;
    expand_label(&prk, b"quic iv", &mut iv)?;
    expand_label(&prk, b"quic hp", &mut hp)?;
    Some((key, iv, hp))
}

/// An output length for `ring`'s HKDF.
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// TLS 1.3's HKDF-Expand-Label with an empty context (RFC 8446 section 7.1).
fn expand_label(prk: &hkdf::Prk, label: &[u8], out: &mut [u8]) -> Option<()> {
    let length = u16::try_from(out.len()).ok()?.to_be_bytes();
    let label_len = [u8::try_from(6 + label.len()).ok()?];
    let info: [&[u8]; 5] = [&length, &label_len, b"tls13 ", label, &[0]];
    prk.expand(&info, Len(out.len())).ok()?.fill(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    /// RFC 9001 appendix A.1: the keys of the example connection (DCID 0x8394c8f03e515708).
    #[test]
    fn initial_keys_match_rfc_9001_appendix_a() {
        let dcid = hex("8394c8f03e515708");
        let (key, iv, hp) = initial_secrets(&dcid, Side::Client).unwrap();
        assert_eq!(key.to_vec(), hex("1f369613dd76d5467730efcbe3b1a22d"));
        assert_eq!(iv.to_vec(), hex("fa044b2f42a3fd3b46fb255c"));
        assert_eq!(hp.to_vec(), hex("9f50449e04a0e810283a1e9933adedd2"));
        let (key, iv, hp) = initial_secrets(&dcid, Side::Server).unwrap();
        assert_eq!(key.to_vec(), hex("cf3a5331653c364c88f0f379b6067e37"));
        assert_eq!(iv.to_vec(), hex("0ac1493ca1905853b0bba03e"));
        assert_eq!(hp.to_vec(), hex("c206b8d9b9f0f37644430b490eeaa314"));
        // Header protection (appendix A.2): the sample d1b1c98dd7689fb8ec11d242b123dc9b gives
        // the mask 437b9aec36.
        let client = InitialKeys::derive(&dcid, Side::Client).unwrap();
        let mask = client.hp.new_mask(&hex("d1b1c98dd7689fb8ec11d242b123dc9b")).unwrap();
        assert_eq!(mask.to_vec(), hex("437b9aec36"));
    }

    #[test]
    fn varints_of_every_length() {
        // RFC 9000 appendix A.1's examples.
        assert_eq!(varint(&hex("c2197c5eff14e88c")), Some((151_288_809_941_952_652, 8)));
        assert_eq!(varint(&hex("9d7f3e7d")), Some((494_878_333, 4)));
        assert_eq!(varint(&hex("7bbd")), Some((15_293, 2)));
        assert_eq!(varint(&hex("25")), Some((37, 1)));
        assert_eq!(varint(&hex("7b")), None, "cut short");
    }

    #[test]
    fn packet_numbers_decode_near_the_expected_one() {
        // RFC 9000 appendix A.3's example: largest 0xa82f30ea, truncated 0x9b32 in 16 bits.
        assert_eq!(decode_packet_number(Some(0xa82f_30ea), 0x9b32, 16), 0xa82f_9b32);
        assert_eq!(decode_packet_number(None, 1, 8), 1);
    }

    #[test]
    fn crypto_bytes_are_delivered_once_and_in_order() {
        let mut s = CryptoStream::default();
        assert!(s.accept(5, b"fgh").is_empty(), "held past the gap");
        assert_eq!(s.accept(0, b"abcdef"), b"abcdefgh");
        assert!(s.accept(0, b"abcdefgh").is_empty(), "sent again (after a Retry): not shown again");
        assert_eq!(s.accept(6, b"ghij"), b"ij");
    }

    #[test]
    fn garbage_is_not_quic_and_does_not_panic() {
        let mut out = FrameValues::new(crate::fields::FieldSet::all());
        let mut app = AppState::default();
        for len in 0..80 {
            let mut d = vec![0xc3u8, 0, 0, 0, 1, 8];
            d.extend((0..len).map(|i| (i * 37 % 251) as u8));
            on_datagram(&mut out, &mut app, 0, (50000, 443), &d);
        }
        assert!(out.items().is_empty());
        assert_eq!(out.has_layer(Layer::Tls), Some(false));
    }
}
