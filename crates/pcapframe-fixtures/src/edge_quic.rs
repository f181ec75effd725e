//! `edge-quic.pcap`: QUIC version 1 handshakes whose TLS hellos tshark decrypts from the Initial
//! packets (keys derived from the client's Destination Connection ID, RFC 9001 section 5.2),
//! between a client in 192.0.2.0/24 and servers on UDP 443 (one on 8443).
//!
//! The connections, one after another:
//!
//! 1. A ClientHello cut in two CRYPTO frames sent in two Initial packets (padded datagrams of
//!    1200 bytes); the server's Initial (ACK, ServerHello) coalesced with a Handshake packet
//!    nobody can read without the session's secrets; then a 1-RTT packet (short header).
//! 2. A ClientHello whose second CRYPTO frame arrives first, in its own packet.
//! 3. A Retry: the client's Initial, the server's Retry with a new connection ID and a token,
//!    the client's Initial again under the new ID (the same ClientHello, already seen), and the
//!    server's Initial protected with keys from the new ID.
//! 4. A handshake on UDP port 8443.
//! 5. An Initial whose ciphertext was altered in flight: it does not authenticate.
//! 6. A ClientHello whose second half goes to the server's connection ID (after the server's
//!    acknowledgment), under the keys of the client's first DCID.

use ring::aead::{self, quic::HeaderProtectionKey};
use ring::hkdf;

use crate::edge::{eth_ip, Fixture, T0};
use crate::edge_app_reassembly::{ext, handshake, len16, len8, noise, words};
use crate::packet::{self, proto, Ip, IpOpts};
use crate::writer::{Endian, PcapWriter};

/// The file name of the fixture.
pub const FILE_NAME: &str = "edge-quic.pcap";

/// The QUIC edge fixture.
pub fn all() -> Vec<Fixture> {
    vec![(FILE_NAME, capture())]
}

const CLIENT_IP: [u8; 4] = [192, 0, 2, 10];
const SERVER_IP: [u8; 4] = [203, 0, 113, 43];

/// RFC 9001 section 5.2.
const INITIAL_SALT_V1: [u8; 20] = [
    0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f,
    0x0a,
];

/// RFC 9001 section 5.8: the key and nonce of the Retry integrity tag.
const RETRY_KEY: [u8; 16] =
    [0xbe, 0x0c, 0x69, 0x0b, 0x9f, 0x66, 0x57, 0x5a, 0x1d, 0x76, 0x6b, 0x54, 0xe3, 0x68, 0xc8, 0x4e];
const RETRY_NONCE: [u8; 12] = [0x46, 0x15, 0x99, 0xd3, 0x5d, 0x63, 0x2b, 0xf2, 0x23, 0x98, 0x25, 0xbb];

/// Client Initial packets travel in datagrams of at least this many bytes (RFC 9000 14.1).
const CLIENT_DATAGRAM: usize = 1200;

/// An output length for `ring`'s HKDF.
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// HKDF-Expand-Label (RFC 8446 section 7.1) with an empty context, `N` bytes long.
fn expand<const N: usize>(prk: &hkdf::Prk, label: &str) -> [u8; N] {
    let full = format!("tls13 {label}");
    let info: [&[u8]; 4] = [&(N as u16).to_be_bytes(), &[full.len() as u8], full.as_bytes(), &[0]];
    let mut out = [0u8; N];
    prk.expand(&info, Len(N)).and_then(|okm| okm.fill(&mut out)).expect("HKDF output fits");
    out
}

/// One side's Initial packet protection.
struct Keys {
    key: aead::LessSafeKey,
    iv: [u8; 12],
    hp: HeaderProtectionKey,
}

impl Keys {
    /// `label` is "client in" or "server in"; `dcid` is the client's Destination Connection ID.
    fn initial(dcid: &[u8], label: &str) -> Keys {
        let initial = hkdf::Salt::new(hkdf::HKDF_SHA256, &INITIAL_SALT_V1).extract(dcid);
        let secret: [u8; 32] = expand(&initial, label);
        let prk = hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, &secret);
        let key: [u8; 16] = expand(&prk, "quic key");
        let hp: [u8; 16] = expand(&prk, "quic hp");
        Keys {
            key: aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_128_GCM, &key).expect("16-byte key")),
            iv: expand(&prk, "quic iv"),
            hp: HeaderProtectionKey::new(&aead::quic::AES_128, &hp).expect("16-byte key"),
        }
    }
}

