//! TCP header, options, and the conversation-derived fields.

use super::deferred::{push_window, DeferredSegment, SegmentKind};
use super::ip::IpInfo;
use super::{app, Ctx};
use crate::bytes::{be16, be32, u8_at};
use crate::fields::{Field, FieldSet, FrameValues, Value};
use crate::track::{flag, Analysis, Endpoint, Sack, TcpSegment, TcpView};

/// The SYN flag.
const SYN: u16 = 0x002;

/// Fields that need the conversation tracker.
const TRACKED: [Field; 9] = [
    Field::TcpStream,
    Field::TcpSeq,
    Field::TcpAck,
    Field::TcpNxtseq,
    Field::TcpWindowSize,
    Field::TcpWindowSizeScalefactor,
    Field::TcpOptionsSackLe,
    Field::TcpOptionsSackRe,
    Field::TcpAnalysisFlags,
];

/// The analysis flags and the fields that print them, in tshark's order.
const FLAG_FIELDS: [(u32, Field); 15] = [
    (flag::RETRANSMISSION, Field::TcpAnalysisRetransmission),
    (flag::FAST_RETRANSMISSION, Field::TcpAnalysisFastRetransmission),
    (flag::SPURIOUS_RETRANSMISSION, Field::TcpAnalysisSpuriousRetransmission),
    (flag::OUT_OF_ORDER, Field::TcpAnalysisOutOfOrder),
    (flag::LOST_SEGMENT, Field::TcpAnalysisLostSegment),
    (flag::ACK_LOST_SEGMENT, Field::TcpAnalysisAckLostSegment),
    (flag::DUPLICATE_ACK, Field::TcpAnalysisDuplicateAck),
    (flag::ZERO_WINDOW, Field::TcpAnalysisZeroWindow),
    (flag::ZERO_WINDOW_PROBE, Field::TcpAnalysisZeroWindowProbe),
    (flag::ZERO_WINDOW_PROBE_ACK, Field::TcpAnalysisZeroWindowProbeAck),
    (flag::WINDOW_FULL, Field::TcpAnalysisWindowFull),
    (flag::WINDOW_UPDATE, Field::TcpAnalysisWindowUpdate),
    (flag::KEEP_ALIVE, Field::TcpAnalysisKeepAlive),
    (flag::KEEP_ALIVE_ACK, Field::TcpAnalysisKeepAliveAck),
    (flag::REUSED_PORTS, Field::TcpAnalysisReusedPorts),
];

/// Fields computed by the sequence analysis (the tracker keeps its state only when one is read).
const ANALYSED: [Field; 13] = [
    Field::TcpAnalysisFlags,
    Field::TcpAnalysisDuplicateAckNum,
    Field::TcpAnalysisDuplicateAckFrame,
    Field::TcpAnalysisAckRtt,
    Field::TcpAnalysisAcksFrame,
    Field::TcpAnalysisBytesInFlight,
    Field::TcpAnalysisPushBytesSent,
    Field::TcpAnalysisInitialRtt,
    Field::TcpAnalysisRto,
    Field::TcpAnalysisRtoFrame,
    Field::TcpTimeRelative,
    Field::TcpTimeDelta,
    Field::TcpCompleteness,
];

/// Whether any field in `wanted` needs the sequence analysis.
pub(crate) fn analysis_wanted(wanted: &FieldSet) -> bool {
    ANALYSED.iter().chain(FLAG_FIELDS.iter().map(|(_, f)| f)).any(|f| wanted.contains(*f))
}

/// Fields read from the TCP options (a SYN's options are read whatever is wanted: the window
/// scale they carry scales the conversation's windows).
const OPTION_FIELDS: [Field; 5] = [
    Field::TcpOptionsMssVal,
    Field::TcpOptionsWscaleShift,
    Field::TcpOptionsTimestampTsval,
    Field::TcpOptionsSackLe,
    Field::TcpOptionsSackRe,
];

