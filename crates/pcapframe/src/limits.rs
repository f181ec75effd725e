//! [`Limits`]: every cap on what a capture can make pcapframe allocate, in one place. Memory is
//! bounded by these numbers, never by what a header claims.

pub use crate::capture::ReaderLimits;
pub use crate::track::{FragmentLimits, TrackLimits};

/// The reader's caps (packet and block sizes) and the trackers' caps (conversations,
/// reassembly buffers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Largest packet and pcapng block accepted.
    pub reader: ReaderLimits,
    /// Conversations kept per protocol and IP reassembly buffers.
    pub tracking: TrackLimits,
}
