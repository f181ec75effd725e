//! A small DEFLATE (RFC 1951) encoder with gzip (RFC 1952) and zlib (RFC 1950) wrappers.
//!
//! The fixtures cannot use a general-purpose compressor: flate2's output depends on its backend,
//! which Cargo's feature unification picks (a workspace build turns on `zlib-rs` through
//! polars-parquet; building this crate alone uses miniz_oxide), and the two compress differently.
//! This encoder's output depends on nothing but its input: greedy LZ77 matching (the longest and
//! then nearest earlier match), fixed Huffman codes, optionally a stored block first.

use crate::packet::crc32;

/// Writes bits least significant first, as DEFLATE packs them.
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u32,
    n: u32,
}

impl Bits {
    /// The low `len` bits of `value`, least significant first (header fields, extra bits).
    fn put(&mut self, value: u32, len: u32) {
        for i in 0..len {
            self.acc |= ((value >> i) & 1) << self.n;
            self.n += 1;
            if self.n == 8 {
                self.out.push(self.acc as u8);
                self.acc = 0;
                self.n = 0;
            }
        }
    }

    /// A Huffman code of `len` bits, most significant first.
    fn code(&mut self, code: u32, len: u32) {
        for i in (0..len).rev() {
            self.put((code >> i) & 1, 1);
        }
    }

    fn align(&mut self) {
        if self.n > 0 {
            self.put(0, 8 - self.n);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        self.align();
        self.out
    }
}

const LENGTH_BASE: [u16; 29] =
    [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA: [u8; 29] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
    8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] =
    [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

/// A literal/length symbol in the fixed Huffman code.
fn fixed_symbol(bits: &mut Bits, symbol: u16) {
    let s = u32::from(symbol);
    match symbol {
        0..=143 => bits.code(0x30 + s, 8),
        144..=255 => bits.code(0x190 + s - 144, 9),
        256..=279 => bits.code(s - 256, 7),
        _ => bits.code(0xc0 + s - 280, 8),
    }
}

/// The index of the last base not above `value`.
fn bucket(bases: &[u16], value: usize) -> usize {
    bases.iter().rposition(|&b| usize::from(b) <= value).unwrap()
}

/// The longest (then nearest) earlier match of at least 3 bytes for `data[at..]`, as
/// (length, distance).
fn longest_match(data: &[u8], at: usize) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    for from in at.saturating_sub(32_768)..at {
        let len = (0..258.min(data.len() - at)).take_while(|&k| data[from + k] == data[at + k]).count();
        if len >= 3 && best.is_none_or(|(l, _)| len >= l) {
            best = Some((len, at - from));
        }
    }
    best
}

/// Raw DEFLATE of `data`: `data[..stored]` in a stored block (if not empty), the rest in a final
/// fixed-Huffman block whose matches may reach back into the stored bytes.
pub fn deflate(data: &[u8], stored: usize) -> Vec<u8> {
    let mut bits = Bits::default();
    if stored > 0 {
        bits.put(0, 1);
        bits.put(0b00, 2);
        bits.align();
        let len = stored as u16;
        bits.put(u32::from(len), 16);
        bits.put(u32::from(!len), 16);
        for &b in &data[..stored] {
            bits.put(u32::from(b), 8);
        }
    }
    bits.put(1, 1);
    bits.put(0b01, 2);
    let mut at = stored;
    while at < data.len() {
        match longest_match(data, at) {
            Some((len, dist)) => {
                let l = bucket(&LENGTH_BASE, len);
                fixed_symbol(&mut bits, 257 + l as u16);
                bits.put((len - usize::from(LENGTH_BASE[l])) as u32, u32::from(LENGTH_EXTRA[l]));
                let d = bucket(&DIST_BASE, dist);
                bits.code(d as u32, 5);
                bits.put((dist - usize::from(DIST_BASE[d])) as u32, u32::from(DIST_EXTRA[d]));
                at += len;
            }
            None => {
                fixed_symbol(&mut bits, u16::from(data[at]));
                at += 1;
            }
        }
    }
    fixed_symbol(&mut bits, 256);
    bits.finish()
}

/// A gzip member (no file name, no modification time, "Unix") around [`deflate`]`(data, 0)`.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    out.extend(deflate(data, 0));
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// A zlib stream (32 kB window, default level) around [`deflate`]`(data, stored)`.
pub fn zlib(data: &[u8], stored: usize) -> Vec<u8> {
    let mut out = vec![0x78, 0x9c];
    out.extend(deflate(data, stored));
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    const TEXT: &[u8] =
        b"gzip: the quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog.";

    fn inflate(mut reader: impl Read) -> Vec<u8> {
        let mut out = Vec::new();
        reader.read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn flate2_inflates_what_this_writes() {
        let samples: [&[u8]; 4] = [TEXT, b"", b"a", &[b'a'; 300]];
        for data in samples {
            assert_eq!(inflate(flate2::read::GzDecoder::new(&gzip(data)[..])), data);
            assert_eq!(inflate(flate2::read::DeflateDecoder::new(&deflate(data, 0)[..])), data);
        }
        for stored in [0, 1, 30, TEXT.len() - 1] {
            assert_eq!(inflate(flate2::read::ZlibDecoder::new(&zlib(TEXT, stored)[..])), TEXT);
        }
        let long: Vec<u8> = (0..3_000u32).map(|i| (i % 251) as u8 ^ (i / 700) as u8).collect();
        assert_eq!(inflate(flate2::read::DeflateDecoder::new(&deflate(&long, 0)[..])), long);
    }

    #[test]
    fn repetition_is_compressed() {
        assert!(gzip(TEXT).len() < TEXT.len());
    }
}
