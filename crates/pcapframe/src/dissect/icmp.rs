//! ICMP and ICMPv6, including the packet an error message quotes.

use super::{ip, Ctx};
use crate::bytes::{be16, u8_at};
use crate::fields::Field;

/// ICMP types that quote the offending datagram's header.
const ICMP_ERRORS: [u8; 5] = [3, 4, 5, 11, 12];
/// ICMP types whose quote tshark reads only as far as RFC 792's "header + 64 bits".
const ICMP_SHORT_QUOTE: [u8; 2] = [4, 5];
/// ICMP types that carry an identifier and sequence number.
const ICMP_WITH_IDENT: [u8; 8] = [0, 8, 13, 14, 15, 16, 17, 18];
/// ICMPv6 error types (destination unreachable, too big, time exceeded, parameter problem).
const ICMPV6_ERRORS: [u8; 4] = [1, 2, 3, 4];

pub(crate) fn icmpv4(ctx: &mut Ctx<'_>, data: &[u8]) {
    let Some(kind) = u8_at(data, 0) else { return };
    ctx.out.uint(Field::IcmpType, kind);
    let Some(code) = u8_at(data, 1) else { return };
    ctx.out.uint(Field::IcmpCode, code);
    if ICMP_WITH_IDENT.contains(&kind) {
        if let (Some(ident), Some(seq)) = (be16(data, 4), be16(data, 6)) {
            ctx.out.uint(Field::IcmpIdent, ident);
            ctx.out.uint(Field::IcmpSeq, seq);
        }
    } else if ICMP_ERRORS.contains(&kind) && data.len() > 8 {
        let mut inner = &data[8..];
        if ICMP_SHORT_QUOTE.contains(&kind) {
            // tshark reads only the inner header and 8 bytes of a redirect's or quench's quote.
            let keep = usize::from(inner[0] & 0x0f) * 4 + 8;
            inner = &inner[..keep.min(inner.len())];
        }
        quoted(ctx, |ctx| {
            ip::ipv4(ctx, inner);
        });
    }
}

pub(crate) fn icmpv6(ctx: &mut Ctx<'_>, data: &[u8]) {
    let Some(kind) = u8_at(data, 0) else { return };
    ctx.out.uint(Field::Icmpv6Type, kind);
    let Some(code) = u8_at(data, 1) else { return };
    ctx.out.uint(Field::Icmpv6Code, code);
    if ICMPV6_ERRORS.contains(&kind) && data.len() > 8 {
        quoted(ctx, |ctx| {
            ip::ipv6(ctx, &data[8..]);
        });
    }
}

fn quoted(ctx: &mut Ctx<'_>, f: impl FnOnce(&mut Ctx<'_>)) {
    let was = ctx.quoted;
    ctx.quoted = true;
    f(ctx);
    ctx.quoted = was;
}
