//! IPv4 and IPv6 (with extension headers), reassembly, and dispatch to the transport layer.

use super::{icmp, tcp, tunnel, udp, Ctx, MAX_DEPTH};
use crate::bytes::{array, be16, be32, u8_at};
use crate::fields::{Field, FieldSet, Value};
use crate::track::FragmentKey;

/// The network-layer facts a transport dissector needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IpInfo<'a> {
    pub src: &'a [u8],
    pub dst: &'a [u8],
    /// Payload length on the wire: what the IP header claims, but no more than the frame had
    /// (it can exceed what was captured).
    pub reported_len: usize,
}

/// Decodes an IPv4 header and its payload; returns the total length the header claims.
pub(crate) fn ipv4(ctx: &mut Ctx<'_>, data: &[u8]) -> Option<usize> {
    if ctx.depth >= MAX_DEPTH {
        return None;
    }
    let on_wire = ctx.wire_len_of(data);
    let b0 = u8_at(data, 0)?;
    let hdr_len = usize::from(b0 & 0x0f) * 4;
    let out = &mut *ctx.out;
    // The header's own fields are read only when one is wanted. Skipping a read never changes
    // where a cut-short header stops: a read the dissection needs, further on, stops it first.
    let header = out.wants_any(&IPV4_HEADER);
    if header {
        out.uint(Field::IpVersion, b0 >> 4);
    }
    if b0 >> 4 == 6 {
        return ipv6(ctx, data); // tshark hands an IPv6 header under an IPv4 label to IPv6
    }
    if header {
        out.uint(Field::IpHdrLen, hdr_len as u64);
    }
    if b0 >> 4 != 4 || hdr_len < 20 {
        return None;
    }
    if header {
        out.uint(Field::IpDsfield, u8_at(data, 1)?);
    }
    // A total length of 0 is segmentation offload (the NIC fills it in): the packet is the rest
    // of the frame, as tshark takes it.
    let total = match usize::from(be16(data, 2)?) {
        0 => on_wire,
        n => n,
    };
    if header {
        out.uint(Field::IpLen, total as u64);
    }
    if total < hdr_len {
        // tshark stops at a total length under the header length, and splits no trailer off.
        return None;
    }
    let id = be16(data, 4)?;
    if header {
        out.uint(Field::IpId, id);
    }
    let flags = u8_at(data, 6)?;
    if header {
        out.uint(Field::IpFlags, flags >> 5);
        out.push(Field::IpFlagsDf, Value::Bool(flags & 0x40 != 0));
        out.push(Field::IpFlagsMf, Value::Bool(flags & 0x20 != 0));
    }
    let frag_units = be16(data, 6)? & 0x1fff;
    if header {
        out.uint(Field::IpFragOffset, frag_units);
        out.uint(Field::IpTtl, u8_at(data, 8)?);
    }
    let proto = u8_at(data, 9)?;
    if header {
        out.uint(Field::IpProto, proto);
        out.uint(Field::IpChecksum, be16(data, 10)?);
    }
    let src: [u8; 4] = array(data, 12)?;
    out.push(Field::IpSrc, Value::Ipv4(src));
    let dst: [u8; 4] = array(data, 16)?;
    out.push(Field::IpDst, Value::Ipv4(dst));
    let payload = data.get(hdr_len..total.min(data.len())).unwrap_or(&[]);
    // A total length beyond the frame: tshark takes the payload to be the rest of the frame.
    let reported_len = total.min(on_wire).saturating_sub(hdr_len);
    let more = flags & 0x20 != 0;
    let offset = u32::from(frag_units) * 8;
    let info = IpInfo { src: &src, dst: &dst, reported_len };
    let fragment = (more || offset > 0).then(|| {
        let mut key = FragmentKey { src: [0; 16], dst: [0; 16], id: u32::from(id), proto, version: 4 };
        key.src[..4].copy_from_slice(&src);
        key.dst[..4].copy_from_slice(&dst);
        (key, offset, more)
    });
    deliver(ctx, proto, info, payload, fragment, 4);
    Some(total)
}

/// The IPv4 header's fields other than its addresses.
const IPV4_HEADER: FieldSet = FieldSet::of(&[
    Field::IpVersion,
    Field::IpHdrLen,
    Field::IpDsfield,
    Field::IpLen,
    Field::IpId,
    Field::IpFlags,
    Field::IpFlagsDf,
    Field::IpFlagsMf,
    Field::IpFragOffset,
    Field::IpTtl,
    Field::IpProto,
    Field::IpChecksum,
]);

const HOP_BY_HOP: u8 = 0;
const ROUTING: u8 = 43;
const FRAGMENT: u8 = 44;
const AUTH: u8 = 51;
const DEST_OPTS: u8 = 60;