/// What the TCP dissector must work out for a set of wanted fields, decided once per read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Needs {
    /// The conversation tracker (streams, relative numbers, scaled windows, analysis).
    tracking: bool,
    /// Every segment's options, not only a SYN's (option fields; SACK blocks for the analysis).
    options: bool,
    /// Whether the tracking can be done apart from the dissection (see [`super::deferred`]):
    /// nothing but the tracked fields depends on it (no analysis, no SACK edges relative to
    /// the peer's base). The application protocols over TCP are checked by the caller.
    pub(crate) deferrable: bool,
    /// Some field of the header as sent ([`TCP_HEADER`]): checked once per read rather than
    /// per segment.
    header: bool,
    /// Some option field ([`OPTION_FIELDS`]), to be pushed.
    option_fields: bool,
}

impl Needs {
    pub(crate) fn of(wanted: &FieldSet) -> Needs {
        let analysis = analysis_wanted(wanted);
        let tracking = analysis || TRACKED.iter().any(|f| wanted.contains(*f));
        let sack = wanted.contains(Field::TcpOptionsSackLe) || wanted.contains(Field::TcpOptionsSackRe);
        let option_fields = OPTION_FIELDS.iter().any(|f| wanted.contains(*f));
        Needs {
            tracking,
            options: analysis || option_fields,
            deferrable: tracking && !analysis && !sack,
            header: wanted.intersects(&TCP_HEADER),
            option_fields,
        }
    }
}

/// When the tracker is away (see [`super::deferred`]), records `seg` to be tracked later and
/// returns `true`. Inlined, like [`tracked`], so that the segment's fields go to the record
/// straight from registers rather than through a copy of the segment.
#[inline(always)]
fn deferred(ctx: &mut Ctx<'_>, seg: &TcpSegment, kind: SegmentKind) -> bool {
    match ctx.state.deferred_tcp.as_mut() {
        Some(pending) => {
            pending.push(DeferredSegment::new(seg, kind));
            true
        }
        None => false,
    }
}

pub(crate) fn dissect(ctx: &mut Ctx<'_>, ip: IpInfo<'_>, data: &[u8]) {
    let _ = decode(ctx, ip, data);
}

fn decode(ctx: &mut Ctx<'_>, ip: IpInfo<'_>, data: &[u8]) -> Option<()> {
    let sport = be16(data, 0)?;
    let dport = be16(data, 2)?;
    let header = ctx.state.tcp_needs.header;
    if header {
        ctx.out.uint(Field::TcpSrcport, sport);
        ctx.out.uint(Field::TcpDstport, dport);
    }
    let seq = be32(data, 4)?;
    if ctx.quoted && data.len() < 20 {
        // An ICMP error quoting 8 bytes: tshark shows the sequence number as sent, no more.
        ctx.out.uint(Field::TcpSeq, seq);
        return Some(());
    }
    let hdr_len = usize::from(u8_at(data, 12)? >> 4) * 4;
    if hdr_len < 20 && !ctx.quoted {
        return bogus_header_length(ctx, ip, data, hdr_len);
    }
    let flags = be16(data, 12)? & 0x0fff;
    let options = if ctx.state.tcp_needs.options || flags & SYN != 0 {
        Options::parse(data.get(20..hdr_len.min(data.len())).unwrap_or(&[]))
    } else {
        Options::default()
    };
    let segment = TcpSegment {
        src: Endpoint::new(ip.src, sport),
        dst: Endpoint::new(ip.dst, dport),
        seq,
        ack: be32(data, 8)?,
        flags,
        window: be16(data, 14)?,
        wscale: options.wscale,
        options_complete: data.len() >= hdr_len,
        payload_len: if ctx.quoted { 0 } else { ip.reported_len.saturating_sub(hdr_len) as u32 },
        sack: options.sack,
    };
    let (checksum, urgent) = (be16(data, 16)?, be16(data, 18)?);
    let view = if ctx.quoted {
        quoted(ctx, &segment, hdr_len)
    } else if hdr_len <= ip.reported_len {
        tracked(ctx, &segment, hdr_len)
    } else {
        short_segment(ctx, &segment, hdr_len)
    };
    let out = &mut *ctx.out;
    if header {
        out.uint(Field::TcpChecksum, checksum);
        out.uint(Field::TcpUrgentPointer, urgent);
    }
    if ctx.state.tcp_needs.option_fields {
        options.push(out, view.map(|v| v.peer_base));
    }
    if let Some(analysis) = view.and(ctx.state.tcp.analysis()) {
        push_analysis(out, analysis);
    }
    if hdr_len <= ip.reported_len {
        // What was captured of the payload (a quoted segment's too, as far as the quote goes).
        let end = ip.reported_len.min(data.len());
        if let Some(payload) = data.get(hdr_len..end).filter(|p| !p.is_empty()) {
            out.bytes(Field::TcpPayload, payload);
        }
        if let Some(v) = view.filter(|_| !ctx.quoted && ctx.state.app.wants.any_over_tcp()) {
            let payload = data.get(hdr_len..end).unwrap_or(&[]);
            let data = app::TcpData {
                stream: v.stream,
                dir: v.dir,
                sport: segment.src.port,
                dport: segment.dst.port,
                seq: v.seq,
                wire_len: segment.payload_len,
                payload,
                fin: segment.flags & 0x001 != 0,
                rst: segment.flags & 0x004 != 0,
            };
            app::over_tcp(ctx, data);
        }
    }
    Some(())
}

