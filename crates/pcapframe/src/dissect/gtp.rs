//! GTP-U (user plane, UDP port 2152): the tunnelled IP packet inside mobile-network captures.

use super::{ip, Ctx};
use crate::bytes::u8_at;

/// The GTP-U UDP port.
pub(crate) const PORT: u16 = 2152;

const T_PDU: u8 = 0xff;

/// Decodes a GTPv1-U T-PDU header and the IPv4/IPv6 packet it carries.
pub(crate) fn dissect(ctx: &mut Ctx<'_>, data: &[u8]) {
    let Some(flags) = u8_at(data, 0) else { return };
    if flags >> 5 != 1 || flags & 0x10 == 0 || u8_at(data, 1) != Some(T_PDU) {
        return;
    }
    let mut offset = 8;
    if flags & 0x07 != 0 {
        offset += 4;
        // Extension headers: a length in 4-byte units, then the next type in the last byte.
        let mut next = u8_at(data, offset - 1).unwrap_or(0);
        while flags & 0x04 != 0 && next != 0 {
            let Some(units) = u8_at(data, offset).filter(|u| *u > 0) else { return };
            offset += usize::from(units) * 4;
            next = u8_at(data, offset - 1).unwrap_or(0);
        }
    }
    ip::by_version(ctx, data.get(offset..).unwrap_or(&[]));
}
