//! DNS (and mDNS, LLMNR) messages.

use super::{Ctx, Transport};

/// DNS's UDP and TCP port.
pub(crate) const PORT: u16 = 53;
/// Multicast DNS.
pub(crate) const MDNS_PORT: u16 = 5353;
/// Link-local multicast name resolution.
pub(crate) const LLMNR_PORT: u16 = 5355;

/// Queries awaiting their response (for `dns.time` and `dns.response_to`).
#[derive(Debug, Default)]
pub(crate) struct DnsState {}

/// Dissects one DNS message (without TCP's length prefix).
pub(crate) fn dissect(ctx: &mut Ctx<'_>, transport: Transport, msg: &[u8]) {
    let _ = (ctx, transport, msg);
}
