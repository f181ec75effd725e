//! Tunnels that tshark decodes by default: GRE (with IP, Ethernet, ERSPAN and PPP payloads),
//! MPLS (IP, and Ethernet pseudowires with or without a control word), VXLAN, GENEVE, Teredo.
//! IP-in-IP and IPv6-in-IPv4 are protocol numbers of [`super::ip`].
//!
//! The inner layers' fields are further occurrences of the same fields (`ip.src` of a GRE frame
//! holds the outer and the inner source), and inner conversations get their own stream numbers.

use super::{ip, link, ppp, Ctx, MAX_DEPTH};
use crate::bytes::{be16, be32, u8_at};
use crate::fields::Field;

/// UDP ports of the tunnels carried over UDP.
pub(crate) mod port {
    pub const TEREDO: u16 = 3544;
    pub const VXLAN: u16 = 4789;
    pub const GENEVE: u16 = 6081;
}

const ETHERTYPE_TEB: u16 = 0x6558;
const ETHERTYPE_PPP: u16 = 0x880b;
const ETHERTYPE_ERSPAN_2: u16 = 0x88be;
const ETHERTYPE_ERSPAN_3: u16 = 0x22eb;

/// A tunnel's inner Ethernet frame (its length on the wire is what is left of the outer one).
fn inner_ethernet(ctx: &mut Ctx<'_>, data: &[u8]) {
    if ctx.depth >= MAX_DEPTH {
        return;
    }
    let wire_len = ctx.wire_len_of(data) as u32;
    ctx.depth += 1;
    link::ethernet(ctx, data, wire_len);
    ctx.depth -= 1;
}

/// A payload named by an EtherType, as GRE and GENEVE carry it.
fn by_ethertype(ctx: &mut Ctx<'_>, ethertype: u16, data: &[u8]) {
    match ethertype {
        ETHERTYPE_TEB => inner_ethernet(ctx, data),
        _ => {
            link::network(ctx, ethertype, data);
        }
    }
}

/// GRE (RFC 2784, 2890) and PPTP's enhanced GRE (version 1, RFC 2637).
pub(crate) fn gre(ctx: &mut Ctx<'_>, data: &[u8]) {
    let Some(flags) = be16(data, 0) else { return };
    let Some(proto) = be16(data, 2) else { return };
    ctx.out.uint(Field::GreProto, proto);
    let checksum = flags & 0x8000 != 0;
    let routing = flags & 0x4000 != 0;
    let key = flags & 0x2000 != 0;
    let sequence = flags & 0x1000 != 0;
    let ack = flags & 0x0080 != 0;
    let version = flags & 0x0007;
    let mut offset = 4;
    if checksum || routing {
        offset += 4;
    }
    if key {
        offset += 4;
    }
    if sequence {
        offset += 4;
    }
    if version == 1 && ack {
        offset += 4;
    }
    if routing {
        return; // source routing entries (RFC 1701) are obsolete: not followed
    }
    let payload = data.get(offset..).unwrap_or(&[]);
    match proto {
        ETHERTYPE_PPP => {
            ppp::dissect(ctx, payload);
        }
        ETHERTYPE_ERSPAN_2 => erspan(ctx, payload, sequence),
        ETHERTYPE_ERSPAN_3 => erspan3(ctx, payload),
        _ => by_ethertype(ctx, proto, payload),
    }
}

/// ERSPAN type II (8-byte header) or, without a GRE sequence number, type I (no header).
fn erspan(ctx: &mut Ctx<'_>, data: &[u8], type_2: bool) {
    let header = if type_2 { 8 } else { 0 };
    inner_ethernet(ctx, data.get(header..).unwrap_or(&[]));
}

/// ERSPAN type III: a 12-byte header, and an 8-byte platform subheader when its O bit is set.
fn erspan3(ctx: &mut Ctx<'_>, data: &[u8]) {
    let Some(last) = u8_at(data, 11) else { return };
    let header = if last & 0x01 != 0 { 20 } else { 12 };
    inner_ethernet(ctx, data.get(header..).unwrap_or(&[]));
}

