//! TCP sequence analysis as tshark 4.0 does it in one pass: retransmissions, duplicate ACKs,
//! zero windows, keep-alives, RTTs and bytes in flight, each segment judged only by the frames
//! before it. The rules were learnt from tshark's output on crafted and real captures.

use std::collections::VecDeque;

/// The analysis flags of one segment (`tcp.analysis.*` fields that tshark prints as `1`).
pub mod flag {
    /// `tcp.analysis.retransmission` (set for fast and spurious retransmissions too).
    pub const RETRANSMISSION: u32 = 1 << 0;
    /// `tcp.analysis.fast_retransmission`.
    pub const FAST_RETRANSMISSION: u32 = 1 << 1;
    /// `tcp.analysis.spurious_retransmission`.
    pub const SPURIOUS_RETRANSMISSION: u32 = 1 << 2;
    /// `tcp.analysis.out_of_order`.
    pub const OUT_OF_ORDER: u32 = 1 << 3;
    /// `tcp.analysis.lost_segment`.
    pub const LOST_SEGMENT: u32 = 1 << 4;
    /// `tcp.analysis.ack_lost_segment`.
    pub const ACK_LOST_SEGMENT: u32 = 1 << 5;
    /// `tcp.analysis.duplicate_ack`.
    pub const DUPLICATE_ACK: u32 = 1 << 6;
    /// `tcp.analysis.zero_window`.
    pub const ZERO_WINDOW: u32 = 1 << 7;
    /// `tcp.analysis.zero_window_probe`.
    pub const ZERO_WINDOW_PROBE: u32 = 1 << 8;
    /// `tcp.analysis.zero_window_probe_ack`.
    pub const ZERO_WINDOW_PROBE_ACK: u32 = 1 << 9;
    /// `tcp.analysis.window_full`.
    pub const WINDOW_FULL: u32 = 1 << 10;
    /// `tcp.analysis.window_update`.
    pub const WINDOW_UPDATE: u32 = 1 << 11;
    /// `tcp.analysis.keep_alive`.
    pub const KEEP_ALIVE: u32 = 1 << 12;
    /// `tcp.analysis.keep_alive_ack`.
    pub const KEEP_ALIVE_ACK: u32 = 1 << 13;
    /// `tcp.analysis.reused_ports`.
    pub const REUSED_PORTS: u32 = 1 << 14;
}

const FIN: u16 = 0x001;
const SYN: u16 = 0x002;
const RST: u16 = 0x004;
const PSH: u16 = 0x008;
const ACK: u16 = 0x010;

/// Out-of-order threshold when the handshake was not seen (3 ms).
const DEFAULT_OOO_THRESHOLD_NS: i64 = 3_000_000;
/// A retransmission this soon after the peer's duplicate ACK is a fast retransmission (20 ms).
const FAST_RETRANSMISSION_WINDOW_NS: i64 = 20_000_000;

/// `a > b` in sequence space.
fn gt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

/// `a <= b` in sequence space.
fn le(a: u32, b: u32) -> bool {
    !gt(a, b)
}

/// Where and when a frame was captured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrameMeta {
    /// `frame.number`.
    pub number: u64,
    /// Arrival time in nanoseconds.
    pub time_ns: i64,
}

/// The SACK blocks of one segment (raw left and right edges; at most four fit in the options).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sack {
    /// The blocks; only the first `count` are set.
    pub blocks: [(u32, u32); 4],
    /// How many blocks the option carried.
    pub count: u8,
}

impl Sack {
    /// The blocks carried.
    pub fn blocks(&self) -> &[(u32, u32)] {
        &self.blocks[..usize::from(self.count).min(4)]
    }

    /// The bytes the blocks span, summed as they are (tshark neither clips nor merges them,
    /// so a D-SACK block below the cumulative ACK counts too).
    fn total(&self) -> u32 {
        self.blocks().iter().map(|&(left, right)| right.wrapping_sub(left)).fold(0u32, u32::wrapping_add)
    }
}

/// What the analysis needs from one segment (raw numbers, the window already scaled).
#[derive(Debug, Clone, Copy)]
pub struct AnalysedSegment {
    /// Raw sequence number.
    pub seq: u32,
    /// Raw acknowledgment number.
    pub ack: u32,
    /// The 12 flag bits.
    pub flags: u16,
    /// `tcp.len`.
    pub len: u32,
    /// `tcp.window_size` (scaled when the scale is known).
    pub window: u32,
    /// SACK blocks.
    pub sack: Sack,
}

