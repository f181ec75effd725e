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
    /// Bytes buffered across all pending datagrams.
    pub max_bytes: usize,
}

impl Default for FragmentLimits {
    fn default() -> Self {
        FragmentLimits { max_pending: 4096, max_bytes: 64 * 1024 * 1024 }
    }
}

/// A completed datagram payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reassembled {
    /// The upper-layer bytes, from offset 0.
    pub payload: Vec<u8>,
}

#[derive(Debug, Default)]
struct Pending {
    pieces: Vec<(u32, Vec<u8>)>,
    total: Option<u32>,
    bytes: usize,
}

impl Pending {
    fn complete(&self) -> Option<Vec<u8>> {
        let total = self.total? as usize;
        let mut pieces: Vec<&(u32, Vec<u8>)> = self.pieces.iter().collect();
        pieces.sort_by_key(|(off, _)| *off);
        let mut out = vec![0u8; total];
        let mut covered = 0usize;
        for (off, data) in pieces {
            let off = *off as usize;
            if off > covered {
                return None;
            }
            let end = (off + data.len()).min(total);
            if end > covered {
                out[covered..end].copy_from_slice(&data[covered - off..end - off]);
                covered = end;
            }
        }
        (covered >= total).then_some(out)
    }
}

/// Reassembles fragmented datagrams within fixed memory limits.
#[derive(Debug, Default)]
pub struct Defragmenter {
    limits: FragmentLimits,
    pending: HashMap<FragmentKey, Pending>,
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
        if data.len() > self.limits.max_bytes {
            return None;
        }
        while self.bytes + data.len() > self.limits.max_bytes
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
        entry.pieces.push((offset, data.to_vec()));
        entry.bytes += data.len();
        self.bytes += data.len();
        let done = entry.complete()?;
        self.remove(&key);
        Some(Reassembled { payload: done })
    }

    fn remove(&mut self, key: &FragmentKey) {
        if let Some(p) = self.pending.remove(key) {
            self.bytes -= p.bytes;
            self.order.retain(|k| k != key);
        }
    }

    fn evict_oldest(&mut self) {
        match self.order.pop_front() {
            Some(key) => {
                if let Some(p) = self.pending.remove(&key) {
                    self.bytes -= p.bytes;
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
        let mut d = Defragmenter::new(FragmentLimits { max_pending: 2, max_bytes: 1 << 20 });
        d.add(key(1), 0, true, &[0; 8]);
        d.add(key(2), 0, true, &[0; 8]);
        d.add(key(3), 0, true, &[0; 8]);
        assert_eq!(d.pending.len(), 2);
        assert!(d.add(key(1), 8, false, &[0; 8]).is_none(), "key 1 was evicted");
    }
}
