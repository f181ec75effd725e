//! UDP header and `udp.stream`.

use super::ip::IpInfo;
use super::{gtp, tunnel, Ctx};
use crate::bytes::be16;
use crate::fields::Field;
use crate::track::Endpoint;

pub(crate) fn dissect(ctx: &mut Ctx<'_>, ip: IpInfo<'_>, data: &[u8]) {
    let _ = decode(ctx, ip, data);
}

fn decode(ctx: &mut Ctx<'_>, ip: IpInfo<'_>, data: &[u8]) -> Option<()> {
    let sport = be16(data, 0)?;
    ctx.out.uint(Field::UdpSrcport, sport);
    let dport = be16(data, 2)?;
    ctx.out.uint(Field::UdpDstport, dport);
    let length = be16(data, 4)?;
    ctx.out.uint(Field::UdpLength, length);
    if length < 8 {
        // Shorter than its own header: tshark stops here.
        return None;
    }
    ctx.out.uint(Field::UdpChecksum, be16(data, 6)?);
    if ctx.out.wants(Field::UdpStream) {
        let stream = ctx.state.udp.stream(Endpoint::new(ip.src, sport), Endpoint::new(ip.dst, dport));
        ctx.out.uint(Field::UdpStream, stream);
    }
    let payload = data.get(8..).unwrap_or(&[]);
    if sport == gtp::PORT || dport == gtp::PORT {
        gtp::dissect(ctx, payload);
    } else {
        tunnel::over_udp(ctx, sport, dport, payload);
    }
    Some(())
}
