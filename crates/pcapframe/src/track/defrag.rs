//! IPv4 and IPv6 reassembly, as tshark does it by default: the frame that completes a datagram
//! carries the upper-layer fields. Memory is capped: the oldest incomplete datagrams are dropped.

use std::collections::{HashMap, VecDeque};

/// Identifies the fragments of one datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FragmentKey {
    /// Source address (IPv4 in the first 4 bytes).
    pub src: [u8; 16],
    /// Destination address.
    pub dst: [u8; 16],
    /// IP identification (IPv4) or fragment header identification (IPv6).
    pub id: u32,
    /// Upper-layer protocol (IPv4) or 0 (IPv6: the id is per address pair).
    pub proto: u8,
    /// 4 or 6.
    pub version: u8,
}

/// Caps on reassembly state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FragmentLimits {
    /// Datagrams being reassembled at once.
    pub max_pending: usize,
    /// Bytes buffered across all pending datagrams, counting a fixed overhead per fragment so
    /// that empty fragments cost memory too.
    pub max_bytes: usize,
    /// Fragments kept per datagram (8192 fragments of 8 bytes cover the largest datagram); the
    /// ones beyond are ignored.
    pub max_fragments: usize,
}

impl Default for FragmentLimits {
    fn default() -> Self {
        FragmentLimits { max_pending: 4096, max_bytes: 64 * 1024 * 1024, max_fragments: 8192 }
    }
}

/// Bookkeeping bytes per stored fragment, charged against [`FragmentLimits::max_bytes`].
const FRAGMENT_OVERHEAD: usize = 64;

/// A completed datagram payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reassembled {
    /// The upper-layer bytes, from offset 0.
    pub payload: Vec<u8>,
}

#[derive(Debug, Default)]
struct Pending {
    /// Fragments sorted by offset (arrival order among equal offsets).
    pieces: Vec<(u32, Vec<u8>)>,
    total: Option<u32>,
    /// Memory charged: data plus [`FRAGMENT_OVERHEAD`] per fragment.
    cost: usize,
    data_bytes: usize,
}

impl Pending {
    fn insert(&mut self, offset: u32, data: &[u8]) {
        let at = self.pieces.partition_point(|(off, _)| *off <= offset);
        self.pieces.insert(at, (offset, data.to_vec()));
        self.cost += data.len() + FRAGMENT_OVERHEAD;
        self.data_bytes += data.len();
    }

    /// The whole payload, once the last fragment is known and the pieces leave no gap. One pass
    /// over the sorted pieces, and none while the pieces hold fewer bytes than the datagram.
    fn complete(&self) -> Option<Vec<u8>> {
        let total = self.total? as usize;
        if self.data_bytes < total {
            return None;
        }
        let mut covered = 0usize;
        for (off, data) in &self.pieces {
            if *off as usize > covered {
                return None;
            }
            covered = covered.max(*off as usize + data.len());
            if covered >= total {
                break;
            }
        }
        if covered < total {
            return None;
        }
        let mut out = vec![0u8; total];
        let mut filled = 0usize;
        for (off, data) in &self.pieces {
            let off = *off as usize;
            let end = (off + data.len()).min(total);
            if end > filled {
                out[filled..end].copy_from_slice(&data[filled - off..end - off]);
                filled = end;
            }
        }
        Some(out)
    }
}

/// Reassembles fragmented datagrams within fixed memory limits.
#[derive(Debug, Default)]
pub struct Defragmenter {
    limits: FragmentLimits,
    pending: HashMap<FragmentKey, Pending, foldhash::fast::RandomState>,
    order: VecDeque<FragmentKey>,
    bytes: usize,
}

impl Defragmenter {
    /// A defragmenter with the given caps.
    pub fn new(limits: FragmentLimits) -> Self {
        Defragmenter { limits, ..Default::default() }
    }