/// The `tcp.analysis.*`, `tcp.time_*` and `tcp.completeness` fields of one segment.
fn push_analysis(out: &mut FrameValues, a: &Analysis) {
    if let Some((frame, rtt)) = a.acks_frame.zip(a.ack_rtt) {
        out.uint(Field::TcpAnalysisAcksFrame, frame);
        out.push(Field::TcpAnalysisAckRtt, Value::Nanos(rtt));
    } else if let Some(frame) = a.acks_frame {
        out.uint(Field::TcpAnalysisAcksFrame, frame);
    }
    if let Some(irtt) = a.initial_rtt {
        out.push(Field::TcpAnalysisInitialRtt, Value::Nanos(irtt));
    }
    if let Some(n) = a.bytes_in_flight {
        out.uint(Field::TcpAnalysisBytesInFlight, n);
    }
    if let Some(n) = a.push_bytes_sent {
        out.uint(Field::TcpAnalysisPushBytesSent, n);
    }
    if a.flags != 0 {
        out.push(Field::TcpAnalysisFlags, Value::Bool(true));
        for (bit, field) in FLAG_FIELDS {
            if a.flags & bit != 0 {
                out.push(field, Value::Bool(true));
                if bit == flag::DUPLICATE_ACK {
                    out.push(field, Value::Bool(true)); // tshark adds it twice: `1,1`
                }
            }
        }
    }
    if let Some((num, frame)) = a.duplicate_ack {
        out.uint(Field::TcpAnalysisDuplicateAckNum, num);
        out.uint(Field::TcpAnalysisDuplicateAckFrame, frame);
    }
    if let Some((rto, frame)) = a.rto {
        out.push(Field::TcpAnalysisRto, Value::Nanos(rto));
        out.uint(Field::TcpAnalysisRtoFrame, frame);
    }
    out.push(Field::TcpTimeRelative, Value::Nanos(a.time_relative));
    out.push(Field::TcpTimeDelta, Value::Nanos(a.time_delta));
    out.uint(Field::TcpCompleteness, a.completeness);
}

/// A header length under 20 bytes: tshark shows the stream, the length and sequence number,
/// then stops (the segment is malformed).
fn bogus_header_length(ctx: &mut Ctx<'_>, ip: IpInfo<'_>, data: &[u8], hdr_len: usize) -> Option<()> {
    let segment = TcpSegment {
        src: Endpoint::new(ip.src, be16(data, 0)?),
        dst: Endpoint::new(ip.dst, be16(data, 2)?),
        seq: be32(data, 4)?,
        ack: be32(data, 8)?,
        flags: be16(data, 12)? & 0x0fff,
        window: be16(data, 14).unwrap_or(0),
        wscale: None,
        options_complete: false,
        payload_len: ip.reported_len.saturating_sub(hdr_len) as u32,
        sack: Sack::default(),
    };
    let view = if deferred(ctx, &segment, SegmentKind::Malformed) {
        None
    } else {
        ctx.state.tcp_needs.tracking.then(|| ctx.state.tcp.observe(&segment, ctx.meta, false))
    };
    push_stream_and_sequence(ctx.out, &segment, view.as_ref());
    ctx.out.uint(Field::TcpHdrLen, hdr_len as u64);
    if let Some(analysis) = view.and(ctx.state.tcp.analysis()) {
        ctx.out.uint(Field::TcpCompleteness, analysis.completeness); // tshark shows no more
    }
    Some(())
}

