//! Link layers: Ethernet (with 802.1Q tags, MPLS and PPPoE), Linux cooked SLL/SLL2, BSD
//! loopback, raw IP, PPP, and the 802.11 family (in [`super::wlan`]).

use super::{arp, ip, llc, ppp, tunnel, wlan, Ctx};
use crate::bytes::{array, be16, be32, le32, u8_at};
use crate::fields::{Field, Value};

/// LINKTYPE_* values handled here.
pub(crate) mod linktype {
    pub const NULL: u32 = 0;
    pub const ETHERNET: u32 = 1;
    pub const PPP: u32 = 9;
    pub const PPP_HDLC: u32 = 50;
    pub const RAW: u32 = 101;
    pub const IEEE802_11: u32 = 105;
    pub const LOOP: u32 = 108;
    pub const LINUX_SLL: u32 = 113;
    pub const IEEE802_11_RADIOTAP: u32 = 127;
    pub const PPI: u32 = 192;
    pub const IPV4: u32 = 228;
    pub const IPV6: u32 = 229;
    pub const LINUX_SLL2: u32 = 276;
}

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_ARP: u16 = 0x0806;
const ETHERTYPE_RARP: u16 = 0x8035;
const ETHERTYPE_VLAN: u16 = 0x8100;
const ETHERTYPE_8021AD: u16 = 0x88a8;
const ETHERTYPE_IPV6: u16 = 0x86dd;
const ETHERTYPE_MPLS: u16 = 0x8847;
const ETHERTYPE_PPPOE_DISCOVERY: u16 = 0x8863;
const ETHERTYPE_PPPOE_SESSION: u16 = 0x8864;

/// Decodes one frame of a link type: context, captured bytes, length on the wire.
type LinkDecoder = fn(&mut Ctx<'_>, &[u8], u32);

/// The decoder of a link type; `None` for the types that get only the frame fields.
fn decoder(link_type: u32) -> Option<LinkDecoder> {
    Some(match link_type {
        linktype::ETHERNET => ethernet,
        linktype::LINUX_SLL => |ctx, data, _| sll(ctx, data),
        linktype::LINUX_SLL2 => |ctx, data, _| sll2(ctx, data),
        linktype::NULL => |ctx, data, _| null(ctx, data, false),
        linktype::LOOP => |ctx, data, _| null(ctx, data, true),
        linktype::RAW => |ctx, data, _| raw_ip(ctx, data),
        linktype::IPV4 => |ctx, data, _| {
            ip::ipv4(ctx, data);
        },
        linktype::IPV6 => |ctx, data, _| {
            ip::ipv6(ctx, data);
        },
        linktype::PPP | linktype::PPP_HDLC => |ctx, data, _| {
            ppp::dissect(ctx, data);
        },
        linktype::IEEE802_11 => |ctx, data, _| wlan::ieee80211(ctx, data, false),
        linktype::IEEE802_11_RADIOTAP => |ctx, data, _| wlan::radiotap(ctx, data),
        linktype::PPI => |ctx, data, _| wlan::ppi(ctx, data),
        _ => return None,
    })
}

/// Whether [`dissect`] decodes this link type (others yield only the frame fields).
pub(crate) fn is_decoded(link_type: u32) -> bool {
    decoder(link_type).is_some()
}

/// Dispatches on the record's link type; unknown link types yield only the frame fields.
pub(crate) fn dissect(ctx: &mut Ctx<'_>, link_type: u32, data: &[u8], wire_len: u32) {
    if let Some(decode) = decoder(link_type) {
        decode(ctx, data, wire_len);
    }
}

/// An Ethernet frame: the link layer of a capture, or the payload of a tunnel.
pub(crate) fn ethernet(ctx: &mut Ctx<'_>, data: &[u8], wire_len: u32) {
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
        // IEEE 802.3: a length field, then LLC (decoded when it is SNAP); what follows is split.
        let end = (14 + usize::from(ethertype)).min(data.len());
        llc::dissect(ctx, &data[14.min(end)..end]);
        trailer(ctx, &data[end..], end, wire_len, false);
        return;
    }
    ctx.out.uint(Field::EthType, ethertype);
    let mut offset = 14;
    let mut ethertype = ethertype;
    let mut tagged = false;
    loop {
        match ethertype {
            ETHERTYPE_VLAN => {
                let Some(tci) = be16(data, offset) else { return };
                ctx.out.uint(Field::VlanPriority, tci >> 13);
                ctx.out.uint(Field::VlanId, tci & 0x0fff);
                let Some(inner) = be16(data, offset + 2) else { return };
                if inner >= 0x0600 {
                    // Below 0x0600 it is an 802.3 length, which tshark shows as vlan.len.
                    ctx.out.uint(Field::VlanEtype, inner);
                }
                ethertype = inner;
            }
            // 802.1ad service tag: tshark shows it as ieee8021ad.*, not vlan.*.
            ETHERTYPE_8021AD => {
                let Some(inner) = be16(data, offset + 2) else { return };
                ethertype = inner;
            }
            _ => break,
        }
        tagged = true;
        offset += 4;
    }
    let payload = &data[offset.min(data.len())..];
    let Some(used) = network(ctx, ethertype, payload) else {
        return;
    };
    let extra = &payload[used.min(payload.len())..];
    trailer(ctx, extra, data.len() - extra.len(), wire_len, tagged);
}

