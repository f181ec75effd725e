//! UDP header and `udp.stream`.

use super::ip::IpInfo;
use super::{app, gtp, tunnel, Ctx};
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
    let app = ctx.state.app.wants;
    let mut stream = None;
    if ctx.out.wants(Field::UdpStream) || app.dns || app.tls {
        let s = ctx.state.udp.stream(Endpoint::new(ip.src, sport), Endpoint::new(ip.dst, dport));
        ctx.out.uint(Field::UdpStream, s);
        stream = Some(s);
    }
    let payload = data.get(8..).unwrap_or(&[]);
    if sport == gtp::PORT || dport == gtp::PORT {
        gtp::dissect(ctx, payload);
    } else {
        if app.any_over_udp() {
            // The application's message runs as far as the UDP length says (and was captured).
            let end = usize::from(length).clamp(8, data.len().max(8));
            app::over_udp(ctx, stream.unwrap_or(0), sport, dport, data.get(8..end).unwrap_or(&[]));
        }
        tunnel::over_udp(ctx, sport, dport, payload);
    }
    Some(())
}
