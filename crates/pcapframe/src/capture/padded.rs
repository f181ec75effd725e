//! [`PaddedBlockLengths`]: pcapng blocks whose length field leaves out the padding.
//!
//! Old NTAR-era writers padded a block's data to 4 bytes on disk but stored the unpadded length
//! in both of the block's length fields (a 94-byte Packet Block takes 96 bytes). tshark reads
//! such files as if the length were rounded up; pcap-parser requires lengths that are multiples
//! of 4. This reader sits between the file and pcap-parser and rewrites both copies of such a
//! length to the padded value. Everything else passes through untouched, so byte offsets in
//! error messages stay those of the file, and a length too damaged to frame a block (under 12)
//! is passed on as it is for the reader to report.

use std::io::{self, Read};

const SECTION_HEADER: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];
const BIG_ENDIAN_MAGIC: [u8; 4] = [0x1a, 0x2b, 0x3c, 0x4d];

/// Where in the block structure the next byte of input is.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// At a block's type and length (and, for a section header, its byte-order magic).
    Header,
    /// Inside a block's body: `remaining` bytes before its trailing length (read when this
    /// reaches 0); `length` is the block's length, rounded up.
    Body { remaining: u64, length: u32 },
    /// The structure is lost (a length under 12): everything passes through as it is.
    Passthrough,
}

/// A [`Read`] over a pcapng stream that rounds block lengths up to a multiple of 4.
pub(crate) struct PaddedBlockLengths<R> {
    inner: R,
    part: Part,
    big_endian: bool,
    /// Rewritten header or trailer bytes waiting to be handed out.
    pending: [u8; 12],
    pending_start: usize,
    pending_end: usize,
    rewritten: u64,
}

impl<R: Read> PaddedBlockLengths<R> {
    /// Wraps a pcapng stream positioned at its first section header.
    pub fn new(inner: R) -> Self {
        PaddedBlockLengths {
            inner,
            part: Part::Header,
            big_endian: false,
            pending: [0; 12],
            pending_start: 0,
            pending_end: 0,
            rewritten: 0,
        }
    }

    /// How many blocks had their length rounded up so far.
    #[cfg(test)]
    pub fn rewritten(&self) -> u64 {
        self.rewritten
    }

    fn u32_at(&self, bytes: &[u8]) -> u32 {
        let b: [u8; 4] = bytes.try_into().unwrap_or_default();
        if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    }

    fn encode(&self, v: u32) -> [u8; 4] {
        if self.big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }

    /// Reads a block header into `pending` and decides how to pass its body on.
    fn start_block(&mut self) -> io::Result<()> {
        let got = read_full(&mut self.inner, &mut self.pending[..8])?;
        self.pending_start = 0;
        self.pending_end = got;
        if got < 8 {
            self.part = Part::Passthrough;
            return Ok(());
        }
        let mut header_len = 8;
        if self.pending[..4] == SECTION_HEADER {
            let got = read_full(&mut self.inner, &mut self.pending[8..12])?;
            self.pending_end += got;
            if got < 4 {
                self.part = Part::Passthrough;
                return Ok(());
            }
            self.big_endian = self.pending[8..12] == BIG_ENDIAN_MAGIC;
            header_len = 12;
        }
        let length = self.u32_at(&self.pending[4..8]);
        if length < 12 || (length as usize) < header_len + 4 {
            self.part = Part::Passthrough;
            return Ok(());
        }
        let padded = length.checked_next_multiple_of(4).unwrap_or(length);
        if padded != length {
            let encoded = self.encode(padded);
            self.pending[4..8].copy_from_slice(&encoded);
            self.rewritten += 1;
        }
        self.part = Part::Body { remaining: u64::from(padded) - header_len as u64 - 4, length: padded };
        Ok(())
    }

    /// Reads a block's trailing length into `pending`, rewritten as the block's rounded-up
    /// length when it rounds up to it.
    fn end_block(&mut self, length: u32) -> io::Result<()> {
        let got = read_full(&mut self.inner, &mut self.pending[..4])?;
        self.pending_start = 0;
        self.pending_end = got;
        if got < 4 {
            self.part = Part::Passthrough;
            return Ok(());
        }
        // tshark compares the two lengths rounded up (93 and 95 agree); a trailer that still
        // disagrees is left as it is for the reader to report.
        let trailer = self.u32_at(&self.pending[..4]);
        if trailer != length && trailer.checked_next_multiple_of(4) == Some(length) {
            let encoded = self.encode(length);
            self.pending[..4].copy_from_slice(&encoded);
        }
        self.part = Part::Header;
        Ok(())
    }
}