/// The analysis of one segment: the `tcp.analysis.*`, `tcp.time_*` and `tcp.completeness` values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Analysis {
    /// [`flag`] bits.
    pub flags: u32,
    /// `tcp.analysis.duplicate_ack_num` and `duplicate_ack_frame`.
    pub duplicate_ack: Option<(u32, u64)>,
    /// `tcp.analysis.acks_frame`.
    pub acks_frame: Option<u64>,
    /// `tcp.analysis.ack_rtt` in nanoseconds.
    pub ack_rtt: Option<i64>,
    /// `tcp.analysis.bytes_in_flight`.
    pub bytes_in_flight: Option<u32>,
    /// `tcp.analysis.push_bytes_sent`.
    pub push_bytes_sent: Option<u32>,
    /// `tcp.analysis.initial_rtt` in nanoseconds.
    pub initial_rtt: Option<i64>,
    /// `tcp.analysis.rto` (nanoseconds) and `tcp.analysis.rto_frame`.
    pub rto: Option<(i64, u64)>,
    /// `tcp.time_relative` in nanoseconds.
    pub time_relative: i64,
    /// `tcp.time_delta` in nanoseconds.
    pub time_delta: i64,
    /// `tcp.completeness`: what was seen of the stream before this frame.
    pub completeness: u8,
}

impl Analysis {
    /// Whether tshark shows its "SEQ/ACK analysis" tree (and so `initial_rtt`) for this segment.
    pub fn has_seq_ack_tree(&self) -> bool {
        self.flags != 0 || self.acks_frame.is_some() || self.bytes_in_flight.is_some()
    }
}

/// A segment sent and not yet acknowledged.
#[derive(Debug, Clone, Copy)]
struct Unacked {
    frame: u64,
    time_ns: i64,
    seq: u32,
    nextseq: u32,
}

/// One direction's analysis state.
#[derive(Debug, Clone, Default)]
struct Flow {
    /// Highest sequence number sent plus one, and when it last advanced.
    nextseq: Option<u32>,
    nextseq_time: i64,
    nextseq_frame: Option<u64>,
    /// Highest sequence number the peer may acknowledge without acknowledging unseen data.
    max_seq_to_be_acked: Option<u32>,
    /// The last acknowledgment number sent, and when.
    last_ack: Option<u32>,
    last_ack_time: i64,
    /// The frame of the last ACK that was not a duplicate, and the duplicates since.
    last_non_dup_ack: u64,
    dup_ack_count: u32,
    /// The last window advertised (scaled).
    window: Option<u32>,
    /// The analysis flags of the last segment sent.
    last_flags: u32,
    /// Segments awaiting acknowledgment, oldest first (capped).
    unacked: VecDeque<Unacked>,
    push_bytes_sent: u32,
    /// Bytes in flight are shown until a gap is seen, and again once the peer ACKs anything.
    bytes_in_flight_valid: bool,
    /// The SACK blocks of the last ACK sent: the peer's bytes in flight exclude them.
    last_sack: Sack,
}

/// One conversation's analysis state.
#[derive(Debug, Clone, Default)]
pub struct ConversationAnalysis {
    flows: [Flow; 2],
    first_time: Option<i64>,
    prev_time: i64,
    completeness: u8,
    syn_time: Option<i64>,
    initial_rtt: Option<i64>,
    /// Segments forgotten because a direction's unacknowledged list was full.
    pub dropped_unacked: u64,
}

impl ConversationAnalysis {
    /// A fresh conversation.
    pub fn new() -> Self {
        let mut c = ConversationAnalysis::default();
        for f in &mut c.flows {
            f.bytes_in_flight_valid = true;
        }
        c
    }

    /// A conversation opened by a SYN on a reused address/port pair: tshark shows it the SYN
    /// bit from its first frame on.
    pub fn reopened() -> Self {
        ConversationAnalysis { completeness: 1, ..ConversationAnalysis::new() }
    }

    /// A SYN quoted in an ICMP error: tshark times the handshake from it too.
    pub fn note_quoted_syn(&mut self, flags: u16, now: i64) {
        if flags & (SYN | ACK) == SYN && self.initial_rtt.is_none() {
            self.syn_time = Some(now);
        }
    }

    /// Whether no frame of the conversation was seen yet.
    pub fn is_new(&self) -> bool {
        self.first_time.is_none()
    }

