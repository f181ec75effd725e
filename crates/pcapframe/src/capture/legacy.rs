//! Legacy pcap records, read straight from a buffer of our own.
//!
//! A legacy pcap file is a header and then records, each a 16-byte header and its data. Its
//! records need no block bookkeeping, so they are read without pcap-parser's streaming reader:
//! its per-record cost (a block enum returned through memory, a circular buffer behind a trait
//! object) was a quarter of a `frame.len` read. A record's header is four 32-bit words, read
//! here in place ([`RecordHeader`]); its unit test holds it to pcap-parser's frame parser, which
//! returned the same through a `nom` result at three times the cost.

use std::io::Read;

use super::read_ahead::{OwnedInput, ReadAhead, HEADROOM};

/// Bytes of a record's header: seconds, fraction, captured length, wire length.
const RECORD_HEADER: usize = 16;

/// The four words of a record's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RecordHeader {
    ts_sec: u32,
    ts_frac: u32,
    caplen: u32,
    wire_len: u32,
}

impl RecordHeader {
    /// The header at the start of `bytes` (at least [`RECORD_HEADER`] of them), in the file's
    /// byte order.
    #[inline]
    fn read(bytes: &[u8; RECORD_HEADER], big_endian: bool) -> Self {
        let word = |at: usize| {
            let b = [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
            if big_endian {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            }
        };
        RecordHeader { ts_sec: word(0), ts_frac: word(4), caplen: word(8), wire_len: word(12) }
    }
}

/// One record's header fields and where its data lies in the buffer.
#[derive(Debug, Clone, Copy)]
pub(super) struct LegacyRecord {
    pub ts_sec: u32,
    /// Micro- or nanoseconds, as the file header says.
    pub ts_frac: u32,
    pub wire_len: u32,
    /// Byte offset of the record in the file.
    pub offset: u64,
    /// Where its data is in memory (see [`LegacyRecords::bytes_at`]), and how long.
    pub data_addr: usize,
    pub data_len: usize,
}

/// Why a record could not be read; the reader adds the position.
#[derive(Debug)]
pub(super) enum LegacyProblem {
    /// The captured length is larger than `max_packet`.
    TooLong { caplen: u32 },
    /// The file ends inside a record: `needed` more bytes were expected.
    CutShort { needed: u64 },
    /// The input failed.
    Io(std::io::Error),
}

/// Where the bytes after the first buffer come from.
pub(super) enum Input<'r> {
    /// Read here, into the buffer, as they are needed.
    Direct(Box<dyn Read + Send + 'r>),
    /// The same, from an input that can move to a thread of its own (see
    /// [`LegacyRecords::read_ahead`]).
    Owned(OwnedInput),
    /// Read ahead on a thread of their own, in chunks that become the buffer in turn.
    Ahead(ReadAhead),
    /// Taken out while it changes.
    Moving,
}

impl Input<'_> {
    /// The input to read here, when it is read here.
    fn direct(&mut self) -> Option<&mut dyn Read> {
        match self {
            Input::Direct(input) => Some(input.as_mut()),
            Input::Owned(input) => Some(input.as_mut()),
            Input::Ahead(_) | Input::Moving => None,
        }
    }
}

/// The records of a legacy pcap file, after its header.
pub(super) struct LegacyRecords<'r> {
    input: Input<'r>,
    buffer: Vec<u8>,
    /// Unread bytes are `buffer[start..end]`.
    start: usize,
    end: usize,
    /// File offset of `buffer[start]`.
    offset: u64,
    exhausted: bool,
    big_endian: bool,
}

impl<'r> LegacyRecords<'r> {
    /// Records that follow the file header. `head` holds the first bytes of the file, read
    /// already (its first `header_len` bytes are the file header); `input` the rest. Read
    /// directly, the buffer holds `capacity` bytes, and grows only for a longer record.
    pub fn new(head: Vec<u8>, header_len: usize, input: Input<'r>, big_endian: bool, capacity: usize) -> Self {
        let end = head.len();
        let mut buffer = head;
        if !matches!(input, Input::Ahead(_)) {
            buffer.resize(capacity.max(end), 0);
        }
        LegacyRecords {
            input,
            buffer,
            start: header_len.min(end),
            end,
            offset: header_len.min(end) as u64,
            exhausted: false,
            big_endian,
        }
    }

