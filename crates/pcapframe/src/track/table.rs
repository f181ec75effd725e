//! [`ConversationTable`]: per-conversation state under a fixed cap, retiring the conversations
//! idle longest when it is full, so that captures of millions of distinct flows stream in
//! bounded memory.

use std::collections::HashMap;

use super::ConvKey;

/// Caps on the state kept across frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackLimits {
    /// Conversations kept per protocol (TCP, UDP). When a new one would exceed this, the quarter
    /// of the table that was seen least recently is retired. A conversation costs about 190 bytes
    /// (measured by the flood test), so the default (500,000) keeps both tables under 200 MiB.
    pub max_conversations: usize,
    /// Caps on IP reassembly buffers.
    pub fragments: super::FragmentLimits,
    /// Segments awaiting acknowledgment remembered per TCP direction, for `tcp.analysis.acks_frame`,
    /// `ack_rtt`, `bytes_in_flight` and `rto`. Past it the oldest is forgotten (and counted): a
    /// later ACK of it gets no `acks_frame`. 32 bytes each; only kept when analysis fields are read.
    pub max_unacked_segments: usize,
    /// Bytes one TCP connection may hold for its application dissector (HTTP, TLS, DNS over
    /// TCP): an incomplete message, and segments held after a gap. Past it the connection's
    /// pending data is dropped (and counted): that message gets no fields.
    pub max_app_connection_bytes: usize,
    /// Bytes all connections together may hold for application dissectors. Past it the
    /// connection that grew is dropped as above.
    pub max_app_total_bytes: usize,
}

impl Default for TrackLimits {
    fn default() -> Self {
        TrackLimits {
            max_conversations: 500_000,
            fragments: super::FragmentLimits::default(),
            max_unacked_segments: 4096,
            max_app_connection_bytes: 32 << 20,
            max_app_total_bytes: 512 << 20,
        }
    }
}

/// Conversation state keyed by address/port pair, at most `max` entries.
///
/// Every lookup stamps the entry with a logical clock (the order of lookups, not capture time,
/// which a damaged capture can make jump or run backwards). A retired conversation that shows up
/// again starts afresh, as if first seen there.
///
/// The states lie in a vector that a hash map indexes, and the last conversation looked up is
/// remembered: consecutive packets of one conversation (two in three TCP packets of real
/// traffic) are found without hashing.
#[derive(Debug)]
pub struct ConversationTable<V> {
    /// foldhash: SipHash was 4% of a Stevens read; the seed is still random per process.
    index: HashMap<ConvKey, usize, foldhash::fast::RandomState>,
    entries: Vec<Stamped<V>>,
    /// The last key looked up and its entry.
    last: Option<(ConvKey, usize)>,
    max: usize,
    clock: u64,
    retired: u64,
}

#[derive(Debug)]
struct Stamped<V> {
    key: ConvKey,
    last_seen: u64,
    value: V,
}

impl<V> ConversationTable<V> {
    /// An empty table that holds at most `max` conversations (at least one).
    pub fn new(max: usize) -> Self {
        ConversationTable {
            index: HashMap::default(),
            entries: Vec::new(),
            last: None,
            max: max.max(1),
            clock: 0,
            retired: 0,
        }
    }

    /// The state of `key`, created by `make` when the conversation is new (or was retired).
    #[inline]
    pub fn get_or_insert_with(&mut self, key: ConvKey, make: impl FnOnce() -> V) -> &mut V {
        self.clock += 1;
        let at = match self.last {
            Some((last, at)) if last == key => at,
            _ => match self.index.get(&key) {
                Some(&at) => at,
                None => {
                    if self.entries.len() >= self.max {
                        self.retire_idlest();
                    }
                    self.entries.push(Stamped { key, last_seen: self.clock, value: make() });
                    self.index.insert(key, self.entries.len() - 1);
                    self.entries.len() - 1
                }
            },
        };
        self.last = Some((key, at));
        let entry = &mut self.entries[at];
        entry.last_seen = self.clock;
        &mut entry.value
    }

    /// Conversations held now.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table holds no conversation.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Conversations retired so far to stay under the cap.
    pub fn retired(&self) -> u64 {
        self.retired
    }

    /// Drops the quarter of the table seen least recently (at least one entry). Costs one pass
    /// over the table per `max / 4` new conversations: constant time per frame on average.
    fn retire_idlest(&mut self) {
        let count = (self.entries.len() / 4).max(1);
        let mut stamps: Vec<u64> = self.entries.iter().map(|e| e.last_seen).collect();
        let (_, &mut threshold, _) = stamps.select_nth_unstable(count - 1);
        let before = self.entries.len();
        // Stamps are unique (one clock tick per lookup), so exactly `count` entries go.
        self.entries.retain(|e| e.last_seen > threshold);
        self.retired += (before - self.entries.len()) as u64;
        self.index.clear();
        self.index.extend(self.entries.iter().enumerate().map(|(at, e)| (e.key, at)));
        self.last = None;
    }
}

/// Returns a stream counter's value and advances it (the next stream index to hand out).
pub(super) fn take_next(counter: &mut u32) -> u32 {
    let value = *counter;
    *counter = counter.wrapping_add(1);
    value
}

#[cfg(test)]
mod tests {
    use super::super::Endpoint;
    use super::*;

    fn key(n: u32) -> ConvKey {
        ConvKey::of(Endpoint::new(&n.to_be_bytes(), 1000), Endpoint::new(&[10, 0, 0, 1], 80)).0
    }

    #[test]
    fn never_holds_more_than_the_cap() {
        let mut table = ConversationTable::new(100);
        for n in 0..10_000 {
            *table.get_or_insert_with(key(n), || 0) += 1;
            assert!(table.len() <= 100);
        }
        assert_eq!(table.retired(), 10_000 - table.len() as u64);
    }

    #[test]
    fn retires_the_least_recently_seen_first() {
        let mut table = ConversationTable::new(8);
        for n in 0..8 {
            table.get_or_insert_with(key(n), || n);
        }
        // Touch 0 and 1 again: 2 and 3 are now the idlest.
        table.get_or_insert_with(key(0), || 99);
        table.get_or_insert_with(key(1), || 99);
        table.get_or_insert_with(key(8), || 8);
        assert_eq!(table.retired(), 2);
        assert_eq!(*table.get_or_insert_with(key(0), || 99), 0, "recently seen: kept");
        assert_eq!(*table.get_or_insert_with(key(2), || 99), 99, "idlest: retired, starts afresh");
    }

    #[test]
    fn every_key_finds_its_own_state_across_retirements() {
        let mut table = ConversationTable::new(64);
        let mut model = std::collections::HashMap::new();
        for step in 0u32..5_000 {
            // Runs of one key (the remembered last lookup), revisits, and new keys.
            let n = if step % 3 == 0 { step / 3 % 97 } else { step / 7 };
            let value = *table.get_or_insert_with(key(n), || step);
            match model.get(&n) {
                // Kept, or retired and started afresh with this step's value.
                Some(&old) => assert!(value == old || value == step, "key {n}"),
                None => assert_eq!(value, step, "key {n} is new"),
            }
            model.insert(n, value);
            assert!(table.len() <= 64);
        }
        assert!(table.retired() > 0);
    }

    #[test]
    fn a_table_of_one_still_works() {
        let mut table = ConversationTable::new(0);
        assert_eq!(*table.get_or_insert_with(key(1), || 1), 1);
        assert_eq!(*table.get_or_insert_with(key(2), || 2), 2);
        assert_eq!(table.len(), 1);
    }
}