    /// The stream timing of a frame: `tcp.time_relative` and `tcp.time_delta`, with the
    /// completeness known before it. Segments quoted in ICMP errors get (and move) these too.
    pub fn timing(&mut self, now: i64) -> Analysis {
        let first = *self.first_time.get_or_insert(now);
        let out = Analysis {
            time_relative: now.saturating_sub(first),
            time_delta: now.saturating_sub(if first == now && self.prev_time == 0 { now } else { self.prev_time }),
            completeness: self.completeness,
            ..Analysis::default()
        };
        self.prev_time = now;
        out
    }

    /// Analyses one segment sent in direction `dir` (0 or 1); `max_unacked` caps each direction's
    /// list of unacknowledged segments.
    pub fn observe(&mut self, dir: usize, seg: &AnalysedSegment, meta: FrameMeta, max_unacked: usize) -> Analysis {
        let now = meta.time_ns;
        let first_frame = self.first_time.is_none();
        let mut out = self.timing(now);
        self.note_completeness(seg.flags, seg.len, first_frame);
        self.handshake_timing(seg, now);

        let (fwd, rev) = split(&mut self.flows, dir);
        let flags = classify(fwd, rev, seg, now, self.initial_rtt, &mut out);
        out.flags |= flags;
        if flags & flag::RETRANSMISSION != 0 && flags & (flag::FAST_RETRANSMISSION | flag::SPURIOUS_RETRANSMISSION) == 0
        {
            // Counted from the oldest unacknowledged segment, else from the highest one sent.
            out.rto = match fwd.unacked.front() {
                Some(oldest) => Some((now - oldest.time_ns, oldest.frame)),
                None => fwd.nextseq_frame.map(|frame| (now - fwd.nextseq_time, frame)),
            }
            .filter(|&(rto, _)| rto != 0); // tshark leaves out an RTO of zero, and its frame
        }
        self.dropped_unacked += advance(fwd, seg, meta, flags, max_unacked);
        let (fwd, rev) = split(&mut self.flows, dir);
        if seg.flags & ACK != 0 {
            acknowledge(rev, seg.ack, now, &mut out);
        }
        if seg.flags & RST != 0 {
            rev.unacked.clear(); // nothing the peer sent is in flight any more
        }
        in_flight(fwd, rev, seg, &mut out);
        if out.has_seq_ack_tree() {
            out.initial_rtt = self.initial_rtt.filter(|&t| t != 0);
        }
        // tshark leaves out an RTT of zero.
        out.ack_rtt = out.ack_rtt.filter(|&t| t != 0);
        out
    }

    /// Adds the segment's completeness bits: a SYN, a SYN-ACK, an ACK without data, data, a
    /// FIN, a RST. Of a conversation's first frame tshark records only a SYN.
    pub fn note_completeness(&mut self, f: u16, len: u32, first_frame: bool) {
        let syn = if f & (SYN | ACK) == SYN { 1 } else { 0 };
        let rest = if f & (SYN | ACK) == SYN | ACK { 2 } else { 0 }
            | if f & (SYN | ACK) == ACK && len == 0 { 4 } else { 0 }
            | if len > 0 { 8 } else { 0 }
            | if f & FIN != 0 { 16 } else { 0 }
            | if f & RST != 0 { 32 } else { 0 };
        self.completeness |= if first_frame { syn } else { syn | rest };
    }

    /// The initial RTT: from the last SYN to the first segment after it that has the ACK flag
    /// and not the SYN flag, in either direction (a RST-ACK refusing the SYN counts).
    fn handshake_timing(&mut self, seg: &AnalysedSegment, now: i64) {
        let syn_ack = seg.flags & (SYN | ACK);
        if syn_ack == SYN && self.initial_rtt.is_none() {
            self.syn_time = Some(now); // the last SYN sent counts
        } else if syn_ack == ACK && self.initial_rtt.is_none() {
            if let Some(syn) = self.syn_time {
                self.initial_rtt = Some(now - syn);
            }
        }
    }
}

fn split(flows: &mut [Flow; 2], dir: usize) -> (&mut Flow, &mut Flow) {
    let [a, b] = flows;
    if dir == 0 {
        (a, b)
    } else {
        (b, a)
    }
}

