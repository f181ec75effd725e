//! DHCP (BOOTP) messages.

use super::Ctx;

/// Dissects one DHCP message.
pub(crate) fn dissect(ctx: &mut Ctx<'_>, msg: &[u8]) {
    let _ = (ctx, msg);
}