impl<R: Read> PaddedBlockLengths<R> {
    /// Hands out the next piece of the stream (pending bytes, or body bytes read straight into
    /// `buf`); the flag says the input had no more to give at once (a short read, or the end).
    fn read_piece(&mut self, buf: &mut [u8]) -> io::Result<(usize, bool)> {
        if self.pending_start < self.pending_end {
            let n = (self.pending_end - self.pending_start).min(buf.len());
            buf[..n].copy_from_slice(&self.pending[self.pending_start..self.pending_start + n]);
            self.pending_start += n;
            return Ok((n, false));
        }
        match self.part {
            Part::Passthrough => {
                let n = self.inner.read(buf)?;
                Ok((n, n < buf.len()))
            }
            Part::Header => {
                self.start_block()?;
                Ok((0, self.pending_end == 0)) // nothing pending: the stream ended between blocks
            }
            Part::Body { remaining: 0, length } => {
                self.end_block(length)?;
                Ok((0, false))
            }
            Part::Body { remaining, length } => {
                let want = buf.len().min(usize::try_from(remaining).unwrap_or(usize::MAX));
                let n = self.inner.read(&mut buf[..want])?;
                self.part = Part::Body { remaining: remaining - n as u64, length };
                Ok((n, n < want))
            }
        }
    }
}

/// Fills `buf` across block boundaries for as long as the input keeps up (pcap-parser parses the
/// section header from its first read, so that read must not stop at the header's first bytes).
impl<R: Read> Read for PaddedBlockLengths<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut filled = 0;
        while filled < buf.len() {
            let (n, short) = self.read_piece(&mut buf[filled..])?;
            filled += n;
            if short {
                break;
            }
        }
        Ok(filled)
    }
}

/// Reads until `buf` is full or the stream ends; returns how many bytes were read.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match input.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block of `block_type` whose body is `body` padded to 4, with `length` in both fields.
    fn block(big: bool, block_type: u32, body: &[u8], length: u32) -> Vec<u8> {
        let enc = |v: u32| if big { v.to_be_bytes() } else { v.to_le_bytes() };
        let mut b = enc(block_type).to_vec();
        b.extend_from_slice(&enc(length));
        b.extend_from_slice(body);
        b.resize(b.len().next_multiple_of(4), 0);
        b.extend_from_slice(&enc(length));
        b
    }

    fn shb(big: bool) -> Vec<u8> {
        let enc = |v: u32| if big { v.to_be_bytes() } else { v.to_le_bytes() };
        let mut body = enc(0x1a2b_3c4d).to_vec();
        body.extend_from_slice(&[0, 1, 0, 0]); // version 1.0 (endianness irrelevant for this test)
        body.extend_from_slice(&[0xff; 8]);
        block(big, 0x0a0d_0d0a, &body, 28)
    }

    /// Reads everything through the adapter in chunks of `chunk` bytes.
    fn through(input: &[u8], chunk: usize) -> (Vec<u8>, u64) {
        let mut r = PaddedBlockLengths::new(input);
        let mut out = Vec::new();
        let mut buf = vec![0; chunk];
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        (out, r.rewritten())
    }

    #[test]
    fn unpadded_lengths_are_rounded_up_in_both_fields() {
        for big in [false, true] {
            let mut file = shb(big);
            file.extend(block(big, 2, &[7; 22], 12 + 22)); // 34 written, 36 on disk
            file.extend(block(big, 6, &[9; 20], 32)); // already aligned
            let mut expected = shb(big);
            expected.extend(block(big, 2, &[7; 22], 36));
            expected.extend(block(big, 6, &[9; 20], 32));
            for chunk in [1, 3, 7, 64, 4096] {
                assert_eq!(through(&file, chunk), (expected.clone(), 1), "big {big} chunk {chunk}");
            }
        }
    }

    #[test]
    fn damaged_structure_passes_through_unchanged() {
        let mut file = shb(false);
        file.extend_from_slice(&6u32.to_le_bytes());
        file.extend_from_slice(&5u32.to_le_bytes()); // a length under 12: nothing more is framed
        file.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(through(&file, 5).0, file);
        // Cut inside a body, and a trailer that disagrees with its header.
        let mut cut = shb(false);
        cut.extend(block(false, 2, &[7; 22], 34));
        let n = cut.len();
        // Trailers that round up to the header's padded length agree with it, as in tshark.
        cut[n - 4..].copy_from_slice(&35u32.to_le_bytes());
        assert_eq!(&through(&cut, 8).0[n - 4..], &36u32.to_le_bytes());
        cut[n - 4..].copy_from_slice(&99u32.to_le_bytes());
        let (out, _) = through(&cut, 8);
        assert_eq!(&out[n - 4..], &99u32.to_le_bytes());
        assert_eq!(through(&cut[..40], 8).0, {
            let mut e = shb(false);
            e.extend(block(false, 2, &[7; 22], 36));
            e.truncate(40);
            e
        });
    }
}
