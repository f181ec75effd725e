//! `udp.stream`: an index per address/port pair, in order of first appearance.

use super::{take_next, ConvKey, ConversationTable, Endpoint, TrackLimits};

/// Assigns `udp.stream` indexes (keeping up to a cap of pairs: see [`ConversationTable`]).
#[derive(Debug)]
pub struct UdpTracker {
    streams: ConversationTable<u32>,
    next_stream: u32,
}

impl Default for UdpTracker {
    fn default() -> Self {
        UdpTracker::new(TrackLimits::default().max_conversations)
    }
}

impl UdpTracker {
    /// A tracker that keeps at most `max_conversations` pairs, retiring the idlest beyond that.
    pub fn new(max_conversations: usize) -> Self {
        UdpTracker { streams: ConversationTable::new(max_conversations), next_stream: 0 }
    }

    /// The stream index of a datagram from `src` to `dst`.
    pub fn stream(&mut self, src: Endpoint, dst: Endpoint) -> u32 {
        let (key, _) = ConvKey::of(src, dst);
        let next_stream = &mut self.next_stream;
        *self.streams.get_or_insert_with(key, || take_next(next_stream))
    }

    /// Pairs retired so far to stay under the cap.
    pub fn retired(&self) -> u64 {
        self.streams.retired()
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

    #[test]
    fn a_retired_pair_gets_a_new_index_and_indexes_stay_unique() {
        let mut t = UdpTracker::new(2);
        let a = Endpoint::new(&[10, 0, 0, 1], 5353);
        let [b, c, d] = [2, 3, 4].map(|h| Endpoint::new(&[10, 0, 0, h], 53));
        assert_eq!([t.stream(a, b), t.stream(a, c), t.stream(a, d)], [0, 1, 2]);
        assert_eq!(t.retired(), 1);
        assert_eq!(t.stream(b, a), 3, "a-b was the idlest");
    }
}