    /// From now on, reads the input ahead of the parsing on a thread of its own, if it can move
    /// there (see [`super::read_ahead`]); otherwise goes on reading it here.
    pub fn read_ahead(&mut self) {
        if let Input::Owned(input) = std::mem::replace(&mut self.input, Input::Moving) {
            self.input = match ReadAhead::spawn(input) {
                Ok(ahead) => Input::Ahead(ahead),
                Err(input) => Input::Owned(input),
            };
        }
    }

    /// Byte offset in the file of the next record.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The next record (consumed: its data stays in the buffer until the next call), or `None`
    /// at the end of the file.
    #[inline]
    pub fn advance(&mut self, max_packet: u32) -> Result<Option<LegacyRecord>, LegacyProblem> {
        if !self.make_available(RECORD_HEADER)? {
            return match self.end - self.start {
                0 => Ok(None),
                _ => Err(LegacyProblem::CutShort { needed: self.missing() }),
            };
        }
        let header = match self.buffer[self.start..].first_chunk::<RECORD_HEADER>() {
            Some(bytes) => RecordHeader::read(bytes, self.big_endian),
            // `make_available` saw to it that the header is in the buffer.
            None => return Err(LegacyProblem::CutShort { needed: self.missing() }),
        };
        if header.caplen > max_packet {
            return Err(LegacyProblem::TooLong { caplen: header.caplen });
        }
        let len = RECORD_HEADER + header.caplen as usize;
        if !self.make_available(len)? {
            return Err(LegacyProblem::CutShort { needed: self.missing() });
        }
        let record = LegacyRecord {
            ts_sec: header.ts_sec,
            ts_frac: header.ts_frac,
            wire_len: header.wire_len,
            offset: self.offset,
            data_addr: self.buffer.as_ptr() as usize + self.start + RECORD_HEADER,
            data_len: header.caplen as usize,
        };
        self.start += len;
        self.offset += len as u64;
        Ok(Some(record))
    }

    /// The `len` bytes at address `addr` of the buffer: the data of the record
    /// [`Self::advance`] returned last.
    pub fn bytes_at(&self, addr: usize, len: usize) -> &[u8] {
        let start = addr - self.buffer.as_ptr() as usize;
        &self.buffer[start..start + len]
    }

    /// The captured length the next record's header claims, if its bytes are there.
    fn claimed_caplen(&self) -> Option<u32> {
        let field: [u8; 4] = self.buffer.get(self.start + 8..self.start + 12)?.try_into().ok()?;
        Some(if self.big_endian { u32::from_be_bytes(field) } else { u32::from_le_bytes(field) })
    }

    /// At the end of the file: the bytes still missing from the record begun, by its header's
    /// captured length (1 when even that was cut off).
    fn missing(&self) -> u64 {
        let available = (self.end - self.start) as u64;
        let claimed = if available >= 12 { self.claimed_caplen().map(|c| u64::from(c) + 16) } else { None };
        claimed.map(|c| c.saturating_sub(available)).filter(|n| *n > 0).unwrap_or(1)
    }

    /// Reads until `n` unread bytes are in the buffer; `false` when the file ends first.
    #[inline]
    fn make_available(&mut self, n: usize) -> Result<bool, LegacyProblem> {
        if self.end - self.start >= n {
            return Ok(true);
        }
        self.refill(n)
    }

