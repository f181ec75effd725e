//! Application-layer dissectors (DNS, DHCP, HTTP, TLS, FTP, SMTP): which ports lead to which,
//! and the per-protocol state they keep across frames.
//!
//! Each protocol runs only when one of its fields is wanted (read, printed or filtered on), so
//! reading core fields costs nothing here.

mod dhcp;
mod dns;
mod tls;

use super::Ctx;
use crate::fields::{FieldSet, FIELDS};

/// Which application protocols have a wanted field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct AppWants {
    pub dns: bool,
    pub dhcp: bool,
    pub http: bool,
    pub tls: bool,
    pub ftp: bool,
    pub smtp: bool,
}

impl AppWants {
    /// The protocols of the fields in `wanted`.
    pub fn of(wanted: &FieldSet) -> Self {
        let mut w = AppWants::default();
        for (i, def) in FIELDS.iter().enumerate() {
            if !wanted.contains(crate::fields::Field::from_index(i)) {
                continue;
            }
            match def.protocol {
                "dns" => w.dns = true,
                "dhcp" => w.dhcp = true,
                "http" => w.http = true,
                "tls" => w.tls = true,
                "ftp" => w.ftp = true,
                "smtp" => w.smtp = true,
                _ => {}
            }
        }
        w
    }

    /// Whether a protocol carried over TCP is wanted (TCP segments then need tracking).
    pub fn any_over_tcp(&self) -> bool {
        self.dns || self.http || self.tls || self.ftp || self.smtp
    }
}

/// Cross-frame state of the application dissectors.
#[derive(Debug, Default)]
pub(crate) struct AppState {
    pub wants: AppWants,
    pub dns: dns::DnsState,
}

impl AppState {
    pub fn new(wanted: &FieldSet) -> Self {
        AppState { wants: AppWants::of(wanted), ..AppState::default() }
    }
}

/// The transport a message arrived on, for protocols that run over both, and for matching
/// requests with responses within one conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    /// `udp.stream` of the datagram.
    Udp { stream: u32 },
    /// `tcp.stream` of the connection.
    Tcp { stream: u32 },
}

/// A UDP payload: DNS on 53, mDNS on 5353, LLMNR on 5355; DHCP on 67, 68 and 4011.
pub(crate) fn over_udp(ctx: &mut Ctx<'_>, stream: u32, sport: u16, dport: u16, payload: &[u8]) {
    let wants = ctx.state.app.wants;
    let is = |p: u16| sport == p || dport == p;
    if wants.dns && (is(dns::PORT) || is(dns::MDNS_PORT) || is(dns::LLMNR_PORT)) {
        dns::dissect(ctx, Transport::Udp { stream }, payload);
    } else if wants.dhcp && (is(67) || is(68) || is(4011)) {
        dhcp::dissect(ctx, payload);
    }
}
