//! QUIC version 1 Initial packets (RFC 9000, RFC 9001), for the TLS handshake inside them: the
//! ClientHello (server name, ALPN, JA3) and ServerHello of HTTP/3 connections.
//!
//! Initial packets are encrypted with keys anyone can derive from the Destination Connection ID
//! of the client's first Initial (RFC 9001 section 5.2), so tshark decrypts them without any
//! secret, and so does pcapframe: HKDF-SHA256, AES-128 header protection and AES-128-GCM, from
//! the `ring` crate. What tshark 4.0 does, learnt from its output:
//! - A datagram may hold several long-header packets (an Initial and a 0-RTT or Handshake
//!   packet); only Initial packets can be read without the session's secrets.
//! - The client's Initial keys come from the DCID of its own Initial (a new one after a Retry);
//!   the server's Initial packets use the keys of the client's latest DCID on that UDP
//!   conversation.
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
use super::AppState;
use crate::fields::{FrameValues, Layer};

/// QUIC version 1.
const VERSION_1: u32 = 1;

/// RFC 9001 section 5.2: the salt of version 1's initial secret.
const INITIAL_SALT_V1: [u8; 20] = [
    0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f,
    0x0a,
];

/// CRYPTO bytes held ahead of a gap, per direction (a ClientHello is a few kilobytes).
const MAX_HELD: usize = 64 * 1024;

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
    held_bytes: usize,
    /// Largest packet number seen (for decoding truncated ones).
    largest_pn: Option<u64>,
}