/// `tcp.stream`, `tcp.len`, `tcp.seq` and `tcp.seq_raw`, in tshark's order.
fn push_stream_and_sequence(out: &mut FrameValues, seg: &TcpSegment, view: Option<&TcpView>) {
    if let Some(v) = view {
        out.uint(Field::TcpStream, v.stream);
    }
    out.uint(Field::TcpLen, seg.payload_len);
    if let Some(v) = view {
        out.uint(Field::TcpSeq, v.seq);
    }
    out.uint(Field::TcpSeqRaw, seg.seq);
}

/// A segment on the wire: the conversation-derived fields, then the header fields.
/// Without a view (no tracking wanted, or tracking deferred), the header fields alone.
// Inlined: returned from a call, the view (`None` when the tracking is deferred, its tag alone
// written) was copied whole, and that copy waited for the tag's store (a store-forwarding stall,
// a third of this function's time in perf); so was the segment, read back field by field.
#[inline(always)]
fn tracked(ctx: &mut Ctx<'_>, seg: &TcpSegment, hdr_len: usize) -> Option<TcpView> {
    let view = if deferred(ctx, seg, SegmentKind::Wire) {
        None
    } else {
        (ctx.state.tcp_needs.tracking || ctx.state.app.wants.any_over_tcp())
            .then(|| ctx.state.tcp.observe(seg, ctx.meta, true))
    };
    let header = ctx.state.tcp_needs.header;
    let out = &mut *ctx.out;
    push_stream_and_sequence(out, seg, view.as_ref());
    if let Some(v) = view {
        out.uint(Field::TcpNxtseq, v.nxtseq);
        out.uint(Field::TcpAck, v.ack);
    }
    if header {
        out.uint(Field::TcpAckRaw, seg.ack);
    }
    push_header(out, header, seg, hdr_len, view.as_ref());
    view
}

/// A header longer than the segment: tshark skips the sequence analysis (no `tcp.len` or
/// `tcp.nxtseq`; `tcp.seq`/`tcp.ack` as sent; the window unscaled, though the scale factor is
/// shown) and leaves the conversation's state alone.
fn short_segment(ctx: &mut Ctx<'_>, seg: &TcpSegment, hdr_len: usize) -> Option<TcpView> {
    let view = if deferred(ctx, seg, SegmentKind::ShortHeader) {
        None
    } else {
        let view = ctx.state.tcp.quoted(seg, ctx.meta, true);
        Some(TcpView { window_size: u32::from(seg.window), ..view })
    };
    let header = ctx.state.tcp_needs.header;
    let out = &mut *ctx.out;
    if let Some(v) = &view {
        out.uint(Field::TcpStream, v.stream);
    }
    out.uint(Field::TcpSeq, seg.seq);
    out.uint(Field::TcpSeqRaw, seg.seq);
    out.uint(Field::TcpAck, seg.ack);
    out.uint(Field::TcpAckRaw, seg.ack);
    push_header(out, header, seg, hdr_len, view.as_ref());
    view
}

/// A whole TCP header quoted inside an ICMP error: tshark shows `tcp.seq` as sent and the
/// conversation's stream and window scaling, but no sequence analysis.
fn quoted(ctx: &mut Ctx<'_>, seg: &TcpSegment, hdr_len: usize) -> Option<TcpView> {
    let view =
        if deferred(ctx, seg, SegmentKind::Quoted) { None } else { Some(ctx.state.tcp.quoted(seg, ctx.meta, false)) };
    let header = ctx.state.tcp_needs.header;
    let out = &mut *ctx.out;
    out.uint(Field::TcpSeq, seg.seq);
    if let Some(v) = &view {
        out.uint(Field::TcpStream, v.stream);
    }
    out.uint(Field::TcpAck, seg.ack);
    out.uint(Field::TcpAckRaw, seg.ack);
    push_header(out, header, seg, hdr_len, view.as_ref());
    view
}

/// Header length, flags and window (scaled when the conversation says how).
/// `header`: whether some field of [`TCP_HEADER`] is wanted.
fn push_header(out: &mut FrameValues, header: bool, seg: &TcpSegment, hdr_len: usize, view: Option<&TcpView>) {
    if header {
        out.uint(Field::TcpHdrLen, hdr_len as u64);
        push_flags(out, seg.flags);
        out.uint(Field::TcpWindowSizeValue, seg.window);
    }
    if let Some(v) = view {
        push_window(out, v);
    }
}

