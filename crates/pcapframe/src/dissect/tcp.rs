//! TCP header, options, and the conversation-derived fields.

use super::ip::IpInfo;
use super::Ctx;
use crate::bytes::{be16, be32, u8_at};
use crate::fields::{Field, FrameValues, Value};
use crate::track::{Endpoint, TcpSegment, TcpView};

const TRACKED: [Field; 6] = [
    Field::TcpStream,
    Field::TcpSeq,
    Field::TcpAck,
    Field::TcpNxtseq,
    Field::TcpWindowSize,
    Field::TcpWindowSizeScalefactor,
];

pub(crate) fn dissect(ctx: &mut Ctx<'_>, ip: IpInfo<'_>, data: &[u8]) {
    let _ = decode(ctx, ip, data);
}

fn decode(ctx: &mut Ctx<'_>, ip: IpInfo<'_>, data: &[u8]) -> Option<()> {
    let sport = be16(data, 0)?;
    let dport = be16(data, 2)?;
    ctx.out.uint(Field::TcpSrcport, sport);
    ctx.out.uint(Field::TcpDstport, dport);
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
    let options = Options::parse(data.get(20..hdr_len.min(data.len())).unwrap_or(&[]));
    let segment = TcpSegment {
        src: Endpoint::new(ip.src, sport),
        dst: Endpoint::new(ip.dst, dport),
        seq,
        ack: be32(data, 8)?,
        flags: be16(data, 12)? & 0x0fff,
        window: be16(data, 14)?,
        wscale: options.wscale,
        options_complete: data.len() >= hdr_len,
        payload_len: if ctx.quoted { 0 } else { ip.reported_len.saturating_sub(hdr_len) as u32 },
    };
    let (checksum, urgent) = (be16(data, 16)?, be16(data, 18)?);
    if ctx.quoted {
        quoted(ctx, &segment, hdr_len);
    } else if hdr_len <= ip.reported_len {
        tracked(ctx, &segment, hdr_len);
    } else {
        short_segment(ctx, &segment, hdr_len);
    }
    let out = &mut *ctx.out;
    out.uint(Field::TcpChecksum, checksum);
    out.uint(Field::TcpUrgentPointer, urgent);
    options.push(out);
    Some(())
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
    };
    let view = TRACKED.iter().any(|f| ctx.out.wants(*f)).then(|| ctx.state.tcp.observe(&segment));
    push_stream_and_sequence(ctx.out, &segment, view.as_ref());
    ctx.out.uint(Field::TcpHdrLen, hdr_len as u64);
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
fn tracked(ctx: &mut Ctx<'_>, seg: &TcpSegment, hdr_len: usize) {
    let view = TRACKED.iter().any(|f| ctx.out.wants(*f)).then(|| ctx.state.tcp.observe(seg));
    let out = &mut *ctx.out;
    push_stream_and_sequence(out, seg, view.as_ref());
    if let Some(v) = view {
        out.uint(Field::TcpNxtseq, v.nxtseq);
        out.uint(Field::TcpAck, v.ack);
    }
    out.uint(Field::TcpAckRaw, seg.ack);
    push_header(out, seg, hdr_len, view.as_ref());
}

/// A header longer than the segment: tshark skips the sequence analysis (no `tcp.len` or
/// `tcp.nxtseq`; `tcp.seq`/`tcp.ack` as sent; the window unscaled, though the scale factor is
/// shown) and leaves the conversation's state alone.
fn short_segment(ctx: &mut Ctx<'_>, seg: &TcpSegment, hdr_len: usize) {
    let view = ctx.state.tcp.quoted(seg);
    let view = TcpView { window_size: u32::from(seg.window), ..view };
    let out = &mut *ctx.out;
    out.uint(Field::TcpStream, view.stream);
    out.uint(Field::TcpSeq, seg.seq);
    out.uint(Field::TcpSeqRaw, seg.seq);
    out.uint(Field::TcpAck, seg.ack);
    out.uint(Field::TcpAckRaw, seg.ack);
    push_header(out, seg, hdr_len, Some(&view));
}

/// A whole TCP header quoted inside an ICMP error: tshark shows `tcp.seq` as sent and the
/// conversation's stream and window scaling, but no sequence analysis.
fn quoted(ctx: &mut Ctx<'_>, seg: &TcpSegment, hdr_len: usize) {
    let view = ctx.state.tcp.quoted(seg);
    let out = &mut *ctx.out;
    out.uint(Field::TcpSeq, seg.seq);
    out.uint(Field::TcpStream, view.stream);
    out.uint(Field::TcpAck, seg.ack);
    out.uint(Field::TcpAckRaw, seg.ack);
    push_header(out, seg, hdr_len, Some(&view));
}

/// Header length, flags and window (scaled when the conversation says how).
fn push_header(out: &mut FrameValues, seg: &TcpSegment, hdr_len: usize, view: Option<&TcpView>) {
    out.uint(Field::TcpHdrLen, hdr_len as u64);
    push_flags(out, seg.flags);
    out.uint(Field::TcpWindowSizeValue, seg.window);
    if let Some(v) = view {
        out.uint(Field::TcpWindowSize, v.window_size);
        if let Some(factor) = v.scalefactor {
            out.push(Field::TcpWindowSizeScalefactor, Value::Int(factor.into()));
        }
    }
}

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
}

impl Options {
    fn push(&self, out: &mut FrameValues) {
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
        assert_eq!(Options::parse(&full), Options { mss: Some(1460), wscale: Some(7), tsval: Some(9) });
        assert_eq!(Options::parse(&full[..9]), Options { mss: Some(1460), wscale: Some(7), tsval: None });
        assert_eq!(Options::parse(&[2, 0, 5]), Options::default(), "zero length must not loop");
    }
}
