//! TCP conversation tracking done apart from dissection, so that another thread can do it.
//!
//! Tracking (`tcp.stream`, relative `tcp.seq`/`tcp.ack`, `tcp.nxtseq`, the scaled window) must
//! see the segments in capture order, but nothing else in a frame depends on it unless the
//! sequence analysis, an application protocol over TCP or the SACK edges are wanted. For such
//! reads the dissector can hand its tracker over ([`crate::Dissector`]'s `defer_tcp_tracking`):
//! it then records each TCP header's [`DeferredSegment`] instead of tracking it, and
//! [`TcpCompletion::complete`], called on the frames in capture order, adds the tracked fields.
//! Those fields then come after the frame's other values rather than among the TCP header's:
//! the values of each field, and so every column and filter, are the same.

use crate::fields::{Field, FrameValues, Value};
use crate::track::{Endpoint, FrameMeta, Sack, TcpSegment, TcpTracker, TcpView};

/// Where a TCP header was met, which decides how it is tracked and which fields that adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SegmentKind {
    /// A header on the wire: stream, sequence and acknowledgment numbers, window.
    Wire,
    /// A header length under 20 bytes: stream and sequence number only (tshark stops there).
    Malformed,
    /// A header longer than the segment: stream and scale factor, the window as sent.
    ShortHeader,
    /// A header quoted in an ICMP error: stream and window.
    Quoted,
}

/// A TCP header whose tracking waits for [`TcpCompletion::complete`]: what the tracking reads
/// of it, and no more. Tracking is deferred only without the sequence analysis, so neither the
/// SACK blocks nor the capture time are kept. It crosses from the reading thread to the one
/// that completes it: kept to 56 bytes (a [`TcpSegment`] and its [`FrameMeta`] are 112).
#[derive(Debug, Clone, Copy)]
pub(crate) struct DeferredSegment {
    src: Endpoint,
    dst: Endpoint,
    seq: u32,
    ack: u32,
    payload_len: u32,
    flags: u16,
    window: u16,
    wscale: Option<u8>,
    options_complete: bool,
    kind: SegmentKind,
}

impl DeferredSegment {
    /// What tracking `segment` (met as `kind`) will need.
    #[inline(always)]
    pub(crate) fn new(segment: &TcpSegment, kind: SegmentKind) -> Self {
        let TcpSegment { src, dst, seq, ack, flags, window, wscale, options_complete, payload_len, sack: _ } = *segment;
        DeferredSegment { src, dst, seq, ack, payload_len, flags, window, wscale, options_complete, kind }
    }

    /// The segment again, without SACK blocks (the tracking without analysis ignores them).
    fn segment(&self) -> TcpSegment {
        TcpSegment {
            src: self.src,
            dst: self.dst,
            seq: self.seq,
            ack: self.ack,
            flags: self.flags,
            window: self.window,
            wscale: self.wscale,
            options_complete: self.options_complete,
            payload_len: self.payload_len,
            sack: Sack::default(),
        }
    }
}

/// The TCP tracker, away from its dissector.
#[derive(Debug)]
pub(crate) struct TcpCompletion {
    pub(super) tracker: TcpTracker,
}

impl TcpCompletion {
    /// Tracks one deferred segment of `out`'s frame and adds the fields this gives; the
    /// segments must come in the order they were dissected.
    pub(crate) fn complete(&mut self, deferred: &DeferredSegment, out: &mut FrameValues) {
        debug_assert!(!self.tracker.analyses(), "tracking with analysis is never deferred");
        // The capture time and number matter only to the analysis.
        let (seg, meta) = (&deferred.segment(), FrameMeta::default());
        match deferred.kind {
            SegmentKind::Wire => {
                let view = self.tracker.observe(seg, meta, true);
                out.uint(Field::TcpStream, view.stream);
                out.uint(Field::TcpSeq, view.seq);
                out.uint(Field::TcpNxtseq, view.nxtseq);
                out.uint(Field::TcpAck, view.ack);
                push_window(out, &view);
            }
            SegmentKind::Malformed => {
                let view = self.tracker.observe(seg, meta, false);
                out.uint(Field::TcpStream, view.stream);
                out.uint(Field::TcpSeq, view.seq);
            }
            SegmentKind::ShortHeader => {
                let view = self.tracker.quoted(seg, meta, true);
                out.uint(Field::TcpStream, view.stream);
                push_window(out, &TcpView { window_size: u32::from(seg.window), ..view });
            }
            SegmentKind::Quoted => {
                let view = self.tracker.quoted(seg, meta, false);
                out.uint(Field::TcpStream, view.stream);
                push_window(out, &view);
            }
        }
    }
}

/// `tcp.window_size` and, when the conversation gives one, `tcp.window_size_scalefactor`.
pub(super) fn push_window(out: &mut FrameValues, view: &TcpView) {
    out.uint(Field::TcpWindowSize, view.window_size);
    if let Some(factor) = view.scalefactor {
        out.push(Field::TcpWindowSizeScalefactor, Value::Int(factor.into()));
    }
}

#[cfg(test)]
mod tests {
    use crate::dissect::Dissector;
    use crate::fields::{lookup, FieldSet};

    fn dissector(fields: &[&str]) -> Dissector {
        let wanted: FieldSet = fields.iter().map(|name| lookup(name).unwrap()).collect();
        Dissector::new(&wanted)
    }

    #[test]
    fn tracking_waits_only_when_nothing_but_the_tracked_fields_needs_it() {
        let stevens = ["frame.time_epoch", "tcp.stream", "ip.src", "tcp.seq", "tcp.ack", "tcp.window_size", "tcp.len"];
        let mut apart = dissector(&stevens);
        let completion = apart.defer_tcp_tracking().expect("the Stevens fields can be tracked apart");
        assert!(apart.defer_tcp_tracking().is_none(), "the tracker is away");
        apart.resume_tcp_tracking(completion);
        assert!(apart.defer_tcp_tracking().is_some(), "and back");
        for inline in ["tcp.analysis.ack_rtt", "tcp.options.sack_le", "http.host", "dns.qry.name", "tcp.time_delta"] {
            let fields = [&stevens[..], &[inline]].concat();
            assert!(dissector(&fields).defer_tcp_tracking().is_none(), "{inline} needs the tracking inline");
        }
        assert!(dissector(&["ip.src", "tcp.srcport"]).defer_tcp_tracking().is_none(), "no tracking to defer");
    }

    #[test]
    fn a_deferred_segment_stays_within_a_cache_line() {
        assert!(std::mem::size_of::<super::DeferredSegment>() <= 64);
    }
}