    /// Adds one fragment (`offset` in bytes); returns the datagram when this fragment completes it.
    pub fn add(&mut self, key: FragmentKey, offset: u32, more: bool, data: &[u8]) -> Option<Reassembled> {
        let cost = data.len() + FRAGMENT_OVERHEAD;
        if cost > self.limits.max_bytes {
            return None;
        }
        if self.pending.get(&key).is_some_and(|p| p.pieces.len() >= self.limits.max_fragments) {
            return None;
        }
        while self.bytes + cost > self.limits.max_bytes
            || (!self.pending.contains_key(&key) && self.pending.len() >= self.limits.max_pending)
        {
            self.evict_oldest();
        }
        let entry = self.pending.entry(key).or_insert_with(|| {
            self.order.push_back(key);
            Pending::default()
        });
        if !more {
            entry.total = Some(offset.saturating_add(data.len() as u32));
        }
        entry.insert(offset, data);
        self.bytes += cost;
        let done = entry.complete()?;
        self.remove(&key);
        Some(Reassembled { payload: done })
    }

    fn remove(&mut self, key: &FragmentKey) {
        if let Some(p) = self.pending.remove(key) {
            self.bytes -= p.cost;
            self.order.retain(|k| k != key);
        }
    }

    fn evict_oldest(&mut self) {
        match self.order.pop_front() {
            Some(key) => {
                if let Some(p) = self.pending.remove(&key) {
                    self.bytes -= p.cost;
                }
            }
            None => self.bytes = 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: u32) -> FragmentKey {
        FragmentKey { src: [1; 16], dst: [2; 16], id, proto: 17, version: 4 }
    }

    #[test]
    fn out_of_order_fragments_complete_on_the_last_arrival() {
        let mut d = Defragmenter::default();
        assert!(d.add(key(1), 8, false, b"world").is_none());
        let r = d.add(key(1), 0, true, b"hello, w").unwrap();
        assert_eq!(r.payload, b"hello, world".to_vec()[..8].iter().chain(b"world").copied().collect::<Vec<_>>());
    }

    #[test]
    fn a_gap_keeps_the_datagram_pending() {
        let mut d = Defragmenter::default();
        assert!(d.add(key(2), 0, true, &[0; 8]).is_none());
        assert!(d.add(key(2), 16, false, &[0; 8]).is_none());
        assert!(d.add(key(2), 8, true, &[0; 8]).is_some());
    }

    #[test]
    fn memory_cap_evicts_oldest() {
        let mut d = Defragmenter::new(FragmentLimits { max_pending: 2, ..FragmentLimits::default() });
        d.add(key(1), 0, true, &[0; 8]);
        d.add(key(2), 0, true, &[0; 8]);
        d.add(key(3), 0, true, &[0; 8]);
        assert_eq!(d.pending.len(), 2);
        assert!(d.add(key(1), 8, false, &[0; 8]).is_none(), "key 1 was evicted");
    }

    #[test]
    fn empty_fragments_cost_memory_and_each_datagram_keeps_a_bounded_number() {
        let limits = FragmentLimits { max_pending: 16, max_bytes: 100 * FRAGMENT_OVERHEAD, max_fragments: 10 };
        let mut d = Defragmenter::new(limits);
        for i in 0..1000 {
            d.add(key(i % 20), 8, true, &[]);
        }
        assert!(d.bytes <= limits.max_bytes && d.pending.len() <= 16);
        assert!(d.pending.values().all(|p| p.pieces.len() <= 10));
    }

    #[test]
    fn overlapping_and_duplicate_fragments_reassemble_first_come() {
        let mut d = Defragmenter::default();
        assert!(d.add(key(4), 0, true, b"abcd").is_none());
        assert!(d.add(key(4), 0, true, b"ABCD").is_none());
        assert!(d.add(key(4), 8, false, b"ijkl").is_none());
        assert_eq!(d.add(key(4), 2, true, b"CDefgh").unwrap().payload, b"abcdefghijkl".to_vec());
    }
}