    /// [`LegacyRecords::make_available`] when the buffer holds too little.
    #[cold]
    fn refill(&mut self, n: usize) -> Result<bool, LegacyProblem> {
        while self.end - self.start < n {
            if self.exhausted {
                return Ok(false);
            }
            if let Some(input) = self.input.direct() {
                if self.start + n > self.buffer.len() {
                    self.buffer.copy_within(self.start..self.end, 0);
                    self.end -= self.start;
                    self.start = 0;
                    if n > self.buffer.len() {
                        self.buffer.resize(n.max(self.buffer.len() * 2), 0);
                    }
                }
                match input.read(&mut self.buffer[self.end..]) {
                    Ok(0) => self.exhausted = true,
                    Ok(got) => self.end += got,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(LegacyProblem::Io(e)),
                }
                continue;
            }
            match &mut self.input {
                // Read above (`Direct`, `Owned`), or lost while it changed (`Moving`).
                Input::Direct(_) | Input::Owned(_) | Input::Moving => self.exhausted = true,
                Input::Ahead(ahead) => match ahead.next_chunk() {
                    None => self.exhausted = true,
                    Some(Err(e)) => return Err(LegacyProblem::Io(e)),
                    Some(Ok(chunk)) => {
                        let (start, end) = (self.start, self.end);
                        let unread = end - start;
                        let mut next = chunk.bytes;
                        let data_end = HEADROOM + chunk.filled;
                        if unread <= HEADROOM {
                            // The record begun moves in front of the new bytes.
                            next[HEADROOM - unread..HEADROOM].copy_from_slice(&self.buffer[start..end]);
                            let used = std::mem::replace(&mut self.buffer, next);
                            ahead.recycle(used);
                            self.start = HEADROOM - unread;
                            self.end = data_end;
                        } else {
                            // Longer than the headroom (a limit raised past tshark's): joined
                            // by copying.
                            self.buffer.drain(..start);
                            self.buffer.truncate(unread);
                            self.buffer.extend_from_slice(&next[HEADROOM..data_end]);
                            ahead.recycle(next);
                            self.start = 0;
                            self.end = self.buffer.len();
                        }
                    }
                },
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out at most `step` bytes per read, so that records straddle every refill.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    /// A record: header fields in the given byte order, then `caplen` bytes of `fill`.
    fn record(big: bool, ts: (u32, u32), caplen: u32, wire: u32, fill: u8) -> Vec<u8> {
        let word = |v: u32| if big { v.to_be_bytes() } else { v.to_le_bytes() };
        let mut r = [word(ts.0), word(ts.1), word(caplen), word(wire)].concat();
        r.extend(std::iter::repeat_n(fill, caplen as usize));
        r
    }

    #[test]
    fn a_record_header_reads_as_pcap_parser_reads_it() {
        use pcap_parser::pcap::{parse_pcap_frame, parse_pcap_frame_be};
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..1000 {
            let mut words = [0u32; 4];
            for w in &mut words {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                *w = (state >> 32) as u32;
            }
            words[2] %= 64; // a captured length whose data follows
            for big in [false, true] {
                let mut bytes: Vec<u8> =
                    words.iter().flat_map(|w| if big { w.to_be_bytes() } else { w.to_le_bytes() }).collect();
                bytes.resize(RECORD_HEADER + words[2] as usize, 0xab);
                let parsed = if big { parse_pcap_frame_be(&bytes) } else { parse_pcap_frame(&bytes) };
                let (_, block) = parsed.expect("a whole header");
                let expected = RecordHeader {
                    ts_sec: block.ts_sec,
                    ts_frac: block.ts_usec,
                    caplen: block.caplen,
                    wire_len: block.origlen,
                };
                let header = bytes.first_chunk::<RECORD_HEADER>().expect("16 bytes");
                assert_eq!(RecordHeader::read(header, big), expected, "{words:08x?}, big-endian: {big}");
            }
        }
    }

    /// A record as read: seconds, fraction, wire length, offset, data.
    type Seen = (u32, u32, u32, u64, Vec<u8>);

    /// The records of `file` (past a 24-byte header), read in chunks of `step` with a buffer of
    /// `capacity`: (seconds, fraction, wire length, offset, data) each, then the problem, if any.
    fn read_all(file: &[u8], step: usize, capacity: usize, big: bool) -> (Vec<Seen>, Option<LegacyProblem>) {
        let input = Input::Direct(Box::new(Trickle { bytes: &file[24..], step }));
        records_of(file, input, big, capacity, 1000)
    }

    /// The records of `file` read from `input` (which holds what follows its first 24 bytes).
    fn records_of(
        file: &[u8],
        input: Input<'_>,
        big: bool,
        capacity: usize,
        max_packet: u32,
    ) -> (Vec<Seen>, Option<LegacyProblem>) {
        let head = file[..24].to_vec();
        let mut records = LegacyRecords::new(head, 24, input, big, capacity);
        let mut seen = Vec::new();
        loop {
            match records.advance(max_packet) {
                Ok(Some(r)) => {
                    let data = records.bytes_at(r.data_addr, r.data_len).to_vec();
                    seen.push((r.ts_sec, r.ts_frac, r.wire_len, r.offset, data));
                }
                Ok(None) => return (seen, None),
                Err(e) => return (seen, Some(e)),
            }
        }
    }

    fn file(big: bool, lengths: &[u32]) -> Vec<u8> {
        let mut f = vec![0u8; 24];
        for (i, len) in lengths.iter().enumerate() {
            f.extend(record(big, (i as u32, 7 * i as u32), *len, len + 4, i as u8));
        }
        f
    }

    #[test]
    fn records_straddling_refills_and_longer_than_the_buffer_are_read_whole() {
        let lengths = [0, 1, 60, 200, 15, 999, 3, 64];
        for big in [false, true] {
            let f = file(big, &lengths);
            for (step, capacity) in [(1, 32), (7, 40), (13, 64), (4096, 4096)] {
                let (seen, problem) = read_all(&f, step, capacity, big);
                assert!(problem.is_none(), "step {step}: {problem:?}");
                assert_eq!(seen.len(), lengths.len());
                let mut offset = 24;
                for (i, (sec, frac, wire, at, data)) in seen.iter().enumerate() {
                    assert_eq!((*sec, *frac, *wire, *at), (i as u32, 7 * i as u32, lengths[i] + 4, offset));
                    assert_eq!(data, &vec![i as u8; lengths[i] as usize]);
                    offset += 16 + u64::from(lengths[i]);
                }
            }
        }
    }

    #[test]
    fn a_file_cut_short_says_how_many_bytes_are_missing() {
        let whole = file(false, &[10, 20]);
        // Cut inside the second record's data, inside its header past the captured length, and
        // before it.
        for (cut, needed) in [(whole.len() - 5, 5), (24 + 26 + 12, 24), (24 + 26 + 5, 1)] {
            let (seen, problem) = read_all(&whole[..cut], 3, 32, false);
            assert_eq!(seen.len(), 1, "cut at {cut}");
            assert!(
                matches!(problem, Some(LegacyProblem::CutShort { needed: n }) if n == needed),
                "cut at {cut}: {problem:?}"
            );
        }
    }

    #[test]
    fn an_absurd_captured_length_is_refused_before_anything_is_allocated() {
        let mut f = file(false, &[10]);
        f.extend(record(false, (1, 1), 0, 0, 0));
        f[24 + 26 + 8..24 + 26 + 12].copy_from_slice(&u32::MAX.to_le_bytes());
        let (seen, problem) = read_all(&f, 64, 64, false);
        assert_eq!(seen.len(), 1);
        assert!(matches!(problem, Some(LegacyProblem::TooLong { caplen: u32::MAX })), "{problem:?}");
    }

    #[test]
    fn records_read_ahead_match_records_read_directly() {
        // Lengths that put record boundaries everywhere in the chunks, and one record longer
        // than a chunk (past tshark's limit).
        let mut lengths: Vec<u32> = (0..3000).map(|i| (i * 7919 % 1600) as u32).collect();
        lengths.insert(1500, 300_000);
        let f = file(true, &lengths);
        let mut records = LegacyRecords::new(
            f[..24].to_vec(),
            24,
            Input::Owned(Box::new(std::io::Cursor::new(f[24..].to_vec()))),
            true,
            1 << 18,
        );
        // Read ahead from the second record on.
        let first = records.advance(400_000).unwrap().unwrap();
        assert_eq!(records.bytes_at(first.data_addr, first.data_len).len(), 0);
        records.read_ahead();
        assert!(matches!(records.input, Input::Ahead(_)));
        let mut seen = vec![];
        let problem = loop {
            match records.advance(400_000) {
                Ok(Some(r)) => {
                    let data = records.bytes_at(r.data_addr, r.data_len).to_vec();
                    seen.push((r.ts_sec, r.ts_frac, r.wire_len, r.offset, data));
                }
                Ok(None) => break None,
                Err(e) => break Some(e),
            }
        };
        assert!(problem.is_none(), "{problem:?}");
        let direct = Input::Direct(Box::new(Trickle { bytes: &f[24..], step: 4096 }));
        let (expected, _) = records_of(&f, direct, true, 1 << 18, 400_000);
        assert_eq!(seen.len() + 1, lengths.len());
        assert!(seen == expected[1..]);
    }

    /// Hands out `bytes`, then fails.
    struct FailsAtEnd(std::io::Cursor<Vec<u8>>);

    impl Read for FailsAtEnd {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.0.read(buf)? {
                0 => Err(std::io::Error::other("disk gone")),
                n => Ok(n),
            }
        }
    }

    #[test]
    fn records_read_ahead_before_a_failed_read_are_delivered_then_the_failure() {
        let f = file(false, &[100; 50]);
        let owned: OwnedInput = Box::new(FailsAtEnd(std::io::Cursor::new(f[24..].to_vec())));
        let ahead = Input::Ahead(ReadAhead::spawn(owned).map_err(|_| "no thread").unwrap());
        let (seen, problem) = records_of(&f, ahead, false, 1 << 18, 1000);
        assert_eq!(seen.len(), 50);
        assert!(matches!(&problem, Some(LegacyProblem::Io(e)) if e.to_string() == "disk gone"), "{problem:?}");
    }
}
