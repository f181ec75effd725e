//! Turns captured records into field values, layer by layer, with tshark 4.0's semantics.
//!
//! Each layer reads its header through bounds-checked accessors, so a header cut short by the
//! snaplen yields exactly the fields whose bytes were captured, as tshark's do.

mod app;
mod arp;
mod deferred;
mod gtp;
mod icmp;
mod ip;
mod link;
mod llc;
mod ppp;
mod tcp;
mod tunnel;
mod udp;
mod wlan;

pub(crate) use app::BodyObject;
pub(crate) use deferred::{DeferredSegment, TcpCompletion};

use crate::capture::{Coverage, Record, RecordKind};
use crate::fields::{Field, FieldSet, FrameValues, Value};
use crate::track::{Defragmenter, FrameMeta, TcpTracker, TrackLimits, UdpTracker};

/// State shared by the layers of one frame's dissection.
pub(crate) struct Ctx<'a> {
    pub out: &'a mut FrameValues,
    pub state: &'a mut State,
    /// Inside the packet quoted by an ICMP error: no reassembly, no trailer.
    pub quoted: bool,
    /// Nesting depth (tunnels, quoted packets): bounded to stop crafted recursion.
    pub depth: u8,
    /// Where the captured bytes of the frame end (an address, compared with slices' ends).
    pub frame_end: usize,
    /// Bytes of the frame on the wire that were not captured (cut by the snaplen).
    pub uncaptured: usize,
    /// The frame's number and arrival time (for TCP analysis).
    pub meta: FrameMeta,
}

impl Ctx<'_> {
    /// How many bytes `data` had on the wire: its captured length, plus the uncaptured tail of
    /// the frame when `data` runs to the end of what was captured.
    pub fn wire_len_of(&self, data: &[u8]) -> usize {
        let ends_with_frame = data.as_ptr() as usize + data.len() == self.frame_end;
        data.len() + if ends_with_frame { self.uncaptured } else { 0 }
    }
}

pub(crate) const MAX_DEPTH: u8 = 8;

/// Cross-frame state.
#[derive(Debug)]
pub(crate) struct State {
    pub tcp: TcpTracker,
    pub udp: UdpTracker,
    pub defrag: Defragmenter,
    pub app: app::AppState,
    pub tcp_needs: tcp::Needs,
    /// `Some` while the TCP tracker is away (see [`deferred`]): the segments dissected since
    /// they were last taken (see [`Dissector::swap_deferred_segments`]), to be tracked later.
    pub deferred_tcp: Option<Vec<DeferredSegment>>,
}

impl State {
    fn new(limits: TrackLimits, analyse_tcp: bool, wanted: &FieldSet) -> Self {
        let tcp = TcpTracker::new(limits.max_conversations);
        State {
            tcp: if analyse_tcp { tcp.with_analysis(limits.max_unacked_segments) } else { tcp },
            udp: UdpTracker::new(limits.max_conversations),
            defrag: Defragmenter::new(limits.fragments),
            app: app::AppState::new(wanted, &limits),
            tcp_needs: tcp::Needs::of(wanted),
            deferred_tcp: None,
        }
    }
}

/// Decodes records into [`FrameValues`], keeping the cross-frame state tshark keeps.
pub struct Dissector {
    state: State,
    wants_layers: bool,
    first_ts: Option<i64>,
    prev_ts: Option<i64>,
    /// Frames whose link type is not decoded.
    coverage: Coverage,
}

impl Dissector {
    /// A dissector that will be asked for the `wanted` fields, with the default caps.
    pub fn new(wanted: &FieldSet) -> Self {
        Dissector::with_limits(wanted, TrackLimits::default())
    }

    /// A dissector whose conversation and reassembly state stays within `limits`.
    pub fn with_limits(wanted: &FieldSet, limits: TrackLimits) -> Self {
        let wants_layers = crate::fields::FIELDS
            .iter()
            .enumerate()
            .any(|(i, f)| f.protocol != "frame" && wanted.contains(Field::from_index(i)));
        Dissector {
            state: State::new(limits, tcp::analysis_wanted(wanted), wanted),
            wants_layers,
            first_ts: None,
            prev_ts: None,
            coverage: Coverage::default(),
        }
    }

    /// Conversations (TCP and UDP) retired so far to stay within the caps. Past the first, a
    /// conversation that returns is numbered as a new stream, unlike tshark.
    pub fn retired_conversations(&self) -> u64 {
        self.state.tcp.retired() + self.state.udp.retired()
    }

    /// Unacknowledged TCP segments forgotten to stay within
    /// [`TrackLimits::max_unacked_segments`]: ACKs of them get no `tcp.analysis.acks_frame`.
    pub fn dropped_unacked_segments(&self) -> u64 {
        self.state.tcp.dropped_unacked()
    }

    /// TCP connections whose data held for an application dissector was dropped to stay within
    /// [`TrackLimits::max_app_connection_bytes`] and [`TrackLimits::max_app_total_bytes`] (or
    /// forgotten past `max_conversations` connections): the message they waited for gets no fields.
    pub fn dropped_app_connections(&self) -> u64 {
        self.state.app.dropped
    }