/// The fields [`trailer`] reports.
const TRAILER_FIELDS: [Field; 3] = [Field::EthPadding, Field::EthTrailer, Field::EthFcs];

/// Splits the bytes after the payload as tshark does: all-zero bytes that bring the frame to
/// the 60-byte minimum are `eth.padding`; on frames of 64 bytes or more the last 4 bytes are
/// `eth.fcs`; anything else is `eth.trailer` (so are zeros in a frame shorter than 60 bytes,
/// which no padding brought up to the minimum). Behind 802.1Q tags only the padding is reported.
fn trailer(ctx: &mut Ctx<'_>, extra: &[u8], payload_end: usize, wire_len: u32, tagged: bool) {
    if !TRAILER_FIELDS.iter().any(|f| ctx.out.wants(*f)) {
        return;
    }
    let padded_to_minimum = wire_len >= 60;
    let pad_len = if padded_to_minimum { 60usize.saturating_sub(payload_end).min(extra.len()) } else { 0 };
    let (pad, _) = extra.split_at(pad_len);
    let pad_is_zero = pad.iter().all(|b| *b == 0);
    if tagged {
        if pad_is_zero && !pad.is_empty() {
            ctx.out.bytes(Field::EthPadding, pad);
        }
        return;
    }
    let (body, fcs) = if wire_len >= 64 && extra.len() >= 4 {
        let split = extra.len() - 4;
        (&extra[..split], be32(extra, split))
    } else {
        (extra, None)
    };
    let pad_len = pad_len.min(body.len());
    let trailer = if pad_is_zero {
        if pad_len > 0 {
            ctx.out.bytes(Field::EthPadding, &body[..pad_len]);
        }
        &body[pad_len..]
    } else {
        body
    };
    if !trailer.is_empty() {
        ctx.out.bytes(Field::EthTrailer, trailer);
    }
    if let Some(fcs) = fcs {
        ctx.out.uint(Field::EthFcs, fcs);
    }
}

/// Decodes an EtherType payload; returns how many bytes it covers (`None`: unknown, all of it).
pub(crate) fn network(ctx: &mut Ctx<'_>, ethertype: u16, payload: &[u8]) -> Option<usize> {
    match ethertype {
        ETHERTYPE_IPV4 => ip::ipv4(ctx, payload),
        ETHERTYPE_IPV6 => ip::ipv6(ctx, payload),
        ETHERTYPE_ARP | ETHERTYPE_RARP => arp::dissect(ctx, payload),
        ETHERTYPE_MPLS => tunnel::mpls(ctx, payload),
        ETHERTYPE_PPPOE_DISCOVERY => ppp::pppoe_discovery(ctx, payload),
        ETHERTYPE_PPPOE_SESSION => ppp::pppoe_session(ctx, payload),
        _ => None,
    }
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
    ip::by_version(ctx, data);
}