/// The analysis flags of a segment, judged against the state before it.
fn classify(
    fwd: &mut Flow,
    rev: &mut Flow,
    seg: &AnalysedSegment,
    now: i64,
    irtt: Option<i64>,
    out: &mut Analysis,
) -> u32 {
    let f = seg.flags;
    let plain = f & (SYN | FIN | RST) == 0;
    let mut flags = 0;
    if seg.len == 1 && fwd.nextseq == Some(seg.seq) && rev.window == Some(0) {
        return flag::ZERO_WINDOW_PROBE;
    }
    if seg.window == 0 && plain {
        flags |= flag::ZERO_WINDOW;
    }
    if let Some(next) = fwd.nextseq {
        if gt(seg.seq, next) && f & RST == 0 {
            flags |= flag::LOST_SEGMENT;
            fwd.bytes_in_flight_valid = false;
        }
        if seg.len <= 1 && plain && seg.seq == next.wrapping_sub(1) {
            flags |= flag::KEEP_ALIVE;
        }
    }
    let pure_ack_in_place = seg.len == 0 && plain && fwd.nextseq == Some(seg.seq) && fwd.last_ack == Some(seg.ack);
    if pure_ack_in_place && seg.window != 0 && fwd.window != Some(seg.window) {
        flags |= flag::WINDOW_UPDATE;
    }
    if seg.len > 0 && plain {
        if let (Some(window), Some(last_ack)) = (rev.window, rev.last_ack) {
            if window != 0 && seg.seq.wrapping_add(seg.len) == last_ack.wrapping_add(window) {
                flags |= flag::WINDOW_FULL;
            }
        }
    }
    let same_window = fwd.window == Some(seg.window);
    if pure_ack_in_place && same_window && seg.window != 0 && rev.last_flags & flag::KEEP_ALIVE != 0 {
        return flags | flag::KEEP_ALIVE_ACK;
    }
    if pure_ack_in_place && same_window && seg.window == 0 && rev.last_flags & flag::ZERO_WINDOW_PROBE != 0 {
        return flags | flag::ZERO_WINDOW_PROBE_ACK;
    }
    if pure_ack_in_place && same_window && seg.window != 0 {
        fwd.dup_ack_count += 1;
        flags |= flag::DUPLICATE_ACK;
        out.duplicate_ack = Some((fwd.dup_ack_count, fwd.last_non_dup_ack));
    }
    if f & ACK != 0 {
        if let Some(max) = rev.max_seq_to_be_acked {
            if gt(seg.ack, max) {
                flags |= flag::ACK_LOST_SEGMENT;
                rev.max_seq_to_be_acked = rev.nextseq;
            }
        }
    }
    let carries_sequence = seg.len > 0 || f & (SYN | FIN) != 0;
    if carries_sequence && flags & flag::KEEP_ALIVE == 0 {
        if fwd.nextseq.is_some_and(|next| gt(next, seg.seq)) {
            flags |= retransmission_kind(fwd, rev, seg, now, irtt);
        } else if already_acked(rev, seg) {
            // Data the peer acknowledged before it was seen, sent now.
            flags |= flag::SPURIOUS_RETRANSMISSION | flag::RETRANSMISSION;
        }
    }
    flags
}

/// Tells a fast retransmission, a spurious one, an out-of-order segment and a plain
/// retransmission apart, in that order.
fn retransmission_kind(fwd: &Flow, rev: &Flow, seg: &AnalysedSegment, now: i64, irtt: Option<i64>) -> u32 {
    if rev.dup_ack_count >= 2
        && rev.last_ack == Some(seg.seq)
        && now - rev.last_ack_time < FAST_RETRANSMISSION_WINDOW_NS
    {
        return flag::FAST_RETRANSMISSION | flag::RETRANSMISSION;
    }
    if already_acked(rev, seg) {
        return flag::SPURIOUS_RETRANSMISSION | flag::RETRANSMISSION;
    }
    let threshold = irtt.filter(|&t| t > 0).unwrap_or(DEFAULT_OOO_THRESHOLD_NS);
    let end = seg.seq.wrapping_add(seg.len);
    let next = end.wrapping_add(u32::from(seg.flags & SYN != 0)).wrapping_add(u32::from(seg.flags & FIN != 0));
    // The segment that last advanced the sequence, sent again at once, is a retransmission.
    if now - fwd.nextseq_time < threshold && fwd.nextseq != Some(next) {
        return flag::OUT_OF_ORDER;
    }
    flag::RETRANSMISSION
}