    /// Frames seen so far whose link type is not decoded (they get only `frame.*` fields).
    pub fn coverage(&self) -> &Coverage {
        &self.coverage
    }

    /// Starts keeping HTTP message bodies for export (see [`crate::export`]).
    pub(crate) fn collect_http_objects(&mut self) {
        self.state.app.http_objects.get_or_insert_with(Vec::new);
    }

    /// The HTTP message bodies completed since the last call, in order.
    pub(crate) fn take_http_objects(&mut self) -> Vec<BodyObject> {
        self.state.app.http_objects.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Hands the TCP tracker over, so that another thread can track the segments in capture
    /// order (see [`deferred`]), when the fields asked for allow it (no sequence analysis, no
    /// SACK edges, no application protocol over TCP); `None` otherwise, or when already away.
    /// From then on the segments wait (see [`Dissector::swap_deferred_segments`]), and the
    /// frames lack their tracked fields until completed. [`Dissector::resume_tcp_tracking`]
    /// takes the tracker back.
    pub(crate) fn defer_tcp_tracking(&mut self) -> Option<TcpCompletion> {
        let state = &mut self.state;
        if !state.tcp_needs.deferrable || state.app.wants.any_over_tcp() || state.deferred_tcp.is_some() {
            return None;
        }
        state.deferred_tcp = Some(Vec::new());
        Some(TcpCompletion { tracker: std::mem::replace(&mut state.tcp, TcpTracker::new(1)) })
    }

    /// Takes the tracker back from a [`TcpCompletion`]: segments are tracked as they are
    /// dissected again.
    pub(crate) fn resume_tcp_tracking(&mut self, completion: TcpCompletion) {
        self.state.tcp = completion.tracker;
        self.state.deferred_tcp = None;
    }

    /// While the tracker is away: swaps the TCP segments that wait to be tracked (in the order
    /// they were dissected) with `segments`, and returns `true`; `false` otherwise.
    pub(crate) fn swap_deferred_segments(&mut self, segments: &mut Vec<DeferredSegment>) -> bool {
        match &mut self.state.deferred_tcp {
            Some(pending) => {
                std::mem::swap(pending, segments);
                true
            }
            None => false,
        }
    }

    /// How many TCP segments wait to be tracked (none unless the tracker is away).
    pub(crate) fn deferred_count(&self) -> usize {
        self.state.deferred_tcp.as_ref().map_or(0, Vec::len)
    }

    /// Whether any wanted field lies past the frame's own metadata (`frame.*`): only then does a
    /// frame cost more to decode than to hand to another thread.
    pub(crate) fn decodes_layers(&self) -> bool {
        self.wants_layers
    }

    /// Decodes one record into `out` (which is cleared first). `out` must keep the fields this
    /// dissector was made for (`FrameValues::new` of the same set): what the dissector tracks
    /// across frames is decided by its own set.
    pub fn dissect(&mut self, rec: &Record<'_>, out: &mut FrameValues) {
        out.clear();
        self.frame_fields(rec, out);
        if rec.kind != RecordKind::Custom && !link::is_decoded(rec.link_type) {
            self.coverage.undecoded_frame(rec.link_type);
        }
        if self.wants_layers {
            let mut ctx = Ctx {
                out,
                state: &mut self.state,
                quoted: false,
                depth: 0,
                frame_end: rec.data.as_ptr() as usize + rec.data.len(),
                uncaptured: (rec.wire_len as usize).saturating_sub(rec.data.len()),
                meta: FrameMeta { number: rec.number, time_ns: self.prev_ts.unwrap_or(0) },
            };
            link::dissect(&mut ctx, rec.link_type, rec.data, rec.wire_len);
        }
    }

    fn frame_fields(&mut self, rec: &Record<'_>, out: &mut FrameValues) {
        out.uint(Field::FrameNumber, rec.number);
        if rec.kind == RecordKind::Custom {
            // tshark shows a custom block's length only: no time, and it leaves time tracking alone.
            out.uint(Field::FrameLen, rec.wire_len);
            out.uint(Field::FrameCapLen, rec.data.len() as u64);
            return;
        }
        if let Some(ts) = rec.timestamp_ns {
            let first = *self.first_ts.get_or_insert(ts);
            out.push(Field::FrameTimeEpoch, Value::Nanos(ts));
            // Saturating: a damaged capture can put timestamps at the ends of the i64 range.
            out.push(Field::FrameTimeRelative, Value::Nanos(ts.saturating_sub(first)));
            out.push(Field::FrameTimeDelta, Value::Nanos(ts.saturating_sub(self.prev_ts.unwrap_or(ts))));
        } else {
            // tshark counts a frame without a timestamp as time 0 for its successors.
            self.first_ts.get_or_insert(0);
        }
        self.prev_ts = Some(rec.timestamp_ns.unwrap_or(0));
        out.uint(Field::FrameLen, rec.wire_len);
        out.uint(Field::FrameCapLen, rec.data.len() as u64);
        if let Some(id) = rec.interface_id {
            out.uint(Field::FrameInterfaceId, id);
        }
    }
}