/// The header's fields as sent, which nothing else reads: [`decode`] and [`push_header`] skip
/// them all when none is wanted.
const TCP_HEADER: FieldSet = FieldSet::of(&[
    Field::TcpSrcport,
    Field::TcpDstport,
    Field::TcpAckRaw,
    Field::TcpHdrLen,
    Field::TcpFlags,
    Field::TcpFlagsSyn,
    Field::TcpFlagsAck,
    Field::TcpFlagsFin,
    Field::TcpFlagsReset,
    Field::TcpFlagsPush,
    Field::TcpWindowSizeValue,
    Field::TcpChecksum,
    Field::TcpUrgentPointer,
]);

fn push_flags(out: &mut FrameValues, flags: u16) {
    out.uint(Field::TcpFlags, flags);
    out.push(Field::TcpFlagsSyn, Value::Bool(flags & 0x002 != 0));
    out.push(Field::TcpFlagsAck, Value::Bool(flags & 0x010 != 0));
    out.push(Field::TcpFlagsFin, Value::Bool(flags & 0x001 != 0));
    out.push(Field::TcpFlagsReset, Value::Bool(flags & 0x004 != 0));
    out.push(Field::TcpFlagsPush, Value::Bool(flags & 0x008 != 0));
}

/// The TCP options pcapframe reports, read up to the end of the captured bytes.
#[derive(Debug, Default, PartialEq, Eq)]
struct Options {
    mss: Option<u16>,
    wscale: Option<u8>,
    tsval: Option<u32>,
    /// SACK blocks (left and right edges, raw).
    sack: Sack,
}

impl Options {
    /// Pushes the options' fields; SACK edges relative to the peer's base when it is known.
    #[inline]
    fn push(&self, out: &mut FrameValues, peer_base: Option<u32>) {
        let base = peer_base.unwrap_or(0);
        for &(left, right) in self.sack.blocks() {
            out.uint(Field::TcpOptionsSackLe, left.wrapping_sub(base));
            out.uint(Field::TcpOptionsSackRe, right.wrapping_sub(base));
        }
        if let Some(mss) = self.mss {
            out.uint(Field::TcpOptionsMssVal, mss);
        }
        if let Some(shift) = self.wscale {
            out.uint(Field::TcpOptionsWscaleShift, shift);
        }
        if let Some(tsval) = self.tsval {
            out.uint(Field::TcpOptionsTimestampTsval, tsval);
        }
    }

    fn parse(mut b: &[u8]) -> Options {
        let mut opts = Options::default();
        while let Some(&kind) = b.first() {
            match kind {
                0 => break,
                1 => b = &b[1..],
                _ => {
                    let Some(len) = u8_at(b, 1).map(usize::from) else {
                        break;
                    };
                    if len < 2 || len > b.len() {
                        break;
                    }
                    let body = &b[2..len];
                    match (kind, len) {
                        (2, 4) => opts.mss = opts.mss.or(be16(body, 0)),
                        (3, 3) => opts.wscale = opts.wscale.or(u8_at(body, 0)),
                        (8, 10) => opts.tsval = opts.tsval.or(be32(body, 0)),
                        (5, _) if opts.sack.count == 0 => {
                            for (slot, edges) in opts.sack.blocks.iter_mut().zip(body.chunks_exact(8)) {
                                *slot = (be32(edges, 0).unwrap_or(0), be32(edges, 4).unwrap_or(0));
                                opts.sack.count += 1;
                            }
                        }
                        _ => {}
                    }
                    b = &b[len..];
                }
            }
        }
        opts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_read_until_the_capture_ends() {
        let full = [2, 4, 0x05, 0xb4, 1, 3, 3, 7, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0];
        let parsed = |mss, wscale, tsval| Options { mss, wscale, tsval, ..Options::default() };
        assert_eq!(Options::parse(&full), parsed(Some(1460), Some(7), Some(9)));
        assert_eq!(Options::parse(&full[..9]), parsed(Some(1460), Some(7), None));
        assert_eq!(Options::parse(&[2, 0, 5]), Options::default(), "zero length must not loop");
    }
}
