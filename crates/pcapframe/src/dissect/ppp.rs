//! PPP (RFC 1661) on its own link types, in HDLC-like framing (RFC 1662), in Cisco HDLC, in
//! PPTP's GRE, and over Ethernet as PPPoE (RFC 2516).

use super::{ip, link, tunnel, Ctx};
use crate::bytes::{be16, u8_at};
use crate::fields::Field;

const PPP_IPV4: u16 = 0x0021;
const PPP_IPV6: u16 = 0x0057;
const PPP_MPLS: u16 = 0x0281;

/// A PPP frame, with or without the `ff 03` address and control bytes, or a Cisco HDLC frame
/// (address `0f` or `8f`) on the same link type. Returns the bytes covered.
pub(crate) fn dissect(ctx: &mut Ctx<'_>, data: &[u8]) -> Option<usize> {
    let first = u8_at(data, 0)?;
    if first == 0x0f || first == 0x8f {
        // Cisco HDLC: address, control, then an EtherType.
        let ethertype = be16(data, 2)?;
        return link::network(ctx, ethertype, data.get(4..).unwrap_or(&[])).map(|n| n + 4);
    }
    let offset = if first == 0xff && u8_at(data, 1) == Some(0x03) { 2 } else { 0 };
    protocol_and_payload(ctx, data, offset)
}

/// The PPP protocol field (one byte when compressed: an odd first byte) and what it carries.
fn protocol_and_payload(ctx: &mut Ctx<'_>, data: &[u8], offset: usize) -> Option<usize> {
    let first = u8_at(data, offset)?;
    let (protocol, header) = if first & 1 == 1 { (u16::from(first), 1) } else { (be16(data, offset)?, 2) };
    ctx.out.uint(Field::PppProtocol, protocol);
    let payload = data.get(offset + header..).unwrap_or(&[]);
    let used = match protocol {
        PPP_IPV4 => ip::ipv4(ctx, payload),
        PPP_IPV6 => ip::ipv6(ctx, payload),
        PPP_MPLS => tunnel::mpls(ctx, payload),
        _ => None,
    }?;
    Some(offset + header + used)
}

/// The PPPoE header (version and type, code, session id, length); returns the length.
fn pppoe_header(ctx: &mut Ctx<'_>, data: &[u8]) -> Option<usize> {
    u8_at(data, 1)?; // code
    ctx.out.uint(Field::PppoeSessionId, be16(data, 2)?);
    Some(usize::from(be16(data, 4)?))
}

/// PPPoE discovery (EtherType 0x8863): header and tags. tshark splits no padding or trailer
/// off a PPPoE frame, so this covers the rest of it (`None`).
pub(crate) fn pppoe_discovery(ctx: &mut Ctx<'_>, data: &[u8]) -> Option<usize> {
    pppoe_header(ctx, data);
    None
}

/// A PPPoE session frame (EtherType 0x8864): header, then PPP without address and control;
/// covers the rest of the frame, as discovery frames do.
pub(crate) fn pppoe_session(ctx: &mut Ctx<'_>, data: &[u8]) -> Option<usize> {
    let length = pppoe_header(ctx, data)?;
    let end = (6 + length).min(data.len());
    let ppp = data.get(6..end).unwrap_or(&[]);
    protocol_and_payload(ctx, ppp, 0);
    None
}
