//! TCP conversations as tshark 4.0 numbers them: `tcp.stream`, relative `tcp.seq`/`tcp.ack`,
//! `tcp.nxtseq`, the window scaling learnt from the handshake, and (when asked) the sequence
//! analysis of [`super::analysis`].

use super::analysis::{flag, AnalysedSegment, Analysis, ConversationAnalysis, FrameMeta, Sack};
use super::{take_next, ConvKey, ConversationTable, Endpoint, TrackLimits};

const FIN: u16 = 0x001;
const SYN: u16 = 0x002;
const RST: u16 = 0x004;
const ACK: u16 = 0x010;

/// What the tracker needs from one TCP header.
#[derive(Debug, Clone, Copy)]
pub struct TcpSegment {
    /// Sender.
    pub src: Endpoint,
    /// Receiver.
    pub dst: Endpoint,
    /// Raw sequence number.
    pub seq: u32,
    /// Raw acknowledgment number.
    pub ack: u32,
    /// The 12 flag bits.
    pub flags: u16,
    /// Raw window field.
    pub window: u16,
    /// Window scale option (shift count), if the header carries one.
    pub wscale: Option<u8>,
    /// Whether all the options were captured (if not, a missing window scale proves nothing).
    pub options_complete: bool,
    /// Payload length (`tcp.len`).
    pub payload_len: u32,
    /// SACK blocks (raw left and right edges) of the segment's options.
    pub sack: Sack,
}

/// The per-frame values derived from conversation state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpView {
    /// `tcp.stream`.
    pub stream: u32,
    /// `tcp.seq`.
    pub seq: u32,
    /// `tcp.ack`.
    pub ack: u32,
    /// `tcp.nxtseq`.
    pub nxtseq: u32,
    /// `tcp.window_size`.
    pub window_size: u32,
    /// `tcp.window_size_scalefactor`: `None` on SYN segments (tshark shows none there).
    pub scalefactor: Option<i32>,
    /// The peer's initial sequence number (minus one when not seen): SACK edges are relative to it.
    pub peer_base: u32,
    /// Which way the segment goes within its conversation (0 or 1, fixed per address/port pair).
    pub dir: u8,
}

#[derive(Debug, Clone, Copy)]
struct Syn {
    isn: u32,
    /// `None` when the SYN's options were not fully captured.
    wscale: Option<Option<u8>>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Direction {
    base: Option<u32>,
    syn: Option<Syn>,
}

#[derive(Debug, Clone)]
struct Conversation {
    stream: u32,
    dirs: [Direction; 2],
    closed: bool,
    /// Opened by a SYN on an address/port pair that had an earlier connection.
    reused: bool,
    /// Sequence analysis state, kept only when analysis fields are read.
    analysis: Option<Box<ConversationAnalysis>>,
}

impl Conversation {
    fn new(stream: u32) -> Self {
        Conversation { stream, dirs: [Direction::default(); 2], closed: false, reused: false, analysis: None }
    }

    /// A SYN that opens a new connection on a reused address/port pair.
    fn is_reopened_by(&self, dir: usize, seg: &TcpSegment) -> bool {
        if seg.flags & (SYN | ACK) != SYN {
            return false;
        }
        match self.dirs[dir].syn {
            Some(syn) => syn.isn != seg.seq,
            None => self.closed,
        }
    }

    /// `tcp.window_size` and `tcp.window_size_scalefactor` (none on SYN segments).
    fn window(&self, dir: usize, seg: &TcpSegment) -> (u32, Option<i32>) {
        if seg.flags & SYN != 0 {
            return (u32::from(seg.window), None);
        }
        let factor = self.scalefactor(dir);
        let size = if factor > 0 { u32::from(seg.window) << factor.trailing_zeros() } else { u32::from(seg.window) };
        (size, Some(factor))
    }

