//! IEEE 802.11 frames, alone, behind radiotap, or behind PPI. (Being written.)

use super::Ctx;

/// An 802.11 frame; `fcs_at_end` when its last 4 bytes are the frame check sequence.
pub(crate) fn ieee80211(_ctx: &mut Ctx<'_>, _data: &[u8], _fcs_at_end: bool) {}

/// A radiotap header and the 802.11 frame after it.
pub(crate) fn radiotap(_ctx: &mut Ctx<'_>, _data: &[u8]) {}

/// A PPI header and the frame after it.
pub(crate) fn ppi(_ctx: &mut Ctx<'_>, _data: &[u8]) {}