/// A QUIC variable-length integer in its shortest form.
fn varint(v: u64) -> Vec<u8> {
    match v {
        0..=63 => vec![v as u8],
        64..=16_383 => (0x4000 | v as u16).to_be_bytes().to_vec(),
        _ => (0x8000_0000 | v as u32).to_be_bytes().to_vec(),
    }
}

/// A CRYPTO frame.
fn crypto(offset: u64, data: &[u8]) -> Vec<u8> {
    [&[0x06][..], &varint(offset), &varint(data.len() as u64), data].concat()
}

/// An ACK frame of packets 0 to `largest`.
fn ack(largest: u64) -> Vec<u8> {
    [&[0x02][..], &varint(largest), &varint(0), &varint(0), &varint(largest)].concat()
}

/// An Initial packet carrying `frames` under `keys`, padded to `pad_to` bytes; packet numbers
/// are two bytes long.
fn initial(keys: &Keys, dcid: &[u8], scid: &[u8], token: &[u8], pn: u16, frames: &[u8], pad_to: usize) -> Vec<u8> {
    let mut header = vec![0xc1]; // long header, fixed bit, Initial, packet number length 2
    header.extend(1u32.to_be_bytes());
    header.extend(len8(dcid));
    header.extend(len8(scid));
    header.extend(varint(token.len() as u64));
    header.extend(token);
    let fixed = header.len() + 2 + 2 + frames.len() + 16; // length field, packet number, tag
    let mut payload = frames.to_vec();
    payload.resize(frames.len() + pad_to.saturating_sub(fixed), 0); // PADDING frames
    header.extend((0x4000 | (2 + payload.len() + 16) as u16).to_be_bytes());
    let pn_offset = header.len();
    header.extend(pn.to_be_bytes());
    protect(keys, header, pn_offset, u64::from(pn), payload)
}

/// Encrypts `payload` after `header` and applies header protection (RFC 9001 section 5).
fn protect(keys: &Keys, mut header: Vec<u8>, pn_offset: usize, pn: u64, mut payload: Vec<u8>) -> Vec<u8> {
    let mut nonce = keys.iv;
    for (n, p) in nonce[4..].iter_mut().zip(pn.to_be_bytes()) {
        *n ^= p;
    }
    let tag = keys
        .key
        .seal_in_place_separate_tag(aead::Nonce::assume_unique_for_key(nonce), aead::Aad::from(&header), &mut payload)
        .expect("payload fits");
    payload.extend_from_slice(tag.as_ref());
    let pn_len = header.len() - pn_offset;
    let sample = &payload[4 - pn_len..4 - pn_len + 16];
    let mask = keys.hp.new_mask(sample).expect("16-byte sample");
    header[0] ^= mask[0] & 0x0f;
    for i in 0..pn_len {
        header[pn_offset + i] ^= mask[1 + i];
    }
    [header, payload].concat()
}

/// A Handshake packet: its payload is encrypted with secrets only the endpoints know (noise here).
fn handshake_packet(dcid: &[u8], scid: &[u8], seed: u32, len: usize) -> Vec<u8> {
    let mut p = vec![0xe1];
    p.extend(1u32.to_be_bytes());
    p.extend(len8(dcid));
    p.extend(len8(scid));
    p.extend((0x4000 | len as u16).to_be_bytes());
    p.extend(noise(seed, len));
    p
}

/// A Retry packet to the client's `scid`, offering `new_scid` and `token` (RFC 9001 5.8).
fn retry(original_dcid: &[u8], client_scid: &[u8], new_scid: &[u8], token: &[u8]) -> Vec<u8> {
    let mut p = vec![0xf0];
    p.extend(1u32.to_be_bytes());
    p.extend(len8(client_scid));
    p.extend(len8(new_scid));
    p.extend(token);
    let pseudo = [len8(original_dcid), p.clone()].concat();
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_128_GCM, &RETRY_KEY).expect("16-byte key"));
    let nonce = aead::Nonce::assume_unique_for_key(RETRY_NONCE);
    let tag = key.seal_in_place_separate_tag(nonce, aead::Aad::from(&pseudo), &mut []).expect("empty plaintext");
    p.extend_from_slice(tag.as_ref());
    p
}

