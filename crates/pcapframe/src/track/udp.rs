//! `udp.stream`: an index per address/port pair, in order of first appearance.

use std::collections::HashMap;

use super::{ConvKey, Endpoint};

/// Assigns `udp.stream` indexes.
#[derive(Debug, Default)]
pub struct UdpTracker {
    streams: HashMap<ConvKey, u32>,
}

impl UdpTracker {
    /// The stream index of a datagram from `src` to `dst`.
    pub fn stream(&mut self, src: Endpoint, dst: Endpoint) -> u32 {
        let (key, _) = ConvKey::of(src, dst);
        let next = self.streams.len() as u32;
        *self.streams.entry(key).or_insert(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_directions_share_a_stream() {
        let mut t = UdpTracker::default();
        let a = Endpoint::new(&[10, 0, 0, 1], 5353);
        let b = Endpoint::new(&[10, 0, 0, 2], 53);
        let c = Endpoint::new(&[10, 0, 0, 3], 53);
        assert_eq!(t.stream(a, b), 0);
        assert_eq!(t.stream(a, c), 1);
        assert_eq!(t.stream(b, a), 0);
    }
}
