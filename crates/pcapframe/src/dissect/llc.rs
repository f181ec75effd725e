//! IEEE 802.2 LLC and SNAP: how 802.11 (and 802.3 length-field Ethernet) frames name the
//! protocol they carry.

use super::{link, Ctx};
use crate::bytes::{be16, u8_at};
use crate::fields::Field;

const SNAP_SAP: u8 = 0xaa;
/// Unnumbered-information control byte, the only one SNAP uses.
const UI: u8 = 0x03;

/// Decodes an LLC header; with SNAP and an EtherType OUI (00-00-00, or 00-00-f8 for 802.1H
/// bridge tunnels), `llc.type` and the payload. Returns the bytes covered, or `None` when the
/// payload's extent is not known.
pub(crate) fn dissect(ctx: &mut Ctx<'_>, data: &[u8]) -> Option<usize> {
    let dsap = u8_at(data, 0)?;
    let ssap = u8_at(data, 1)?;
    let control = u8_at(data, 2)?;
    if dsap != SNAP_SAP || ssap != SNAP_SAP || control != UI {
        return None;
    }
    let oui = data.get(3..6)?;
    if oui != [0, 0, 0] && oui != [0, 0, 0xf8] {
        return None;
    }
    let ethertype = be16(data, 6)?;
    ctx.out.uint(Field::LlcType, ethertype);
    let used = link::network(ctx, ethertype, data.get(8..).unwrap_or(&[]))?;
    Some(8 + used)
}
