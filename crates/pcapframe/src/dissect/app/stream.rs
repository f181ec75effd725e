//! In-order delivery of a TCP connection's data to an application dissector, as tshark's
//! default reassembly sees it: a segment starting among bytes already delivered is a retransmission and not passed up
//! (not even the new bytes at its end); a segment that
//! arrives after a gap is held until the missing bytes come (a retransmission that fills the
//! gap completes the message on its own frame), within a cap past which the gap is given up.

use std::borrow::Cow;
use std::collections::BTreeMap;

/// The most bytes held after a gap, per direction, before the gap is given up.
pub(crate) const MAX_HELD_BYTES: usize = 4 << 20;

/// What one direction of a connection has delivered so far, and what waits behind a gap.
#[derive(Debug, Clone, Default)]
pub(crate) struct InOrder {
    /// Relative sequence number of the next byte expected.
    next: Option<u32>,
    /// Segments past a gap, by relative sequence number.
    held: BTreeMap<u32, Vec<u8>>,
    held_bytes: usize,
    /// Bytes were passed over (not captured): the next delivery follows a gap.
    passed_over: bool,
    /// The last delivery was one byte (a zero-window probe, perhaps).
    last_was_one_byte: bool,
}

/// Whether the dissector waits for the rest of a message, so that segments past a gap are
/// held for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hold {
    /// No message waits: a segment past a gap is delivered at once.
    No,
    /// A message of unknown length waits: everything past a gap is held.
    Unknown,
    /// A message waits for this many more bytes: a segment starting past them begins the
    /// next message, and the waiting one is given up.
    Bytes(usize),
}

/// The bytes a segment makes available, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Delivery<'a> {
    /// Bytes not delivered before, in order.
    pub data: Cow<'a, [u8]>,
    /// Bytes were lost before these (whatever was pending is incomplete for good).
    pub gap: bool,
}