    /// Window multiplier for segments sent in `dir`: `2^shift`, -1 unknown, -2 no scaling.
    /// The sender's own SYN decides, unless the peer's SYN refused scaling; with no SYN from
    /// the sender, scaling is unknown unless the peer's SYN refused it.
    fn scalefactor(&self, dir: usize) -> i32 {
        let peer_refused = matches!(self.dirs[1 - dir].syn, Some(Syn { wscale: Some(None), .. }));
        match self.dirs[dir].syn.and_then(|s| s.wscale) {
            Some(Some(own)) if !peer_refused => 1 << own.min(14),
            Some(_) => -2,
            None if peer_refused => -2,
            None => -1,
        }
    }
}

/// Tracks TCP conversations (up to a cap: see [`ConversationTable`]).
#[derive(Debug)]
pub struct TcpTracker {
    conversations: ConversationTable<Conversation>,
    next_stream: u32,
    /// `Some(cap on unacknowledged segments per direction)` when sequence analysis is on.
    analysis: Option<usize>,
    /// Unacknowledged segments forgotten to stay under that cap.
    dropped_unacked: u64,
    /// The sequence analysis of the segment looked at last (see [`TcpTracker::analysis`]): kept
    /// here rather than in each [`TcpView`], which stays small enough to return in registers.
    last_analysis: Option<Analysis>,
}

impl Default for TcpTracker {
    fn default() -> Self {
        TcpTracker::new(TrackLimits::default().max_conversations)
    }
}

impl TcpTracker {
    /// A tracker that keeps at most `max_conversations`, retiring the idlest beyond that.
    pub fn new(max_conversations: usize) -> Self {
        TcpTracker {
            conversations: ConversationTable::new(max_conversations),
            next_stream: 0,
            analysis: None,
            dropped_unacked: 0,
            last_analysis: None,
        }
    }

    /// Turns on sequence analysis, remembering at most `max_unacked` unacknowledged segments
    /// per direction.
    pub fn with_analysis(mut self, max_unacked: usize) -> Self {
        self.analysis = Some(max_unacked);
        self
    }

    /// Whether sequence analysis is on.
    pub fn analyses(&self) -> bool {
        self.analysis.is_some()
    }

    /// The sequence analysis of the segment passed last to [`TcpTracker::observe`] or
    /// [`TcpTracker::quoted`]; `None` when analysis is off.
    pub fn analysis(&self) -> Option<&Analysis> {
        self.last_analysis.as_ref()
    }

    /// Unacknowledged segments forgotten so far to stay under the cap (their ACKs get no
    /// `tcp.analysis.acks_frame`).
    pub fn dropped_unacked(&self) -> u64 {
        self.dropped_unacked
    }

    /// Conversations retired so far to stay under the cap.
    pub fn retired(&self) -> u64 {
        self.conversations.retired()
    }

    /// Stream index and window values of a segment quoted inside an ICMP error: the
    /// conversation is looked up (created if new) but its state is left alone.
    /// With analysis on, the segment gets (and moves) the stream's timing; a `short` segment
    /// (on the wire, its header cut off) also adds its completeness bits.
    pub fn quoted(&mut self, seg: &TcpSegment, meta: FrameMeta, short: bool) -> TcpView {
        let (key, dir) = ConvKey::of(seg.src, seg.dst);
        let TcpTracker { conversations, next_stream, .. } = self;
        let conv = conversations.get_or_insert_with(key, || Conversation::new(take_next(next_stream)));
        let (window_size, scalefactor) = conv.window(dir, seg);
        let peer_base = conv.dirs[1 - dir].base.unwrap_or(0);
        // Assigned only when analysis is on: building the (large) `Option` every time and
        // copying it in stalled the CPU.
        self.last_analysis = None;
        if self.analysis.is_some() {
            let state = conv.analysis.get_or_insert_with(|| Box::new(ConversationAnalysis::new()));
            let first_frame = state.is_new();
            let timing = state.timing(meta.time_ns);
            if short {
                state.note_completeness(seg.flags, 0, first_frame);
            } else {
                state.note_quoted_syn(seg.flags, meta.time_ns);
            }
            self.last_analysis = Some(timing);
        }
        TcpView {
            stream: conv.stream,
            seq: seg.seq,
            ack: seg.ack,
            nxtseq: 0,
            window_size,
            scalefactor,
            peer_base,
            dir: dir as u8,
        }
    }