impl CryptoStream {
    /// Takes a CRYPTO frame's data; returns the bytes now contiguous with those delivered.
    fn accept(&mut self, offset: u64, data: &[u8]) -> Vec<u8> {
        let end = offset.saturating_add(data.len() as u64);
        if end <= self.next {
            return Vec::new(); // delivered already
        }
        if offset > self.next {
            if self.held_bytes + data.len() <= MAX_HELD && !self.held.contains_key(&offset) {
                self.held_bytes += data.len();
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
            self.held_bytes -= piece.len();
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
#[derive(Debug)]
pub(crate) struct QuicConn {
    /// (source, destination) ports of the client's packets.
    client_ports: (u16, u16),
    /// DCID of the client's latest Initial: the input of both sides' Initial keys.
    dcid: Vec<u8>,
    crypto: [CryptoStream; 2],
    tls: TlsConn,
    last_used: u64,
}

impl QuicConn {
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

/// Keeps the QUIC connections within the application layer's cap: past it, the idlest half
/// is forgotten (what they held dropped and counted, as for TCP connections).
fn make_room(app: &mut AppState) {
    let quic = &mut app.quic;
    if quic.conns.len() < app.max_connections.max(2) {
        return;
    }
    let mut stamps: Vec<u64> = quic.conns.values().map(|c| c.last_used).collect();
    stamps.sort_unstable();
    let cutoff = stamps[stamps.len() / 2];
    let (mut freed, mut dropped) = (0, 0);
    quic.conns.retain(|_, c| {
        let keep = c.last_used > cutoff;
        if !keep && c.buffered() > 0 {
            freed += c.buffered();
            dropped += 1;
        }
        keep
    });
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
        pos += 1 + scid_len;
        if version == 0 || kind == RETRY {
            // Version negotiation and Retry run to the end of the datagram.
            return Some(LongPacket { bytes: data, len: data.len(), version, kind, dcid, pn_offset: data.len() });
        }
        if kind == INITIAL {
            let (token_len, n) = varint(data.get(pos..)?)?;
            pos = pos.checked_add(n)?.checked_add(usize::try_from(token_len).ok()?)?;
        }
        let (length, n) = varint(data.get(pos..)?)?;
        pos += n;
        let end = pos.checked_add(usize::try_from(length).ok()?)?;
        let bytes = data.get(..end)?;
        Some(LongPacket { bytes, len: end, version, kind, dcid, pn_offset: pos })
    }
}

/// An Initial packet: decrypted with the client's or the server's keys, its CRYPTO frames
/// delivered to the TLS handshake parser.
fn initial(out: &mut FrameValues, app: &mut AppState, stream: u32, ports: (u16, u16), packet: &LongPacket<'_>) {
    let clock = app.quic.clock;
    let known = app.quic.conns.get(&stream);
    let from_server = known.is_some_and(|c| ports != c.client_ports);
    let decrypted = if from_server {
        let conn = known.expect("checked above");
        let largest = conn.crypto[Side::Server as usize].largest_pn;
        open(packet, &conn.dcid, Side::Server, largest).map(|p| (Side::Server, p))
    } else {
        // A client Initial: keys from its own DCID (a new one after a Retry).
        let largest = known.and_then(|c| c.crypto[Side::Client as usize].largest_pn);
        open(packet, packet.dcid, Side::Client, largest).map(|p| (Side::Client, p))
    };
    let Some((side, (pn, payload))) = decrypted else { return };
    let conn = app.quic.conns.entry(stream).or_insert_with(|| QuicConn {
        client_ports: ports,
        dcid: packet.dcid.to_vec(),
        crypto: Default::default(),
        tls: TlsConn::default(),
        last_used: clock,
    });
    conn.last_used = clock;
    if side == Side::Client {
        conn.dcid = packet.dcid.to_vec();
    }
    let dir = side as usize;
    let largest = &mut conn.crypto[dir].largest_pn;
    *largest = Some(largest.map_or(pn, |l| l.max(pn)));
    let before = conn.buffered();
    for (offset, data) in crypto_frames(&payload) {
        let bytes = conn.crypto[dir].accept(offset, data);
        if !bytes.is_empty() {
            out.mark(Layer::Tls);
            tls::on_crypto(out, &mut conn.tls, dir, &bytes);
        }
    }
    let after = conn.buffered();
    let total = (app.buffered + after).saturating_sub(before);
    if after > app.max_connection_bytes || total > app.max_total_bytes {
        conn.drop_pending();
        app.dropped += 1;
        app.buffered = total - after;
    } else {
        app.buffered = total;
    }
}

/// Removes header protection and decrypts `packet` with `side`'s Initial keys from `dcid`;
/// returns the packet number and the plaintext frames, or `None` if it does not authenticate.
fn open(packet: &LongPacket<'_>, dcid: &[u8], side: Side, largest_pn: Option<u64>) -> Option<(u64, Vec<u8>)> {
    let keys = InitialKeys::derive(dcid, side)?;
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
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_128_GCM, &keys.key).ok()?);
    let plain_len = key
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
                let (len, b) = varint(&rest[a..])?;
                let data = rest.get(a + b..a + b + usize::try_from(len).ok()?)?;
                frames.push((offset, data));
                Some(a + b + data.len())
            })(),
            0x1c => (|| {
                // CONNECTION_CLOSE: error code, frame type, reason phrase.
                let (_, a) = varint(rest)?;
                let (_, b) = varint(&rest[a..])?;
                let (len, c) = varint(&rest[a + b..])?;
                Some(a + b + c + usize::try_from(len).ok()?)
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

fn be32(data: &[u8], at: usize) -> Option<u32> {
    data.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// One side's Initial packet protection keys.
struct InitialKeys {
    key: [u8; 16],
    iv: [u8; 12],
    hp: HeaderProtectionKey,
}

impl InitialKeys {
    /// RFC 9001 section 5.2: keys of `side` for a connection whose client chose `dcid`.
    fn derive(dcid: &[u8], side: Side) -> Option<InitialKeys> {
        let initial = hkdf::Salt::new(hkdf::HKDF_SHA256, &INITIAL_SALT_V1).extract(dcid);
        let label: &[u8] = if side == Side::Client { b"client in" } else { b"server in" };
        let mut secret = [0u8; 32];
        expand_label(&initial, label, &mut secret)?;
        let prk = hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, &secret);
        let (mut key, mut iv, mut hp) = ([0u8; 16], [0u8; 12], [0u8; 16]);
        expand_label(&prk, b"quic key", &mut key)?;
        expand_label(&prk, b"quic iv", &mut iv)?;
        expand_label(&prk, b"quic hp", &mut hp)?;
        let hp = HeaderProtectionKey::new(&aead::quic::AES_128, &hp).ok()?;
        Some(InitialKeys { key, iv, hp })
    }
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
        let client = InitialKeys::derive(&dcid, Side::Client).unwrap();
        assert_eq!(client.key.to_vec(), hex("1f369613dd76d5467730efcbe3b1a22d"));
        assert_eq!(client.iv.to_vec(), hex("fa044b2f42a3fd3b46fb255c"));
        let server = InitialKeys::derive(&dcid, Side::Server).unwrap();
        assert_eq!(server.key.to_vec(), hex("cf3a5331653c364c88f0f379b6067e37"));
        assert_eq!(server.iv.to_vec(), hex("0ac1493ca1905853b0bba03e"));
        // Header protection (appendix A.2): the sample d1b1c98dd7689fb8ec11d242b123dc9b gives
        // the mask 437b9aec36.
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
