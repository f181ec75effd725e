//! Link layers: Ethernet (with 802.1Q tags and MPLS), Linux cooked SLL/SLL2, BSD loopback, raw IP.

use super::{arp, ip, Ctx};
use crate::bytes::{array, be16, be32, le32, u8_at};
use crate::fields::{Field, Value};

/// LINKTYPE_* values handled here.
pub(crate) mod linktype {
    pub const NULL: u32 = 0;
    pub const ETHERNET: u32 = 1;
    pub const RAW: u32 = 101;
    pub const LOOP: u32 = 108;
    pub const LINUX_SLL: u32 = 113;
    pub const IPV4: u32 = 228;
    pub const IPV6: u32 = 229;
    pub const LINUX_SLL2: u32 = 276;
}

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_ARP: u16 = 0x0806;
const ETHERTYPE_RARP: u16 = 0x8035;
const ETHERTYPE_VLAN: u16 = 0x8100;
const ETHERTYPE_IPV6: u16 = 0x86dd;
const ETHERTYPE_MPLS: u16 = 0x8847;

/// Dispatches on the record's link type; unknown link types yield only the frame fields.
pub(crate) fn dissect(ctx: &mut Ctx<'_>, link_type: u32, data: &[u8], wire_len: u32) {
    match link_type {
        linktype::ETHERNET => ethernet(ctx, data, wire_len),
        linktype::LINUX_SLL => sll(ctx, data),
        linktype::LINUX_SLL2 => sll2(ctx, data),
        linktype::NULL => null(ctx, data, false),
        linktype::LOOP => null(ctx, data, true),
        linktype::RAW => raw_ip(ctx, data),
        linktype::IPV4 => {
            ip::ipv4(ctx, data);
        }
        linktype::IPV6 => {
            ip::ipv6(ctx, data);
        }
        _ => {}
    }
}

fn ethernet(ctx: &mut Ctx<'_>, data: &[u8], wire_len: u32) {
    let Some(dst) = array::<6>(data, 0) else {
        return;
    };
    ctx.out.push(Field::EthDst, Value::Mac(dst));
    let Some(src) = array::<6>(data, 6) else {
        return;
    };
    ctx.out.push(Field::EthSrc, Value::Mac(src));
    let Some(ethertype) = be16(data, 12) else {
        return;
    };
    if ethertype < 0x0600 {
        return; // IEEE 802.3 length field: LLC payload, not decoded.
    }
    ctx.out.uint(Field::EthType, ethertype);
    let mut offset = 14;
    let mut ethertype = ethertype;
    while ethertype == ETHERTYPE_VLAN {
        let Some(tci) = be16(data, offset) else {
            return;
        };
        ctx.out.uint(Field::VlanPriority, tci >> 13);
        ctx.out.uint(Field::VlanId, tci & 0x0fff);
        let Some(inner) = be16(data, offset + 2) else {
            return;
        };
        ctx.out.uint(Field::VlanEtype, inner);
        ethertype = inner;
        offset += 4;
    }
    let payload = &data[offset.min(data.len())..];
    let Some(used) = network(ctx, ethertype, payload) else {
        return;
    };
    // tshark splits off padding, trailer and FCS only when no 802.1Q tag sits in between.
    if offset == 14 {
        trailer(ctx, &payload[used.min(payload.len())..], wire_len);
    }
}

/// Splits the bytes after the payload into `eth.padding`, `eth.trailer` and `eth.fcs`.
fn trailer(ctx: &mut Ctx<'_>, mut extra: &[u8], wire_len: u32) {
    let mut fcs = None;
    if wire_len >= 64 && extra.len() >= 4 {
        let split = extra.len() - 4;
        fcs = be32(extra, split);
        extra = &extra[..split];
    }
    if !extra.is_empty() {
        let field = if extra.iter().all(|b| *b == 0) { Field::EthPadding } else { Field::EthTrailer };
        ctx.out.bytes(field, extra);
    }
    if let Some(fcs) = fcs {
        ctx.out.uint(Field::EthFcs, fcs);
    }
}

/// Decodes an EtherType payload; returns how many bytes it covers (`None`: unknown, all of it).
fn network(ctx: &mut Ctx<'_>, ethertype: u16, payload: &[u8]) -> Option<usize> {
    match ethertype {
        ETHERTYPE_IPV4 => ip::ipv4(ctx, payload),
        ETHERTYPE_IPV6 => ip::ipv6(ctx, payload),
        ETHERTYPE_ARP | ETHERTYPE_RARP => arp::dissect(ctx, payload),
        ETHERTYPE_MPLS => mpls(ctx, payload),
        _ => None,
    }
}

/// MPLS label stack, then IPv4 or IPv6 guessed from the first nibble as tshark does.
fn mpls(ctx: &mut Ctx<'_>, data: &[u8]) -> Option<usize> {
    let mut offset = 0;
    loop {
        let entry = be32(data, offset)?;
        offset += 4;
        if entry & 0x100 != 0 {
            break;
        }
    }
    let rest = &data[offset..];
    let used = match u8_at(rest, 0)? >> 4 {
        4 => ip::ipv4(ctx, rest)?,
        6 => ip::ipv6(ctx, rest)?,
        _ => return None,
    };
    Some(offset + used)
}

fn sll(ctx: &mut Ctx<'_>, data: &[u8]) {
    let Some(pkttype) = be16(data, 0) else { return };
    ctx.out.uint(Field::SllPkttype, pkttype);
    let Some(protocol) = be16(data, 14) else {
        return;
    };
    ctx.out.uint(Field::SllEtype, protocol);
    network(ctx, protocol, &data[16.min(data.len())..]);
}

fn sll2(ctx: &mut Ctx<'_>, data: &[u8]) {
    let Some(protocol) = be16(data, 0) else {
        return;
    };
    ctx.out.uint(Field::SllEtype, protocol);
    let Some(pkttype) = u8_at(data, 10) else {
        return;
    };
    ctx.out.uint(Field::SllPkttype, pkttype);
    network(ctx, protocol, &data[20.min(data.len())..]);
}

/// BSD loopback: a 4-byte address family, in the capturing host's byte order (NULL) or
/// network order (LOOP).
fn null(ctx: &mut Ctx<'_>, data: &[u8], network_order: bool) {
    let family = if network_order {
        be32(data, 0)
    } else {
        // Host order is unknown: a family is small, so the order that gives a small value wins.
        le32(data, 0).map(|v| if v & 0xffff_0000 != 0 { v.swap_bytes() } else { v })
    };
    let Some(family) = family else { return };
    ctx.out.uint(Field::NullFamily, family);
    let payload = &data[4.min(data.len())..];
    match family {
        2 => {
            ip::ipv4(ctx, payload);
        }
        24 | 28 | 30 => {
            ip::ipv6(ctx, payload);
        }
        _ => {}
    }
}

fn raw_ip(ctx: &mut Ctx<'_>, data: &[u8]) {
    match u8_at(data, 0).map(|b| b >> 4) {
        Some(4) => {
            ip::ipv4(ctx, data);
        }
        Some(6) => {
            ip::ipv6(ctx, data);
        }
        _ => {}
    }
}