/// MPLS label stack (one `mpls.label` per entry), then the payload, told apart by its first
/// nibble as tshark does: 4 and 6 are IP, 0 an Ethernet pseudowire (see [`has_control_word`]),
/// anything else is not decoded.
pub(crate) fn mpls(ctx: &mut Ctx<'_>, data: &[u8]) -> Option<usize> {
    let mut offset = 0;
    loop {
        let entry = be32(data, offset)?;
        ctx.out.uint(Field::MplsLabel, entry >> 12);
        offset += 4;
        if entry & 0x100 != 0 {
            break;
        }
    }
    let payload = &data[offset.min(data.len())..];
    match u8_at(payload, 0)? >> 4 {
        4 | 6 => {
            let used = ip::by_version(ctx, payload)?;
            Some(offset + used)
        }
        0 => {
            let start = if has_control_word(payload) { 4 } else { 0 };
            inner_ethernet(ctx, payload.get(start..).unwrap_or(&[]));
            Some(data.len())
        }
        _ => None,
    }
}

/// Whether an Ethernet pseudowire starts with a 4-byte control word. tshark 4.0's heuristic, as
/// its output shows it: a first byte other than 0 is a control word; with a first byte of 0 it
/// is one unless the frame after it would have a multicast (odd) source address.
fn has_control_word(payload: &[u8]) -> bool {
    match (u8_at(payload, 0), u8_at(payload, 4 + 6)) {
        (Some(0), Some(source)) => source & 1 == 0,
        _ => true,
    }
}

/// VXLAN (RFC 7348): an 8-byte header with the network identifier, then an Ethernet frame.
pub(crate) fn vxlan(ctx: &mut Ctx<'_>, data: &[u8]) {
    let Some(word) = be32(data, 4) else { return };
    ctx.out.uint(Field::VxlanVni, word >> 8);
    inner_ethernet(ctx, data.get(8..).unwrap_or(&[]));
}

/// GENEVE (RFC 8926): header, options, then the payload named by an EtherType.
pub(crate) fn geneve(ctx: &mut Ctx<'_>, data: &[u8]) {
    let Some(first) = u8_at(data, 0) else { return };
    let Some(proto) = be16(data, 2) else { return };
    let Some(word) = be32(data, 4) else { return };
    ctx.out.uint(Field::GeneveVni, word >> 8);
    if first >> 6 != 0 {
        return; // an unknown version: the rest is not decoded
    }
    let options = usize::from(first & 0x3f) * 4;
    by_ethertype(ctx, proto, data.get(8 + options..).unwrap_or(&[]));
}

/// Teredo (RFC 4380): optional authentication and origin-indication headers, then IPv6.
pub(crate) fn teredo(ctx: &mut Ctx<'_>, data: &[u8]) {
    let mut offset = 0;
    if be16(data, offset) == Some(0x0001) {
        // Authentication: client id and authentication value lengths, nonce (8), confirmation (1).
        let (Some(id_len), Some(auth_len)) = (u8_at(data, offset + 2), u8_at(data, offset + 3)) else { return };
        offset += 4 + usize::from(id_len) + usize::from(auth_len) + 9;
    }
    if be16(data, offset) == Some(0x0000) {
        offset += 8; // origin indication: port and address
    }
    let payload = data.get(offset..).unwrap_or(&[]);
    if u8_at(payload, 0).is_some_and(|b| b >> 4 == 6) {
        ip::ipv6(ctx, payload);
    }
}

/// Whether a UDP datagram between these ports is a tunnel, and which.
pub(crate) fn over_udp(ctx: &mut Ctx<'_>, sport: u16, dport: u16, payload: &[u8]) {
    let is = |p: u16| sport == p || dport == p;
    if is(port::VXLAN) {
        vxlan(ctx, payload);
    } else if is(port::GENEVE) {
        geneve(ctx, payload);
    } else if is(port::TEREDO) {
        teredo(ctx, payload);
    }
}