/// Whether the peer has already acknowledged all of the segment's data.
fn already_acked(rev: &Flow, seg: &AnalysedSegment) -> bool {
    seg.len > 0 && rev.last_ack.is_some_and(|ack| le(seg.seq.wrapping_add(seg.len), ack))
}

/// Updates the sender's state with the segment; returns how many unacknowledged segments were
/// forgotten to stay under the cap.
fn advance(fwd: &mut Flow, seg: &AnalysedSegment, meta: FrameMeta, flags: u32, max_unacked: usize) -> u64 {
    let f = seg.flags;
    let nextseq =
        seg.seq.wrapping_add(seg.len).wrapping_add(u32::from(f & SYN != 0)).wrapping_add(u32::from(f & FIN != 0));
    let mut dropped = 0;
    if flags & (flag::ZERO_WINDOW_PROBE | flag::KEEP_ALIVE) == 0 && fwd.nextseq.is_none_or(|n| gt(nextseq, n)) {
        fwd.nextseq = Some(nextseq);
        fwd.nextseq_time = meta.time_ns;
        fwd.nextseq_frame = Some(meta.number);
    }
    // Retransmissions are remembered too: an ACK that ends exactly at one acknowledges it.
    if seg.len > 0 || f & (SYN | FIN) != 0 {
        if fwd.unacked.len() >= max_unacked.max(1) {
            fwd.unacked.pop_front();
            dropped = 1;
        }
        fwd.unacked.push_back(Unacked { frame: meta.number, time_ns: meta.time_ns, seq: seg.seq, nextseq });
    }
    // Only a segment that starts where the proven data ends (filling a gap, or continuing)
    // proves the data up to the highest sequence seen.
    if fwd.max_seq_to_be_acked.is_none_or(|m| m == seg.seq) {
        fwd.max_seq_to_be_acked = fwd.nextseq;
    }
    if f & ACK != 0 && fwd.last_ack != Some(seg.ack) {
        fwd.last_non_dup_ack = meta.number;
        fwd.dup_ack_count = 0;
    }
    fwd.window = Some(seg.window);
    if f & ACK != 0 {
        fwd.last_ack = Some(seg.ack);
        fwd.last_ack_time = meta.time_ns;
        fwd.last_sack = seg.sack;
    }
    fwd.last_flags = flags;
    dropped
}

/// Removes the peer's segments that `ack` acknowledges, noting the frame and RTT of the last.
/// Any ACK also ends the peer's gap in bytes in flight.
fn acknowledge(rev: &mut Flow, ack: u32, now: i64, out: &mut Analysis) {
    // The first transmission still remembered that ends exactly there.
    if let Some(acked) = rev.unacked.iter().find(|u| u.nextseq == ack) {
        out.acks_frame = Some(acked.frame);
        out.ack_rtt = Some(now - acked.time_ns);
    }
    rev.unacked.retain(|u| !le(u.nextseq, ack));
    // A partial ACK trims the segment it falls in.
    for u in rev.unacked.iter_mut().filter(|u| gt(ack, u.seq)) {
        u.seq = ack;
    }
    rev.bytes_in_flight_valid = true;
}

/// Bytes in flight and bytes since the last PSH, for segments that carry data: the span of the
/// unacknowledged transmissions, less what the peer SACKed.
fn in_flight(fwd: &mut Flow, rev: &Flow, seg: &AnalysedSegment, out: &mut Analysis) {
    if seg.len == 0 || !fwd.bytes_in_flight_valid {
        return;
    }
    fwd.push_bytes_sent = fwd.push_bytes_sent.wrapping_add(seg.len);
    out.push_bytes_sent = Some(fwd.push_bytes_sent);
    if seg.flags & PSH != 0 {
        fwd.push_bytes_sent = 0;
    }
    // Every transmission still unacknowledged: lowest start to highest end (a FIN counts in the
    // end of the earlier ones, not in this segment's).
    let (mut start, mut next) = (seg.seq, seg.seq.wrapping_add(seg.len));
    for u in fwd.unacked.iter().rev().skip(1) {
        if gt(start, u.seq) {
            start = u.seq;
        }
        if gt(u.nextseq, next) {
            next = u.nextseq;
        }
    }
    {
        let in_flight = next.wrapping_sub(start).wrapping_sub(rev.last_sack.total());
        if in_flight > 0 && in_flight < 2_000_000_000 {
            out.bytes_in_flight = Some(in_flight);
        }
    }
}