/// A TLS 1.3 ClientHello as QUIC clients send it: GREASE, the server name, ALPN h3 and the
/// QUIC transport parameters.
fn client_hello(server_name: &str, seed: u32) -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend(noise(seed, 32));
    body.push(0); // no legacy session id
    body.extend(len16(&words(&[0x3a3a, 0x1301, 0x1302, 0x1303])));
    body.extend([1, 0]);
    let sni = len16(&[&[0u8][..], &len16(server_name.as_bytes())].concat());
    let x25519 = [&words(&[0x001d])[..], &len16(&noise(seed ^ 0x25519, 32))].concat();
    let transport_parameters =
        [&[0x04, 0x04][..], &[0x80, 0x10, 0, 0], &[0x0f, 0x04], &noise(seed ^ 0xc1d, 4)].concat();
    let extensions = [
        ext(0xdada, &[]),
        ext(0x0000, &sni),
        ext(0x000a, &len16(&words(&[0x6a6a, 0x001d, 0x0017]))),
        ext(0x0010, &len16(&len8(b"h3"))),
        ext(0x000d, &len16(&words(&[0x0403, 0x0804, 0x0401]))),
        ext(0x0033, &len16(&x25519)),
        ext(0x002d, &len8(&[1])),
        ext(0x002b, &len8(&words(&[0x0304]))),
        ext(0x0039, &transport_parameters),
        ext(0x1a1a, &[0]),
    ]
    .concat();
    body.extend(len16(&extensions));
    handshake(1, &body)
}

/// A TLS 1.3 ServerHello (AES-128-GCM-SHA256, x25519).
fn server_hello(seed: u32) -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend(noise(seed, 32));
    body.push(0);
    body.extend(words(&[0x1301]));
    body.push(0);
    let key_share = [&words(&[0x001d])[..], &len16(&noise(seed ^ 0x5eed, 32))].concat();
    let extensions = [ext(0x002b, &words(&[0x0304])), ext(0x0033, &key_share)].concat();
    body.extend(len16(&extensions));
    handshake(2, &body)
}

/// The frames of the capture, each from the client (`true`) or the server.
struct Capture {
    frames: Vec<Vec<u8>>,
    ip_id: u16,
}

impl Capture {
    fn send(&mut self, from_client: bool, client_port: u16, server_port: u16, datagram: &[u8]) {
        let (c, s) = (Ip::V4(CLIENT_IP), Ip::V4(SERVER_IP));
        let (src, dst, sport, dport) =
            if from_client { (c, s, client_port, server_port) } else { (s, c, server_port, client_port) };
        let transport = packet::udp(src, dst, sport, dport, datagram);
        self.ip_id = self.ip_id.wrapping_add(1);
        let ip = packet::ip(src, dst, proto::UDP, IpOpts { id: self.ip_id, ..Default::default() }, &transport);
        self.frames.push(eth_ip(from_client, &ip));
    }
}

/// Connection IDs, distinct per connection.
fn cid(seed: u32, len: usize) -> Vec<u8> {
    noise(seed, len)
}

/// 1: a ClientHello in two Initial packets; the server's Initial and Handshake packets in one
/// datagram; a 1-RTT packet.
fn split_hello(cap: &mut Capture) {
    let (port, dcid, client_cid, server_cid) = (50_001, cid(0x101, 8), cid(0x102, 8), cid(0x103, 8));
    let (client, server) = (Keys::initial(&dcid, "client in"), Keys::initial(&dcid, "server in"));
    let hello = client_hello("h3.example.com", 0x1001);
    let cut = 90;
    cap.send(
        true,
        port,
        443,
        &initial(&client, &dcid, &client_cid, &[], 0, &crypto(0, &hello[..cut]), CLIENT_DATAGRAM),
    );
    let rest = crypto(cut as u64, &hello[cut..]);
    cap.send(true, port, 443, &initial(&client, &dcid, &client_cid, &[], 1, &rest, CLIENT_DATAGRAM));
    let frames = [ack(1), crypto(0, &server_hello(0x2001))].concat();
    let datagram = [
        initial(&server, &client_cid, &server_cid, &[], 0, &frames, 0),
        handshake_packet(&client_cid, &server_cid, 0x2002, 300),
    ]
    .concat();
    cap.send(false, port, 443, &datagram);
    let short = [&[0x41][..], &server_cid, &noise(0x1003, 40)].concat();
    cap.send(true, port, 443, &short);
}