/// `a` after `b` in sequence space.
fn after(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

impl InOrder {
    /// Bytes held after a gap.
    pub fn held_bytes(&self) -> usize {
        self.held_bytes
    }

    /// Takes a segment starting at relative sequence `seq` with `payload` (all of it captured).
    /// Returns the bytes that are now in order and were not delivered before. `holding`: the
    /// dissector waits for the rest of a message, so a segment past a gap is held for it (else
    /// it is delivered at once, after the gap).
    pub fn accept<'a>(&mut self, seq: u32, payload: &'a [u8], hold: Hold) -> Option<Delivery<'a>> {
        let end = seq.wrapping_add(payload.len() as u32);
        let Some(next) = self.next else {
            self.next = Some(end);
            self.last_was_one_byte = payload.len() == 1;
            return Some(Delivery { data: Cow::Borrowed(payload), gap: false });
        };
        let gap = std::mem::take(&mut self.passed_over);
        if !after(end, next) {
            return None; // all seen before: a retransmission
        }
        if after(seq, next) {
            let past_message = match hold {
                Hold::No => true,
                Hold::Unknown => false,
                Hold::Bytes(n) => !after(next.wrapping_add(n as u32), seq),
            };
            if past_message && self.held.is_empty() {
                self.next = Some(end);
                return Some(Delivery { data: Cow::Borrowed(payload), gap: true });
            }
            if past_message {
                // Give up the waiting message: carry on from this segment (and what follows it).
                self.held.retain(|&s, _| !after(seq, s));
                self.held_bytes = self.held.values().map(Vec::len).sum();
                self.next = Some(end);
                let mut data = payload.to_vec();
                self.release(&mut data);
                return Some(Delivery { data: Cow::Owned(data), gap: true });
            }
            return self.hold(seq, payload);
        }
        let probed = self.last_was_one_byte && seq == next.wrapping_sub(1);
        if after(next, seq) && !probed {
            // Starts among bytes already delivered: tshark does not pass a retransmission up,
            // even the new bytes at its end.
            return None;
        }
        // Data sent after a zero-window probe repeats the probe's byte: the rest is new.
        let fresh = if probed { &payload[1..] } else { payload };
        self.last_was_one_byte = payload.len() == 1;
        self.next = Some(end);
        if self.held.is_empty() {
            return Some(Delivery { data: Cow::Borrowed(fresh), gap });
        }
        let mut data = fresh.to_vec();
        self.release(&mut data);
        Some(Delivery { data: Cow::Owned(data), gap })
    }

    /// Notes a segment whose payload was not all captured: its bytes cannot be delivered, so
    /// what follows comes after a gap.
    pub fn pass_over(&mut self, seq: u32, wire_len: u32) {
        let end = seq.wrapping_add(wire_len);
        if self.next.is_none_or(|next| after(end, next)) {
            self.next = Some(end);
            self.passed_over = true;
        }
    }

    /// Keeps a segment that arrived after a gap; gives the gap up when too much waits.
    fn hold<'a>(&mut self, seq: u32, payload: &'a [u8]) -> Option<Delivery<'a>> {
        if self.held_bytes + payload.len() > MAX_HELD_BYTES {
            // The gap will not be filled in time: carry on from the oldest held bytes.
            let mut data = Vec::new();
            if let Some((&first, _)) = self.held.iter().next() {
                self.next = Some(first);
                self.release(&mut data);
            }
            return Some(Delivery { data: Cow::Owned(data), gap: true });
        }
        self.held_bytes += payload.len();
        self.held.entry(seq).or_insert_with(|| payload.to_vec());
        None
    }

    /// Appends the held segments that now follow on, in order.
    fn release(&mut self, data: &mut Vec<u8>) {
        let Some(mut next) = self.next else { return };
        while let Some((&seq, _)) = self.held.iter().find(|(&s, _)| !after(s, next)) {
            let bytes = self.held.remove(&seq).unwrap_or_default();
            self.held_bytes -= bytes.len();
            let end = seq.wrapping_add(bytes.len() as u32);
            if after(end, next) {
                data.extend_from_slice(&bytes[next.wrapping_sub(seq) as usize..]);
                next = end;
            }
        }
        self.next = Some(next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(s: &mut InOrder, seq: u32, payload: &'static [u8]) -> Option<(Vec<u8>, bool)> {
        s.accept(seq, payload, Hold::Unknown).map(|d| (d.data.into_owned(), d.gap))
    }

    #[test]
    fn passes_new_bytes_once() {
        let mut s = InOrder::default();
        assert_eq!(accept(&mut s, 1, b"abc"), Some((b"abc".to_vec(), false)));
        assert_eq!(accept(&mut s, 1, b"abc"), None, "retransmission");
        assert_eq!(accept(&mut s, 2, b"bcde"), None, "overlapping: a retransmission, not passed up");
        assert_eq!(accept(&mut s, 4, b"d"), Some((b"d".to_vec(), false)));
    }

    #[test]
    fn holds_segments_after_a_gap_until_it_is_filled() {
        let mut s = InOrder::default();
        accept(&mut s, 1, b"ab");
        assert_eq!(accept(&mut s, 5, b"ef"), None, "held: 3..5 missing");
        assert_eq!(accept(&mut s, 7, b"g"), None);
        assert_eq!(accept(&mut s, 3, b"cd"), Some((b"cdefg".to_vec(), false)), "the gap filled");
        assert_eq!(accept(&mut s, 8, b"h"), Some((b"h".to_vec(), false)));
    }

    #[test]
    fn delivers_past_a_gap_at_once_when_no_message_waits() {
        let mut s = InOrder::default();
        s.accept(1, b"ab", Hold::No);
        let d = s.accept(5, b"ef", Hold::No).unwrap();
        assert!(d.gap && *d.data == *b"ef");
        assert_eq!(s.accept(3, b"cd", Hold::No), None, "the late filler is a retransmission");
    }

    #[test]
    fn a_segment_past_the_waiting_message_begins_the_next() {
        let mut s = InOrder::default();
        s.accept(1, b"ab", Hold::No);
        assert_eq!(s.accept(5, b"ef", Hold::Bytes(6)), None, "within the message (3..9): held");
        let d = s.accept(9, b"NEXT", Hold::Bytes(6)).unwrap();
        assert!(d.gap && *d.data == *b"NEXT", "9.. begins the next message");
    }

    #[test]
    fn data_after_a_zero_window_probe_overlaps_it() {
        let mut s = InOrder::default();
        s.accept(1, b"ab", Hold::Unknown);
        assert_eq!(accept(&mut s, 3, b"c"), Some((b"c".to_vec(), false)), "the probe");
        assert_eq!(accept(&mut s, 3, b"c"), None, "the probe again");
        assert_eq!(accept(&mut s, 3, b"cde"), Some((b"de".to_vec(), false)));
    }

    #[test]
    fn gives_a_gap_up_past_the_cap() {
        let mut s = InOrder::default();
        accept(&mut s, 1, b"ab");
        static BIG: [u8; MAX_HELD_BYTES] = [7; MAX_HELD_BYTES];
        assert_eq!(s.accept(10, &BIG[..MAX_HELD_BYTES - 1], Hold::Unknown), None);
        let d = s.accept(10 + MAX_HELD_BYTES as u32, b"zz", Hold::Unknown).unwrap();
        assert!(d.gap && d.data.len() == MAX_HELD_BYTES - 1);
    }

    #[test]
    fn sequence_numbers_wrap() {
        let mut s = InOrder::default();
        assert!(accept(&mut s, u32::MAX - 1, b"ab").is_some());
        assert_eq!(accept(&mut s, 0, b"c"), Some((b"c".to_vec(), false)));
    }
}