/// Decodes an IPv6 header, its extension headers and payload; returns `40 + plen`.
pub(crate) fn ipv6(ctx: &mut Ctx<'_>, data: &[u8]) -> Option<usize> {
    if ctx.depth >= MAX_DEPTH {
        return None;
    }
    let version = u8_at(data, 0)? >> 4;
    ctx.out.uint(Field::IpVersion, version);
    let word0 = be32(data, 0)?;
    if version != 6 {
        return None; // tshark shows the bogus version and stops
    }
    let on_wire = ctx.wire_len_of(data);
    let out = &mut *ctx.out;
    out.uint(Field::Ipv6Flow, word0 & 0x000f_ffff);
    let plen = usize::from(be16(data, 4)?);
    out.uint(Field::Ipv6Plen, plen as u64);
    let mut next = u8_at(data, 6)?;
    out.uint(Field::Ipv6Nxt, next);
    out.uint(Field::Ipv6Hlim, u8_at(data, 7)?);
    let src: [u8; 16] = array(data, 8)?;
    out.push(Field::Ipv6Src, Value::Ipv6(src));
    let dst: [u8; 16] = array(data, 24)?;
    out.push(Field::Ipv6Dst, Value::Ipv6(dst));
    let end = (40 + plen).min(data.len());
    let mut offset = 40;
    let mut fragment = None;
    loop {
        match next {
            HOP_BY_HOP | ROUTING | DEST_OPTS => {
                let len = (usize::from(u8_at(data, offset + 1)?) + 1) * 8;
                next = u8_at(data, offset)?;
                offset += len;
            }
            AUTH => {
                let len = (usize::from(u8_at(data, offset + 1)?) + 2) * 4;
                next = u8_at(data, offset)?;
                offset += len;
            }
            FRAGMENT => {
                let word = be16(data, offset + 2)?;
                let id = be32(data, offset + 4)?;
                next = u8_at(data, offset)?;
                offset += 8;
                fragment = Some((u32::from(word & 0xfff8), word & 1 != 0, id));
                if word & 0xfff8 != 0 {
                    break; // a later fragment: what follows is data, not headers
                }
            }
            _ => break,
        }
    }
    let payload = data.get(offset..end).unwrap_or(&[]);
    let reported_len = (40 + plen).min(on_wire).saturating_sub(offset);
    let info = IpInfo { src: &src, dst: &dst, reported_len };
    let fragment = fragment
        .filter(|(offset, more, _)| *more || *offset > 0)
        .map(|(offset, more, id)| (FragmentKey { src, dst, id, proto: 0, version: 6 }, offset, more));
    deliver(ctx, next, info, payload, fragment, 6);
    Some(40 + plen)
}

/// Hands a datagram's payload to the transport layer. A fragment is first given to the
/// defragmenter and the transport decoded only on the frame that completes the datagram (as
/// tshark does by default); a fragment quoted in an ICMP error is decoded only if it is the first.
fn deliver(
    ctx: &mut Ctx<'_>,
    proto: u8,
    info: IpInfo<'_>,
    payload: &[u8],
    fragment: Option<(FragmentKey, u32, bool)>,
    version: u8,
) {
    ctx.depth += 1;
    match fragment {
        None => transport(ctx, proto, info, payload, version),
        Some((key, offset, more)) if !ctx.quoted && payload.len() == info.reported_len => {
            if let Some(whole) = ctx.state.defrag.add(key, offset, more, payload) {
                let info = IpInfo { reported_len: whole.payload.len(), ..info };
                transport(ctx, proto, info, &whole.payload, version);
            }
        }
        Some((_, 0, _)) if ctx.quoted => transport(ctx, proto, info, payload, version),
        Some(_) => {}
    }
    ctx.depth -= 1;
}

/// An IPv4 or IPv6 packet, told apart by the version nibble (raw IP, MPLS and GTP-U payloads).
pub(crate) fn by_version(ctx: &mut Ctx<'_>, data: &[u8]) -> Option<usize> {
    match u8_at(data, 0)? >> 4 {
        4 => ipv4(ctx, data),
        6 => ipv6(ctx, data),
        _ => None,
    }
}

/// Dispatches an IP payload on its protocol number.
fn transport(ctx: &mut Ctx<'_>, proto: u8, ip: IpInfo<'_>, payload: &[u8], version: u8) {
    match (proto, version) {
        (6, _) => tcp::dissect(ctx, ip, payload),
        (17, _) => udp::dissect(ctx, ip, payload),
        (1, 4) => icmp::icmpv4(ctx, payload),
        (58, 6) => icmp::icmpv6(ctx, payload),
        (4, _) => {
            ipv4(ctx, payload);
        }
        (41, _) => {
            ipv6(ctx, payload);
        }
        (47, _) => tunnel::gre(ctx, payload),
        _ => {}
    }
}