    /// Updates the state with one segment (captured as `meta` says) and returns its derived values.
    /// Without `analyse` (a malformed header), the analysis only moves the stream's timing.
    pub fn observe(&mut self, seg: &TcpSegment, meta: FrameMeta, analyse: bool) -> TcpView {
        let (key, dir) = ConvKey::of(seg.src, seg.dst);
        let TcpTracker { conversations, next_stream, analysis, dropped_unacked, last_analysis } = self;
        let conv = conversations.get_or_insert_with(key, || Conversation::new(take_next(next_stream)));
        let reopened = conv.is_reopened_by(dir, seg);
        if reopened {
            *conv = Conversation::new(take_next(next_stream));
            conv.reused = true;
        }
        let syn = seg.flags & SYN != 0;
        let this = &mut conv.dirs[dir];
        if syn {
            // Every SYN re-bases its direction (a second SYN-ACK with a new ISN does, in tshark).
            this.syn = Some(Syn { isn: seg.seq, wscale: seg.options_complete.then_some(seg.wscale) });
            this.base = Some(seg.seq);
        }
        let base = *this.base.get_or_insert(seg.seq.wrapping_sub(1));
        let other = &mut conv.dirs[1 - dir];
        // Without the ACK flag tshark shows the field as sent (usually 0; a RST may carry one).
        let ack = if seg.flags & ACK != 0 {
            seg.ack.wrapping_sub(*other.base.get_or_insert(seg.ack.wrapping_sub(1)))
        } else {
            seg.ack
        };
        if seg.flags & (FIN | RST) != 0 {
            conv.closed = true;
        }
        let seq = seg.seq.wrapping_sub(base);
        let nxtseq = seq
            .wrapping_add(seg.payload_len)
            .wrapping_add(u32::from(syn))
            .wrapping_add(u32::from(seg.flags & FIN != 0));
        let (window_size, scalefactor) = conv.window(dir, seg);
        let peer_base = conv.dirs[1 - dir].base.unwrap_or(0);
        // Assigned only when analysis is on (see `quoted`).
        *last_analysis = None;
        if let Some(max_unacked) = *analysis {
            let reused = conv.reused;
            let state = conv.analysis.get_or_insert_with(|| {
                Box::new(if reused { ConversationAnalysis::reopened() } else { ConversationAnalysis::new() })
            });
            let segment = AnalysedSegment {
                seq: seg.seq,
                ack: seg.ack,
                flags: seg.flags,
                len: seg.payload_len,
                window: window_size,
                sack: seg.sack,
            };
            *last_analysis = Some(if analyse {
                let before = state.dropped_unacked;
                let mut result = state.observe(dir, &segment, meta, max_unacked);
                *dropped_unacked += state.dropped_unacked - before;
                if reopened {
                    result.flags |= flag::REUSED_PORTS;
                }
                result
            } else {
                state.timing(meta.time_ns)
            });
        }
        TcpView { stream: conv.stream, seq, ack, nxtseq, window_size, scalefactor, peer_base, dir: dir as u8 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(from_client: bool, seq: u32, ack: u32, flags: u16, window: u16, wscale: Option<u8>, len: u32) -> TcpSegment {
        let c = Endpoint::new(&[10, 0, 0, 1], 40000);
        let s = Endpoint::new(&[10, 0, 0, 2], 80);
        let (src, dst) = if from_client { (c, s) } else { (s, c) };
        TcpSegment {
            src,
            dst,
            seq,
            ack,
            flags,
            window,
            wscale,
            options_complete: true,
            payload_len: len,
            sack: Sack::default(),
        }
    }

    impl TcpTracker {
        fn observe_at(&mut self, seg: &TcpSegment) -> TcpView {
            self.observe(seg, FrameMeta::default(), true)
        }
    }

    #[test]
    fn handshake_gives_relative_numbers_and_scaling() {
        let mut t = TcpTracker::default();
        let v = t.observe_at(&seg(true, 1000, 0, SYN, 5840, Some(6), 0));
        assert_eq!((v.stream, v.seq, v.ack, v.nxtseq, v.window_size, v.scalefactor), (0, 0, 0, 1, 5840, None));
        let v = t.observe_at(&seg(false, 5000, 1001, SYN | ACK, 4140, Some(0), 0));
        assert_eq!((v.seq, v.ack, v.nxtseq), (0, 1, 1));
        let v = t.observe_at(&seg(true, 1001, 5001, ACK | 0x8, 92, None, 379));
        assert_eq!((v.seq, v.ack, v.nxtseq, v.window_size, v.scalefactor), (1, 1, 380, 92 * 64, Some(64)));
        let v = t.observe_at(&seg(false, 5001, 1380, ACK, 100, None, 0));
        assert_eq!((v.window_size, v.scalefactor), (100, Some(1)));
    }

    #[test]
    fn mid_stream_start_is_unknown_scaling_and_seq_one() {
        let mut t = TcpTracker::default();
        let v = t.observe_at(&seg(true, 777, 9000, ACK, 10, None, 5));
        assert_eq!((v.seq, v.ack, v.nxtseq, v.scalefactor), (1, 1, 6, Some(-1)));
        // The server's base was inferred from the client's ACK.
        let v = t.observe_at(&seg(false, 9000, 782, ACK, 10, None, 0));
        assert_eq!((v.seq, v.ack), (1, 6));
    }

    #[test]
    fn a_second_syn_ack_with_a_new_isn_rebases_the_direction() {
        let mut t = TcpTracker::default();
        t.observe_at(&seg(true, 100, 0, SYN, 100, None, 0));
        t.observe_at(&seg(false, 1000, 101, SYN | ACK, 100, None, 0));
        assert_eq!(t.observe_at(&seg(false, 5000, 101, SYN | ACK, 100, None, 0)).seq, 0);
        assert_eq!(t.observe_at(&seg(true, 101, 1001, ACK, 100, None, 0)).ack, 1001u32.wrapping_sub(5000));
    }

    #[test]
    fn own_window_scale_applies_before_the_peer_answers() {
        let mut t = TcpTracker::default();
        t.observe_at(&seg(true, 1, 0, SYN, 100, Some(8), 0));
        let v = t.observe_at(&seg(true, 1, 0, RST | ACK, 343, None, 0));
        assert_eq!((v.scalefactor, v.window_size), (Some(256), 343 * 256));
    }

    #[test]
    fn syn_options_cut_by_the_snaplen_leave_scaling_unknown() {
        let mut t = TcpTracker::default();
        t.observe_at(&TcpSegment { options_complete: false, ..seg(true, 1, 0, SYN, 100, None, 0) });
        t.observe_at(&seg(false, 9, 2, SYN | ACK, 100, Some(7), 0));
        assert_eq!(t.observe_at(&seg(true, 2, 10, ACK, 100, None, 0)).scalefactor, Some(-1));
    }

    #[test]
    fn syn_without_window_scale_means_no_scaling() {
        let mut t = TcpTracker::default();
        t.observe_at(&seg(true, 1, 0, SYN, 100, None, 0));
        let v = t.observe_at(&seg(false, 50, 2, RST | ACK, 0, None, 0));
        assert_eq!(v.scalefactor, Some(-2));
    }

    #[test]
    fn new_syn_after_close_is_a_new_stream_but_retransmitted_syn_is_not() {
        let mut t = TcpTracker::default();
        assert_eq!(t.observe_at(&seg(true, 1, 0, SYN, 100, None, 0)).stream, 0);
        assert_eq!(t.observe_at(&seg(true, 1, 0, SYN, 100, None, 0)).stream, 0);
        t.observe_at(&seg(false, 9, 2, RST | ACK, 0, None, 0));
        assert_eq!(t.observe_at(&seg(true, 500, 0, SYN, 100, None, 0)).stream, 1);
    }

    #[test]
    fn a_retired_conversation_that_returns_is_a_new_stream() {
        let mut t = TcpTracker::new(1);
        assert_eq!(t.observe_at(&seg(true, 1, 0, SYN, 100, None, 0)).stream, 0);
        let other = TcpSegment { dst: Endpoint::new(&[10, 0, 0, 3], 80), ..seg(true, 1, 0, SYN, 100, None, 0) };
        assert_eq!(t.observe_at(&other).stream, 1);
        assert_eq!(t.retired(), 1);
        let v = t.observe_at(&seg(false, 9, 2, ACK, 0, None, 0));
        assert_eq!((v.stream, v.seq, v.ack, v.scalefactor), (2, 1, 1, Some(-1)), "state was forgotten");
    }
}
