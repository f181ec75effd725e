//! IEEE 802.2 LLC and SNAP: how 802.11 (and 802.3 length-field Ethernet) frames name the
//! protocol they carry.

use super::{link, Ctx};
use crate::bytes::{be16, u8_at};
use crate::fields::Field;

const SNAP_SAP: u8 = 0xaa;
/// Unnumbered-information control byte: the usual one before SNAP.
const UI: u8 = 0x03;

/// Decodes an LLC header; with SNAP and an EtherType OUI (00-00-00, or 00-00-f8 for 802.1H
/// bridge tunnels), `llc.type` and the payload. Returns the bytes covered, or `None` when the
/// payload's extent is not known.
pub(crate) fn dissect(ctx: &mut Ctx<'_>, data: &[u8]) -> Option<usize> {
    let dsap = u8_at(data, 0)?;
    ctx.out.uint(Field::LlcDsap, dsap);
    let ssap = u8_at(data, 1)?;
    let control = u8_at(data, 2)?;
    // An information frame (low bit 0) has a 2-byte control field; tshark decodes SNAP after
    // it too.
    let snap = match control {
        UI => 3,
        c if c & 0x01 == 0 => 4,
        _ => return None,
    };
    if dsap != SNAP_SAP || ssap != SNAP_SAP {
        return None;
    }
    let oui = data.get(snap..snap + 3)?;
    if oui != [0, 0, 0] && oui != [0, 0, 0xf8] {
        return None;
    }
    let ethertype = be16(data, snap + 3)?;
    ctx.out.uint(Field::LlcType, ethertype);
    let used = link::network(ctx, ethertype, data.get(snap + 5..).unwrap_or(&[]))?;
    Some(snap + 5 + used)
}
