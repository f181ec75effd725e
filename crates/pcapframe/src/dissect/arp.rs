//! ARP over Ethernet/IPv4.

use super::Ctx;
use crate::bytes::{array, be16, u8_at};
use crate::fields::{Field, Value};

/// Decodes an ARP packet; returns its length (`8 + 2*(hlen+plen)`).
pub(crate) fn dissect(ctx: &mut Ctx<'_>, data: &[u8]) -> Option<usize> {
    let hlen = usize::from(u8_at(data, 4)?);
    let plen = usize::from(u8_at(data, 5)?);
    let len = 8 + 2 * (hlen + plen);
    ctx.out.uint(Field::ArpOpcode, be16(data, 6)?);
    if hlen == 6 && plen == 4 {
        ctx.out.push(Field::ArpSrcHwMac, Value::Mac(array(data, 8)?));
        ctx.out.push(Field::ArpSrcProtoIpv4, Value::Ipv4(array(data, 14)?));
        ctx.out.push(Field::ArpDstHwMac, Value::Mac(array(data, 18)?));
        ctx.out.push(Field::ArpDstProtoIpv4, Value::Ipv4(array(data, 24)?));
    }
    Some(len)
}