/// 2: the ClientHello's second CRYPTO frame arrives first.
fn reordered_hello(cap: &mut Capture) {
    let (port, dcid, client_cid) = (50_002, cid(0x201, 8), cid(0x202, 8));
    let client = Keys::initial(&dcid, "client in");
    let hello = client_hello("reorder.example.net", 0x1002);
    let cut = 120;
    let late = crypto(cut as u64, &hello[cut..]);
    cap.send(true, port, 443, &initial(&client, &dcid, &client_cid, &[], 1, &late, CLIENT_DATAGRAM));
    let early = crypto(0, &hello[..cut]);
    cap.send(true, port, 443, &initial(&client, &dcid, &client_cid, &[], 0, &early, CLIENT_DATAGRAM));
}

/// 3: a Retry, and the handshake under the connection ID it gives.
fn retried(cap: &mut Capture) {
    let (port, first_dcid, client_cid, retry_cid) = (50_003, cid(0x301, 8), cid(0x302, 8), cid(0x303, 8));
    let hello = crypto(0, &client_hello("retry.example.org", 0x1003));
    let first = Keys::initial(&first_dcid, "client in");
    cap.send(true, port, 443, &initial(&first, &first_dcid, &client_cid, &[], 0, &hello, CLIENT_DATAGRAM));
    let token = noise(0x304, 24);
    cap.send(false, port, 443, &retry(&first_dcid, &client_cid, &retry_cid, &token));
    let client = Keys::initial(&retry_cid, "client in");
    cap.send(true, port, 443, &initial(&client, &retry_cid, &client_cid, &token, 1, &hello, CLIENT_DATAGRAM));
    let server = Keys::initial(&retry_cid, "server in");
    let frames = [ack(1), crypto(0, &server_hello(0x2003))].concat();
    cap.send(false, port, 443, &initial(&server, &client_cid, &retry_cid, &[], 0, &frames, 0));
}

/// 4: a handshake on UDP port 8443.
fn other_port(cap: &mut Capture) {
    let (port, dcid, client_cid, server_cid) = (50_004, cid(0x401, 8), cid(0x402, 8), cid(0x403, 8));
    let (client, server) = (Keys::initial(&dcid, "client in"), Keys::initial(&dcid, "server in"));
    let hello = crypto(0, &client_hello("alt-port.example.com", 0x1004));
    cap.send(true, port, 8443, &initial(&client, &dcid, &client_cid, &[], 0, &hello, CLIENT_DATAGRAM));
    let frames = [ack(0), crypto(0, &server_hello(0x2004))].concat();
    cap.send(false, port, 8443, &initial(&server, &client_cid, &server_cid, &[], 0, &frames, 0));
}

/// 6: the server acknowledges the first half of the ClientHello with its own connection ID,
/// to which the client sends the second half, still under the first Initial keys.
fn hello_to_server_cid(cap: &mut Capture) {
    let (port, dcid, client_cid, server_cid) = (50_006, cid(0x601, 8), cid(0x602, 8), cid(0x603, 8));
    let (client, server) = (Keys::initial(&dcid, "client in"), Keys::initial(&dcid, "server in"));
    let hello = client_hello("acked.example.com", 0x1006);
    let cut = 100;
    cap.send(
        true,
        port,
        443,
        &initial(&client, &dcid, &client_cid, &[], 0, &crypto(0, &hello[..cut]), CLIENT_DATAGRAM),
    );
    cap.send(false, port, 443, &initial(&server, &client_cid, &server_cid, &[], 0, &ack(0), 0));
    let rest = crypto(cut as u64, &hello[cut..]);
    cap.send(true, port, 443, &initial(&client, &server_cid, &client_cid, &[], 1, &rest, CLIENT_DATAGRAM));
}

/// 5: an Initial altered in flight (one ciphertext byte flipped).
fn forged(cap: &mut Capture) {
    let (port, dcid, client_cid) = (50_005, cid(0x501, 8), cid(0x502, 8));
    let client = Keys::initial(&dcid, "client in");
    let hello = crypto(0, &client_hello("forged.example.com", 0x1005));
    let mut packet = initial(&client, &dcid, &client_cid, &[], 0, &hello, CLIENT_DATAGRAM);
    packet[100] ^= 0x01;
    cap.send(true, port, 443, &packet);
}

/// The capture: the connections one after another, a millisecond between frames.
pub fn capture() -> Vec<u8> {
    let mut cap = Capture { frames: Vec::new(), ip_id: 0x5100 };
    for connection in [split_hello, reordered_hello, retried, other_port, forged, hello_to_server_cid] {
        connection(&mut cap);
    }
    let mut w = PcapWriter::new(1, 65535, Endian::Little, false);
    for (i, frame) in cap.frames.iter().enumerate() {
        w.packet(T0 + i as u64 * 1_000_000, frame);
    }
    w.finish()
}
